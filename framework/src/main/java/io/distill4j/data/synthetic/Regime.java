package io.distill4j.data.synthetic;

/** The hidden market state of one synthetic bar. */
public enum Regime {
    /** Positive drift with positively autocorrelated returns (momentum). */
    TREND_UP,
    /** Negative drift with positively autocorrelated returns (momentum). */
    TREND_DOWN,
    /** Low noise; returns pull the price back towards a slowly moving level. */
    MEAN_REVERSION,
    /** Large noise and no exploitable signal. */
    HIGH_VOLATILITY
}
