package io.distill4j.api;

import io.distill4j.api.KlineSeries;
import io.distill4j.api.TrainingObserver;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a teacher needs to train: the train and validation samples (in either input form) with one-hot labels, the
 * bars they come from (rule-based teachers read prices), a seed and an observer for progress and per-epoch metrics.
 */
public record TeacherFitContext(
        InputShape shape,
        ModelInput train,
        INDArray trainLabels,
        ModelInput validation,
        INDArray validationLabels,
        KlineSeries bars,
        long seed,
        TrainingObserver observer) {

    /**
     * The context of an ensemble member: its own seed, and its epochs reported under {@code scope} (e.g. {@code lstm.}).
     */
    public TeacherFitContext forMember(long memberSeed, String scope) {
        TrainingObserver outer = observer;
        return new TeacherFitContext(shape, train, trainLabels, validation, validationLabels, bars, memberSeed,
                report -> outer.onEpoch(report.scoped(scope)));
    }
}
