package io.distill4j.data.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The cross-timeframe alignment never uses a fine bar that closes after the coarse bar's close. */
class TimeAlignmentTest {
    private static final long MIN = 60_000;

    @Test
    void handExample() {
        // fine samples open at minutes 0..9 (1m); coarse bars open at 0 and 5 (5m), closing at 5 and 10
        long[] fine = new long[10];
        Arrays.setAll(fine, i -> i * MIN);
        // the bar [0, 5) closes at 5: the latest fine sample known then opened at 4 (closes at 5)
        assertEquals(4, TimeAlignment.align(0, 5 * MIN, fine, MIN));
        assertEquals(9, TimeAlignment.align(5 * MIN, 5 * MIN, fine, MIN));
        // minutes 3 and 4 missing: minute 2's sample (closing at 3) is still inside the coarse bar
        long[] gap = {0, MIN, 2 * MIN, 5 * MIN};
        assertEquals(2, TimeAlignment.align(0, 5 * MIN, gap, MIN));
        // minutes 0..4 missing before minute 5: nothing closes inside [0, 5]
        assertEquals(-1, TimeAlignment.align(0, 5 * MIN, new long[] {5 * MIN, 6 * MIN}, MIN));
        // the last fine sample closed before the coarse bar opened: stale
        assertEquals(-1, TimeAlignment.align(10 * MIN, 5 * MIN, fine, MIN));
        // equal intervals: the sample of the same bar
        assertArrayEquals(new int[] {0, 1, -1}, TimeAlignment.alignAll(new long[] {0, 5 * MIN, 20 * MIN}, 5 * MIN,
                new long[] {0, 5 * MIN, 10 * MIN}, 5 * MIN));
    }

    /**
     * For random series with gaps and several interval ratios: every aligned fine sample's inputs end at or before
     * the coarse bar's close and after its open, it is the latest such sample, and -1 means there is none (checked
     * by brute force over all fine samples).
     */
    @Test
    void neverLaterThanTheCoarseCloseAndAlwaysTheLatest() {
        Random rnd = new Random(19);
        for (int round = 0; round < 300; round++) {
            long fineMs = (1 + rnd.nextInt(3)) * MIN;
            long coarseMs = fineMs * (1 + rnd.nextInt(6));
            long[] fine = series(rnd, 50 + rnd.nextInt(300), fineMs, rnd.nextDouble() * 0.3);
            long[] coarse = series(rnd, 10 + rnd.nextInt(80), coarseMs, rnd.nextDouble() * 0.3);
            for (long t : coarse) {
                int k = TimeAlignment.align(t, coarseMs, fine, fineMs);
                int expected = -1;
                for (int j = 0; j < fine.length; j++) {
                    long inputsEnd = fine[j] + fineMs;
                    if (inputsEnd <= t + coarseMs && inputsEnd > t) {
                        expected = j;
                    }
                }
                assertEquals(expected, k, "coarse bar at " + t);
                if (k >= 0) {
                    assertTrue(fine[k] + fineMs <= t + coarseMs, "a later fine bar was used");
                    assertTrue(k == fine.length - 1 || fine[k + 1] + fineMs > t + coarseMs, "not the latest");
                }
            }
        }
    }

    /** Ascending open times on a grid of {@code step}, starting at a random offset, each bar missing with {@code p}. */
    private static long[] series(Random rnd, int n, long step, double p) {
        long[] out = new long[n];
        int m = 0;
        long t = rnd.nextInt(20) * MIN;
        for (int i = 0; i < n; i++, t += step) {
            if (rnd.nextDouble() >= p) {
                out[m++] = t;
            }
        }
        return Arrays.copyOf(out, m);
    }
}
