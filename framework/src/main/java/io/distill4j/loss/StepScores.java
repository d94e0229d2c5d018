package io.distill4j.loss;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The per-row scores a loss's gradient pass computed in one training step, kept for DL4J's score request of the same
 * step: DL4J's output layer asks for the gradient, then for the score of the very same label and output arrays, so
 * handing the scores over saves a second pass of the loss kernel. A loss keeps the last {@link Kept} in a transient
 * field and takes it once; it matches only the same thread and the same arrays (by identity), else the loss computes
 * the score afresh.
 */
final class StepScores {
    private StepScores() {
    }

    /** Scores computed by {@code thread} for these arrays. */
    record Kept(Thread thread, INDArray labels, INDArray preOutput, INDArray mask, double[] scores) {
    }

    /** What a gradient pass keeps: a copy of its per-row {@code scores}. */
    static Kept keep(INDArray labels, INDArray preOutput, INDArray mask, double[] scores) {
        return new Kept(Thread.currentThread(), labels, preOutput, mask, scores.clone());
    }

    /** The kept scores if they were computed by this thread for these very arrays, else {@code null}. */
    static double[] scoresFor(Kept kept, INDArray labels, INDArray preOutput, INDArray mask) {
        boolean same = kept != null && kept.thread() == Thread.currentThread() && kept.labels() == labels
                && kept.preOutput() == preOutput && kept.mask() == mask;
        return same ? kept.scores() : null;
    }
}
