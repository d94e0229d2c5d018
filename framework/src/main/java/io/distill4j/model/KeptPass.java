package io.distill4j.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A training layer's record of its own forward pass, for its backward pass: whether the last forward pass was a
 * training-mode pass the layer computed itself on a given input, so that the backward pass may reuse what that pass
 * kept; and how many forward passes it computed (for tests: the layer really takes its own path).
 */
final class KeptPass {
    private INDArray input;
    private long passes;

    /** A forward pass begins: nothing is kept until it {@link #computed} one. */
    void forget() {
        input = null;
    }

    /** The layer computed a forward pass on {@code input}; a training-mode one is kept for the backward pass. */
    void computed(boolean training, INDArray input) {
        this.input = training ? input : null;
        passes++;
    }

    /**
     * Whether the backward pass may reuse the kept forward pass: it was computed on {@code input} and no mask came
     * since. Either way the pass is used up.
     */
    boolean takeFor(INDArray input, INDArray mask) {
        boolean kept = this.input != null && this.input == input && mask == null;
        this.input = null;
        return kept;
    }

    long passes() {
        return passes;
    }
}
