package io.distill4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The moving-block bootstrap: block length rule, reproducibility, and coverage on block-correlated series. */
class BlockBootstrapTest {
    @Test
    void blockLengthIsTheLargerOfHorizonAndCubeRoot() {
        assertEquals(19, BlockBootstrap.blockLength(6000, 6)); // cbrt(6000) = 18.17
        assertEquals(10, BlockBootstrap.blockLength(1000, 6)); // cbrt(1000) = 10 exactly
        assertEquals(24, BlockBootstrap.blockLength(1000, 24));
        assertEquals(3, BlockBootstrap.blockLength(3, 6)); // never longer than the series
        assertThrows(IllegalArgumentException.class, () -> BlockBootstrap.blockLength(0, 6));
    }

    @Test
    void reproducibleWithTheSameSeed() {
        double[] x = new SplittableRandom(1).doubles(500).toArray();
        var a = BlockBootstrap.meanInterval(x, 8, 11);
        assertEquals(a, BlockBootstrap.meanInterval(x, 8, 11));
        assertNotEquals(a, BlockBootstrap.meanInterval(x, 8, 12));
        assertEquals(Arrays.stream(x).average().orElseThrow(), a.estimate(), 1e-12);
        assertTrue(a.lower() < a.estimate() && a.estimate() < a.upper(), a.toString());
        assertEquals(BlockBootstrap.RESAMPLES, a.resamples());
    }

    @Test
    void degenerateCases() {
        double[] constant = new double[100];
        Arrays.fill(constant, 0.25);
        var c = BlockBootstrap.meanInterval(constant, 7, 3);
        assertEquals(0.25, c.lower(), 1e-12);
        assertEquals(0.25, c.upper(), 1e-12);
        // one block spanning the series: every resample is the series itself
        double[] x = {1, 0, 0, 1, 1};
        var whole = BlockBootstrap.meanInterval(x, 5, 3);
        assertEquals(0.6, whole.lower(), 1e-12);
        assertEquals(0.6, whole.upper(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> BlockBootstrap.meanInterval(x, 6, 3));
        assertThrows(IllegalArgumentException.class, () -> BlockBootstrap.meanInterval(new double[0], 1, 3));
    }

    /** Runs of {@code run} equal values (+1 or -1 with probability 1/2): true mean 0, strongly correlated. */
    private static double[] runs(int n, int run, SplittableRandom random) {
        double[] x = new double[n];
        for (int i = 0; i < n; i += run) {
            double v = random.nextBoolean() ? 1 : -1;
            for (int j = i; j < Math.min(n, i + run); j++) {
                x[j] = v;
            }
        }
        return x;
    }

    @Test
    void blocksAsLongAsTheCorrelationKeepNominalCoverage() {
        // With runs of 10, the standard error of the mean is sqrt(10) times the i.i.d. one. Blocks of 10 cover the
        // true mean close to 95% of the time (see the widths below); blocks of 1 (an i.i.d. bootstrap) give
        // intervals sqrt(10) too narrow and cover it only about 47% of the time (P(|Z| < 1.96 / sqrt(10))).
        SplittableRandom random = new SplittableRandom(2026);
        int reps = 200;
        int blocked = 0;
        int iid = 0;
        double blockedWidth = 0;
        double iidWidth = 0;
        for (int r = 0; r < reps; r++) {
            double[] x = runs(1000, 10, random);
            var b = BlockBootstrap.meanInterval(x, 10, 500, 0.95, r);
            var i = BlockBootstrap.meanInterval(x, 1, 500, 0.95, r);
            blocked += b.lower() <= 0 && 0 <= b.upper() ? 1 : 0;
            iid += i.lower() <= 0 && 0 <= i.upper() ? 1 : 0;
            blockedWidth += b.upper() - b.lower();
            iidWidth += i.upper() - i.lower();
        }
        assertTrue(blocked >= 0.82 * reps, "blocked coverage " + blocked + "/" + reps);
        assertTrue(iid <= 0.65 * reps, "i.i.d. coverage " + iid + "/" + reps);
        // Widths by hand. The true 95% width of the mean is 2 * 1.96 * sqrt(10 / 1000) = 0.392. A moving block of 10
        // starting at offset o inside a run spans (10 - o) values of one run and o of the next, so its sum has
        // variance (10 - o)^2 + o^2, 67 on average over o = 0..9 instead of 100: the bootstrap width is
        // 0.392 * sqrt(0.67) = 0.321 (the known downward bias of moving blocks; expected coverage
        // P(|Z| < 1.96 * 0.819) = 0.89). Blocks of 1 see i.i.d. +-1 values: 0.392 / sqrt(10) = 0.124.
        assertEquals(0.321, blockedWidth / reps, 0.02);
        assertEquals(0.124, iidWidth / reps, 0.01);
    }
}
