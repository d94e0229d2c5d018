/**
 * Schedules ({@link io.distill4j.api.Schedule}) that drive a loss parameter such as the temperature or alpha from
 * epoch to epoch: constant, linear, cosine and step.
 */
package io.distill4j.schedule;
