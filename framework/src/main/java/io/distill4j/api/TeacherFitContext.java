package io.distill4j.api;

import io.distill4j.train.TrainingObserver;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a teacher needs to train: train and validation inputs of its {@link InputKind} with one-hot labels, a seed
 * and an observer for progress and per-epoch metrics.
 */
public record TeacherFitContext(
        InputShape shape,
        INDArray trainInput,
        INDArray trainLabels,
        INDArray validationInput,
        INDArray validationLabels,
        long seed,
        TrainingObserver observer) {
}
