package io.distill4j.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.KlineSeries;
import io.distill4j.data.features.FeatureEngineer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SyntheticMarketTest {
    private static final SyntheticConfig CONFIG = new SyntheticConfig(20_000, 7, 300_000);

    @Test
    void sameSeedIsBitIdenticalDifferentSeedDiffers() {
        SyntheticSeries a = SyntheticMarket.generate(CONFIG);
        SyntheticSeries b = SyntheticMarket.generate(CONFIG);
        SyntheticSeries c = SyntheticMarket.generate(new SyntheticConfig(20_000, 8, 300_000));
        assertArrayEquals(a.series().close(), b.series().close(), 0.0);
        assertArrayEquals(a.series().high(), b.series().high(), 0.0);
        assertArrayEquals(a.series().volume(), b.series().volume(), 0.0);
        assertArrayEquals(a.regimes(), b.regimes());
        assertFalse(Arrays.equals(a.series().close(), c.series().close()));
    }

    @Test
    void barsAreConsistentAndEvenlySpaced() {
        KlineSeries s = SyntheticMarket.generate(CONFIG).series();
        assertEquals(20_000, s.size());
        assertEquals(300_000, s.intervalMs());
        for (int i = 0; i < s.size(); i++) {
            assertTrue(s.low()[i] > 0, "positive prices");
            assertTrue(s.high()[i] >= Math.max(s.open()[i], s.close()[i]), "high at " + i);
            assertTrue(s.low()[i] <= Math.min(s.open()[i], s.close()[i]), "low at " + i);
            assertTrue(s.volume()[i] > 0, "volume at " + i);
            if (i > 0) {
                assertEquals(300_000, s.timeMs()[i] - s.timeMs()[i - 1]);
                assertEquals(s.close()[i - 1], s.open()[i], 1e-9 * s.close()[i - 1]);
            }
        }
    }

    @Test
    void regimeFrequenciesAreSaneAndRegimesPersist() {
        SyntheticSeries g = SyntheticMarket.generate(CONFIG);
        double[] f = g.regimeFrequencies();
        for (Regime r : Regime.values()) {
            assertTrue(f[r.ordinal()] > 0.04 && f[r.ordinal()] < 0.5, r + " frequency " + f[r.ordinal()]);
        }
        int switches = 0;
        for (int i = 1; i < g.regimes().length; i++) {
            if (g.regimes()[i] != g.regimes()[i - 1]) {
                switches++;
            }
        }
        assertTrue(switches > 40 && switches < 250, "switches " + switches);
        System.out.println("SyntheticMarket regime frequencies " + Arrays.toString(f) + ", switches " + switches);
    }

    @Test
    void volumeFollowsVolatility() {
        SyntheticSeries g = SyntheticMarket.generate(CONFIG);
        double turbulent = meanVolume(g, Regime.TURBULENT);
        double calm = meanVolume(g, Regime.CALM_MOMENTUM);
        assertTrue(turbulent > 2 * calm, "turbulent volume " + turbulent + " vs calm " + calm);
    }

    private static double meanVolume(SyntheticSeries g, Regime r) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < g.regimes().length; i++) {
            if (g.regimes()[i] == r) {
                sum += g.series().volume()[i];
                n++;
            }
        }
        return sum / n;
    }

    @Test
    void tenBarMoveContinuesInCalmAndRevertsWhenChoppyButNotOnAverage() {
        SyntheticSeries g = SyntheticMarket.generate(CONFIG);
        double[][] f = FeatureEngineer.compute(g.series());
        double[] close = g.series().close();
        int h = 6;
        int[] agree = new int[Regime.values().length];
        int[] total = new int[agree.length];
        int allAgree = 0;
        int all = 0;
        for (int i = 20; i + h < close.length; i++) {
            double fwd = Math.log(close[i + h] / close[i]);
            Regime r = g.regimes()[i];
            boolean momentum = Math.signum(f[i][3]) == Math.signum(fwd); // ret_10
            allAgree += momentum ? 1 : 0;
            all++;
            if (r == g.regimes()[i + h]) {
                total[r.ordinal()]++;
                agree[r.ordinal()] += momentum ? 1 : 0;
            }
        }
        double calm = (double) agree[Regime.CALM_MOMENTUM.ordinal()] / total[Regime.CALM_MOMENTUM.ordinal()];
        double choppy = (double) agree[Regime.CHOPPY_REVERSAL.ordinal()] / total[Regime.CHOPPY_REVERSAL.ordinal()];
        double turbulent = (double) agree[Regime.TURBULENT.ordinal()] / total[Regime.TURBULENT.ordinal()];
        double pooled = (double) allAgree / all;
        System.out.printf("ret_10 sign agreement with the 6-bar forward return: calm %.3f, choppy %.3f, turbulent "
                + "%.3f, all bars %.3f%n", calm, choppy, turbulent, pooled);
        assertTrue(calm > 0.55, "momentum when calm: " + calm);
        assertTrue(choppy < 0.45, "reversal when choppy: " + choppy);
        assertTrue(Math.abs(pooled - 0.5) < 0.03, "no momentum or reversal on average: " + pooled);
    }
}
