/**
 * Distillation training of one student: builds its graph with one head per loss term, feeds it the cached teacher
 * outputs, applies the schedules per epoch and returns the trained graph with its training outcome.
 */
package io.distill4j.distill;
