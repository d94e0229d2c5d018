/**
 * Distillation losses: hand-written DL4J {@link org.nd4j.linalg.lossfunctions.ILossFunction}s and the
 * {@link io.distill4j.api.DistillationLoss} plugins that attach them to a student's output heads. Every loss documents
 * its formula, paper and weight convention, and is gradient-checked in the tests.
 */
package io.distill4j.loss;
