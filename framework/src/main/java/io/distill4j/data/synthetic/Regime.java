package io.distill4j.data.synthetic;

/** The hidden market state of one synthetic bar (see {@link SyntheticMarket} for the dynamics). */
public enum Regime {
    /** Low noise; small 20-bar moves tend to continue (momentum), larger ones turn. */
    CALM_MOMENTUM,
    /** Medium noise; small 20-bar moves tend to be given back (overreaction that fades), larger ones turn. */
    CHOPPY_REVERSAL,
    /** Large noise; only the sign-agreement signal of all regimes. */
    TURBULENT
}
