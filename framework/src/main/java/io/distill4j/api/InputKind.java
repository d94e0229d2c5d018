package io.distill4j.api;

/** What a network reads: one feature row per sample, or a window of feature rows {@code [features, lookback]}. */
public enum InputKind {
    /** {@code [n, features]}. */
    TABULAR,
    /** {@code [n, features, lookback]} (NCW, as DL4J's recurrent and attention layers expect). */
    SEQUENCE
}
