package io.distill4j.api;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a teacher needs to train: the train and validation samples (in either input form) with one-hot labels, the
 * bars they come from (rule-based teachers read prices), a root seed and an observer for progress and per-epoch
 * metrics. The root seed is never used directly: {@link #initSeed()} and {@link #shuffleSeed()} split it by purpose
 * ({@link Seeds#derive}), as a student's seed is split into {@code student} and {@code shuffle}, so that the weight
 * initialisation and the minibatch order are independent random streams.
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

    /** The seed of the teacher's weight initialisation: {@code Seeds.derive(seed, "teacher.init")}. */
    public long initSeed() {
        return Seeds.derive(seed, "teacher.init");
    }

    /** The seed of the teacher's minibatch order: {@code Seeds.derive(seed, "teacher.shuffle")}. */
    public long shuffleSeed() {
        return Seeds.derive(seed, "teacher.shuffle");
    }

    /**
     * The context of an ensemble member: its own seed, and its epochs reported under {@code scope} (e.g. {@code lstm.}).
     */
    public TeacherFitContext forMember(long memberSeed, String scope) {
        TrainingObserver outer = observer;
        return new TeacherFitContext(shape, train, trainLabels, validation, validationLabels, bars, memberSeed,
                report -> outer.onEpoch(report.scoped(scope)));
    }
}
