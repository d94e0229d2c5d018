package io.distill4j.train;

/** Training produced a non-finite loss; the message names the network and the epoch. */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int epoch;

    public TrainingDivergedException(String message, int epoch) {
        super(message);
        this.epoch = epoch;
    }

    /** The 0-based epoch in which the loss stopped being finite. */
    public int epoch() {
        return epoch;
    }
}
