/**
 * Training: the epoch loop shared by teachers and students, minibatch iteration, observers (progress and tracking
 * hook in here), the teacher cache and student distillation.
 */
package io.distill4j.train;
