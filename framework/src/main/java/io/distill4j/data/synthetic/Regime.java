package io.distill4j.data.synthetic;

/** The hidden market state of one synthetic bar (see {@link SyntheticMarket} for the dynamics). */
public enum Regime {
    /** Low noise; moves over the last ten bars tend to continue (momentum). */
    CALM_MOMENTUM,
    /** Medium noise; moves over the last ten bars tend to be given back (overreaction that fades). */
    CHOPPY_REVERSAL,
    /** Large noise; no regime-specific signal. */
    TURBULENT
}
