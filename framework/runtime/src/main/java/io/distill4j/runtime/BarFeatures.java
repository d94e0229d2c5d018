package io.distill4j.runtime;

/**
 * Features computed bar by bar: the one implementation the batch pipeline and the deployed student share. A bar
 * whose open time is not exactly one interval after the previous bar's starts a new run; a row is defined once the
 * set's warm-up of earlier bars of the same run exist. Not thread-safe.
 */
public interface BarFeatures {
    /**
     * Takes the next bar.
     *
     * @param columns the bar's other inputs ({@link FeatureSet#inputs}: extra columns, other assets' bars), in that
     *     order; may be empty when the set reads none
     * @param features receives the raw (not standardised) features when the result is {@code true}
     * @return whether the bar's feature row is defined
     */
    boolean update(long openTimeMs, double open, double high, double low, double close, double volume,
            double[] columns, double[] features);

    /** Forgets every bar: the next bar starts a new run. */
    void reset();

    /** Bars of the current contiguous run seen so far. */
    long runLength();
}
