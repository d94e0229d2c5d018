/**
 * Experiments: a study file becomes a validated {@link io.distill4j.experiment.Study} of self-contained
 * {@link io.distill4j.experiment.Trial}s (teacher, student-alone baseline, distilled cells x seeds). The
 * {@link io.distill4j.experiment.TrialExecutor} runs one trial (description in, result out, in any JVM);
 * {@link io.distill4j.experiment.TrialListener}s do the side effects (tracking, export, progress); the
 * {@link io.distill4j.experiment.StudyRunner} plans, schedules, keeps the ledger and summarises
 * ({@link io.distill4j.experiment.Summary}, each distilled cell against its own student-alone baseline).
 */
package io.distill4j.experiment;
