package io.distill4j.data.synthetic;

/**
 * What {@link SyntheticMarket} generates: how many bars, from which seed, at which spacing.
 *
 * @param bars number of bars, at least 2
 * @param seed the random seed; equal seeds give bit-identical series
 * @param intervalMs spacing between bars, positive
 * @param startTimeMs open time of the first bar (Unix ms)
 */
public record SyntheticConfig(int bars, long seed, long intervalMs, long startTimeMs) {
    /** 2024-01-01T00:00:00Z, the default start. */
    public static final long DEFAULT_START_MS = 1_704_067_200_000L;

    public SyntheticConfig {
        if (bars < 2) {
            throw new IllegalArgumentException("bars must be >= 2, got " + bars);
        }
        if (intervalMs <= 0) {
            throw new IllegalArgumentException("intervalMs must be positive, got " + intervalMs);
        }
    }

    /** A config starting at {@link #DEFAULT_START_MS}. */
    public SyntheticConfig(int bars, long seed, long intervalMs) {
        this(bars, seed, intervalMs, DEFAULT_START_MS);
    }
}
