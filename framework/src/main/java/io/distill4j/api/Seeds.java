package io.distill4j.api;

import java.nio.charset.StandardCharsets;

/**
 * Splits one seed into independent seeds per purpose ({@code student}, {@code shuffle}, ...), so that no two random
 * streams of a trial share a seed and each trial can be replayed alone. Uses SplitMix64 finalisation over the seed
 * and a hash of the purpose.
 */
public final class Seeds {
    private Seeds() {
    }

    /** A seed for {@code purpose} derived from {@code seed}. */
    public static long derive(long seed, String purpose) {
        long h = 0xcbf29ce484222325L;
        for (byte b : purpose.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ b) * 0x100000001b3L;
        }
        return mix(seed * 0x9E3779B97F4A7C15L + h);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
