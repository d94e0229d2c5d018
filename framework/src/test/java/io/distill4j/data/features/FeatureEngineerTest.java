package io.distill4j.data.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.KlineSeries;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FeatureEngineerTest {
    private static final double[] CLOSE = {100, 101, 100.5, 102, 101, 103, 102.5, 104, 103, 102, 103.5, 105, 104, 106,
        105.5, 107, 106, 108, 107.5, 109, 108, 110, 109.5};
    private static final double[] VOLUME = {10, 12, 8, 15, 9, 11, 0, 13, 10, 14, 9, 12, 10, 11, 8, 16, 10, 12, 9, 14,
        20, 0, 11};

    static KlineSeries series(long[] time, double[] close, double[] volume) {
        int n = close.length;
        double[] open = new double[n];
        double[] high = new double[n];
        double[] low = new double[n];
        double[] turnover = new double[n];
        for (int i = 0; i < n; i++) {
            open[i] = i == 0 ? close[0] : close[i - 1];
            high[i] = close[i] + 1.5;
            low[i] = close[i] - 1;
            turnover[i] = Double.NaN;
        }
        return new KlineSeries("test", time, open, high, low, close, volume, turnover);
    }

    static long[] times(int n, long step) {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = i * step;
        }
        return t;
    }

    @Test
    void goldenValuesOnAHandmadeSeries() {
        double[][] f = FeatureEngineer.compute(series(times(23, 60_000), CLOSE, VOLUME));
        assertEquals(12, FeatureEngineer.NAMES.size());
        for (int i = 0; i < 20; i++) {
            assertTrue(Arrays.stream(f[i]).allMatch(Double::isNaN), "warm-up row " + i);
        }
        // Independently computed (straightforward re-implementation of the definitions, by hand-checked script).
        double[] row20 = {-0.009216655104923952, 0.0, 0.00930239266231341, 0.0425596144187959, 0.0769610411361284,
            0.012640508227126184, 0.01210505542081719, 0.02931141328736575, 0.023148148148148147, 0.03423509695954041,
            0.3206422288787052, 0.5799019619998884};
        double[] row21 = {0.018349138668196617, 0.02298951822469878, 0.037041271680349076, 0.04652001563489291,
            0.08535984895115685, 0.013048703856621357, 0.012468131324652595, 0.04624168889222813,
            0.022727272727272728, 0.04886769964243154, 0.3979168903490571, -4.615120516831874};
        double[] row22 = {-0.004555816535860691, 0.0045766670274118935, 0.01379332213233577, 0.05153365011518288,
            0.0857668217574251, 0.012527474688529916, 0.012452595728202029, 0.037539387946366354,
            0.0228310502283105, 0.03963921196297182, 0.35637901139112294, 0.02738146786395196};
        assertArrayEquals(row20, f[20], 1e-12);
        assertArrayEquals(row21, f[21], 1e-12);
        assertArrayEquals(row22, f[22], 1e-12);
        // a few by hand: ret_1 at 20 = ln(108/109); hl_range at 21 = 2.5/110; ret_3 at 20 = ln(108/108) = 0
        assertEquals(Math.log(108.0 / 109.0), f[20][0], 1e-15);
        assertEquals(2.5 / 110, f[21][8], 1e-15);
        assertEquals(0.0, f[20][1], 0.0);
    }

    @Test
    void geometricSeriesHasClosedFormFeatures() {
        int n = 25;
        double[] close = new double[n];
        double[] volume = new double[n];
        for (int i = 0; i < n; i++) {
            close[i] = 100 * Math.exp(0.01 * i);
            volume[i] = 10;
        }
        double[][] f = FeatureEngineer.compute(series(times(n, 1000), close, volume));
        double[] r = f[24];
        assertEquals(0.01, r[0], 1e-12);
        assertEquals(0.03, r[1], 1e-12);
        assertEquals(0.05, r[2], 1e-12);
        assertEquals(0.10, r[3], 1e-12);
        assertEquals(0.20, r[4], 1e-12);
        assertEquals(0.0, r[5], 1e-9); // every one-bar return is equal: no volatility
        assertEquals(0.0, r[6], 1e-9);
        // SMA20 / close = mean of exp(-0.01 m), m = 0..19 = (1 - e^-0.2) / (20 (1 - e^-0.01))
        double smaOverClose = (1 - Math.exp(-0.2)) / (20 * (1 - Math.exp(-0.01)));
        assertEquals(1 / smaOverClose - 1, r[9], 1e-12);
        // equal volumes: VWAP = mean typical price = SMA + 1.5/3 - 1/3 offset
        assertEquals(close[24] / (smaOverClose * close[24] + 0.5 / 3) - 1, r[7], 1e-12);
        assertEquals(1.0, r[10], 0.0); // only gains: RSI 100
        assertEquals(0.0, r[11], 1e-12); // volume equal to its mean
    }

    @Test
    void gapsRestartTheWarmUpAndTheRsi() {
        // 23 bars, a missing bar between index 9 and 10: bars 10..22 are a run of 13, too short for any row
        long[] t = times(23, 1000);
        for (int i = 10; i < 23; i++) {
            t[i] += 1000;
        }
        double[][] f = FeatureEngineer.compute(series(t, CLOSE, VOLUME));
        for (double[] row : f) {
            assertTrue(Arrays.stream(row).allMatch(Double::isNaN));
        }
        // A long run after a gap gives exactly the rows of that run computed alone.
        int n = 60;
        double[] close = new double[n];
        double[] vol = new double[n];
        long[] tt = times(n, 1000);
        for (int i = 0; i < n; i++) {
            close[i] = 100 + 5 * Math.sin(i * 0.7) + 0.1 * i;
            vol[i] = 5 + (i * 7) % 11;
            if (i >= 25) {
                tt[i] += 5000;
            }
        }
        double[][] whole = FeatureEngineer.compute(series(tt, close, vol));
        double[][] tail = FeatureEngineer.compute(series(Arrays.copyOfRange(tt, 25, n),
                Arrays.copyOfRange(close, 25, n), Arrays.copyOfRange(vol, 25, n)));
        for (int i = 25; i < 45; i++) {
            assertTrue(Double.isNaN(whole[i][10]), "row " + i + " is inside the warm-up after the gap");
        }
        for (int i = 45; i < n; i++) {
            double[] expected = tail[i - 25].clone();
            // the tail's first bar had open = its own close; open does not enter any feature
            assertArrayEquals(expected, whole[i], 0.0, "row " + i);
        }
        assertTrue(Double.isFinite(whole[20][10]) && Double.isFinite(whole[24][10]));
    }
}
