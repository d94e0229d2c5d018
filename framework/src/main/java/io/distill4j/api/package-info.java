/**
 * The plugin contracts: {@link io.distill4j.api.Teacher}, {@link io.distill4j.api.Student},
 * {@link io.distill4j.api.DistillationLoss} and {@link io.distill4j.api.Schedule}, and the registry
 * ({@link io.distill4j.api.Plugins}) that maps a study file's {@code type} names to their factories.
 */
package io.distill4j.api;
