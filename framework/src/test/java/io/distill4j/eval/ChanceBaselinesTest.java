package io.distill4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Majority class and persistence on a hand-made series; expected classes worked out by hand below. */
class ChanceBaselinesTest {
    private static final long MINUTE = 60_000;
    //                                    bar: 0    1    2    3    4   5   6   7
    private static final double[] CLOSE = {100, 101, 102, 100, 97, 97, 98, 100};

    private static long[] times(long... t) {
        return t;
    }

    @Test
    void persistenceClassifiesThePastHorizonMove() {
        // horizon 2, threshold 0.01; past return ln(close[i] / close[i-2]):
        // bar 2: ln(102/100) = +0.0198 -> buy; bar 3: ln(100/101) = -0.00995 -> hold; bar 4: ln(97/102) = -0.0503
        // -> sell; bar 5: ln(97/100) = -0.0305 -> sell; bar 6: ln(98/97) = +0.0103 -> buy; bar 7: ln(100/97) =
        // +0.0305 -> buy; bar 1 has no bar 1 - 2: hold
        long[] t = times(0, 1, 2, 3, 4, 5, 6, 7);
        for (int i = 0; i < t.length; i++) {
            t[i] *= MINUTE;
        }
        int[] p = ChanceBaselines.persistence(CLOSE, t, MINUTE, new int[] {1, 2, 3, 4, 5, 6, 7}, 2, 0.01);
        assertArrayEquals(new int[] {1, 2, 1, 0, 0, 2, 2}, p);
        // a wider threshold turns the small moves into holds: only |r| > 0.03 counts (bars 4, 5, 7)
        assertArrayEquals(new int[] {1, 1, 1, 0, 0, 1, 2},
                ChanceBaselines.persistence(CLOSE, t, MINUTE, new int[] {1, 2, 3, 4, 5, 6, 7}, 2, 0.03));
    }

    @Test
    void noMoveAcrossAGap() {
        // bars 6 and 7 come after a missing minute: 6 - 2 and 7 - 2 are not 2 bars earlier, so hold
        long[] t = times(0, 1, 2, 3, 4, 5, 7, 8);
        for (int i = 0; i < t.length; i++) {
            t[i] *= MINUTE;
        }
        assertArrayEquals(new int[] {2, 1, 0, 0, 1, 1},
                ChanceBaselines.persistence(CLOSE, t, MINUTE, new int[] {2, 3, 4, 5, 6, 7}, 2, 0.01));
    }

    @Test
    void majorityClassOfTrain() {
        assertEquals(2, ChanceBaselines.majorityClass(new int[] {1, 2, 2, 0, 2, 1}));
        assertEquals(0, ChanceBaselines.majorityClass(new int[] {0, 1, 1, 0})); // tie: lowest class
        assertThrows(IllegalArgumentException.class, () -> ChanceBaselines.majorityClass(new int[0]));
        assertThrows(IllegalArgumentException.class, () -> ChanceBaselines.majorityClass(new int[] {3}));
    }

    @Test
    void metricsOfHardPredictions() {
        // predicted {2, 2, 2}, labels {2, 0, 2}: accuracy 2/3; F1 buy = 2*2/(2*2+1+0) = 0.8, sell 0, hold 0 -> 0.8/3
        var m = ChanceBaselines.metrics(new int[] {2, 2, 2}, new int[] {2, 0, 2});
        assertEquals(2.0 / 3, m.accuracy(), 1e-12);
        assertEquals(0.8 / 3, m.macroF1(), 1e-12);
    }

    @Test
    void classFractions() {
        assertArrayEquals(new double[] {0.25, 0.25, 0.5}, ChanceBaselines.classFractions(new int[] {0, 1, 2, 2}),
                1e-12);
    }
}
