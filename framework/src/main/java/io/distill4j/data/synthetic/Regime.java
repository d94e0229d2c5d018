package io.distill4j.data.synthetic;

/** The hidden market state of one synthetic bar (see {@link SyntheticMarket} for the dynamics). */
public enum Regime {
    /** Low noise; small 20-bar moves tend to continue (momentum). */
    CALM_MOMENTUM,
    /** Medium noise; small 20-bar moves tend to be given back (overreaction that fades). */
    CHOPPY_REVERSAL,
    /** Large noise; no regime-specific drift. */
    TURBULENT
}
