/**
 * Training machinery shared by teachers and students: the epoch loop with early stopping, minibatch iteration,
 * training settings and the teacher cache. It knows no network architecture (that is {@code model}) and no
 * distillation (that is {@code distill}).
 */
package io.distill4j.train;
