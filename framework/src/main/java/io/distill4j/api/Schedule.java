package io.distill4j.api;

/**
 * How a loss parameter (temperature, alpha, ...) changes over training epochs (plugin kind {@code schedule}).
 * Applied once at the start of every epoch.
 */
public interface Schedule {
    /**
     * The value for an epoch.
     *
     * @param epoch 0-based epoch
     * @param epochs total epochs of the training run
     * @param configured the parameter's value in the loss section (where a schedule has no explicit start)
     */
    double valueAt(int epoch, int epochs, double configured);

    /** A short description, e.g. {@code cosine(8->2)}. */
    String describe();
}
