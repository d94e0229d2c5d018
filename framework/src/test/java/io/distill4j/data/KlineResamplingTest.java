package io.distill4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.distill4j.api.KlineSeries;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class KlineResamplingTest {
    private static final long MIN = 60_000;

    /** 1m bars at minutes 0..4 (complete) and 5, 6, 8, 9 (minute 7 missing) and 10..14 (complete). */
    private static KlineSeries fine() {
        long[] t = {0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14};
        int n = t.length;
        double[] o = new double[n];
        double[] h = new double[n];
        double[] l = new double[n];
        double[] c = new double[n];
        double[] v = new double[n];
        double[] q = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] *= MIN;
            o[i] = 100 + i;
            h[i] = 110 + (i % 3);
            l[i] = 90 - (i % 4);
            c[i] = 101 + i;
            v[i] = i + 1;
            q[i] = 10 * (i + 1);
        }
        return new KlineSeries("fine", t, o, h, l, c, v, q);
    }

    @Test
    void aggregatesCompleteBucketsOnly() {
        KlineSeries coarse = KlineResampling.aggregate(fine(), MIN, 5 * MIN);
        assertArrayEquals(new long[] {0, 10 * MIN}, coarse.timeMs(), "the bucket [5, 10) lacks minute 7");
        // bucket 0: rows 0..4; bucket 10: rows 9..13 (by hand)
        assertArrayEquals(new double[] {100, 109}, coarse.open());
        assertArrayEquals(new double[] {112, 112}, coarse.high());
        assertArrayEquals(new double[] {87, 87}, coarse.low());
        assertArrayEquals(new double[] {105, 114}, coarse.close());
        assertArrayEquals(new double[] {1 + 2 + 3 + 4 + 5, 10 + 11 + 12 + 13 + 14}, coarse.volume());
        assertArrayEquals(new double[] {150, 600}, coarse.turnover());
    }

    @Test
    void rejectsIntervalsThatDoNotNest() {
        assertThrows(IllegalArgumentException.class, () -> KlineResampling.aggregate(fine(), 2 * MIN, 5 * MIN));
        assertThrows(IllegalArgumentException.class, () -> KlineResampling.aggregate(fine(), MIN, MIN));
    }

    @Test
    void restrictKeepsTheHalfOpenWindow() {
        var w = new DataConfig.Window(OptionalLong.of(5 * MIN), OptionalLong.of(10 * MIN));
        assertArrayEquals(new long[] {5 * MIN, 6 * MIN, 8 * MIN, 9 * MIN}, KlineResampling.restrict(fine(), w).timeMs());
        assertEquals(14, KlineResampling.restrict(fine(), DataConfig.Window.ALL).size());
    }
}
