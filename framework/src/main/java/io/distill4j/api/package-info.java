/**
 * The plugin contracts: {@link io.distill4j.api.Teacher}, {@link io.distill4j.api.Student},
 * {@link io.distill4j.api.DistillationLoss} and {@link io.distill4j.api.Schedule}, and the plain types they exchange
 * (inputs, teacher outputs, bars, epoch reports, seeds, vertex names, and {@link io.distill4j.api.HeadBuilder}, a loss
 * head's view of the student graph for the layers it owns). This package depends on no other package of
 * the project (a test enforces it); the registry that maps a study file's {@code type} names to factories is
 * {@code io.distill4j.plugin}.
 */
package io.distill4j.api;
