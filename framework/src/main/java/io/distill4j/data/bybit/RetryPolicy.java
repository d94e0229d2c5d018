package io.distill4j.data.bybit;

import java.util.function.DoubleSupplier;

/**
 * How transient failures (HTTP 429 and 5xx, I/O errors, Bybit's rate-limit and server-error codes) are retried:
 * at most {@code maxAttempts} requests in all, waiting {@code initialDelayMs * 2^(n-1)} (capped at
 * {@code maxDelayMs}) after failure {@code n}, reduced by a random fraction of up to {@code jitter}.
 *
 * @param maxAttempts total requests per page, at least 1 (1 = no retry)
 * @param initialDelayMs wait after the first failure, in ms
 * @param maxDelayMs the longest wait, in ms
 * @param jitter in {@code [0, 1]}: each wait is multiplied by a random factor in {@code [1 - jitter, 1]}
 */
public record RetryPolicy(int maxAttempts, long initialDelayMs, long maxDelayMs, double jitter) {

    /** Five attempts, waiting about 0.5 s, 1 s, 2 s, 4 s (with up to 50 % jitter). */
    public static final RetryPolicy DEFAULT = new RetryPolicy(5, 500, 10_000, 0.5);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, not " + maxAttempts);
        }
        if (initialDelayMs < 0 || maxDelayMs < initialDelayMs) {
            throw new IllegalArgumentException("need 0 <= initialDelayMs <= maxDelayMs");
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("jitter must be in [0, 1], not " + jitter);
        }
    }

    /**
     * The wait after failed attempt {@code attempt} (1-based).
     *
     * @param random a source of uniform numbers in {@code [0, 1)}
     */
    public long delayMs(int attempt, DoubleSupplier random) {
        double base = initialDelayMs * Math.pow(2, Math.max(0, attempt - 1));
        double capped = Math.min(base, maxDelayMs);
        return Math.round(capped * (1 - jitter * random.getAsDouble()));
    }

    /** Waits between attempts; tests replace it to run without real delays. */
    @FunctionalInterface
    public interface Sleeper {
        /** The real sleeper, {@link Thread#sleep(long)}. */
        Sleeper THREAD = Thread::sleep;

        void sleep(long millis) throws InterruptedException;
    }
}
