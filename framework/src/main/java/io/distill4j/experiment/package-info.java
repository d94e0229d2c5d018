/**
 * Experiments: a study file becomes a validated {@link io.distill4j.experiment.Study} of self-contained
 * {@link io.distill4j.experiment.Trial}s (teacher, student-alone baseline, distilled cells x seeds), which the
 * {@link io.distill4j.experiment.StudyRunner} trains, evaluates, tracks and summarises
 * ({@link io.distill4j.experiment.Summary}, with each distilled cell against its own student-alone baseline).
 */
package io.distill4j.experiment;
