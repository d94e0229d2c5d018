/** Evaluation: classification metrics against labels and the teacher, and statistics over seeds. */
package io.distill4j.eval;
