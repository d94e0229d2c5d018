package io.distill4j.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.data.KlineSeries;
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
        double hv = meanVolume(g, Regime.HIGH_VOLATILITY);
        double mr = meanVolume(g, Regime.MEAN_REVERSION);
        assertTrue(hv > 2 * mr, "high-vol volume " + hv + " vs mean-reversion " + mr);
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
    void featuresCarrySignalAboutTheForwardReturn() {
        SyntheticSeries g = SyntheticMarket.generate(CONFIG);
        double[][] f = FeatureEngineer.compute(g.series());
        double[] close = g.series().close();
        int h = 12;
        int trendAgree = 0;
        int trendTotal = 0;
        int mrAgree = 0;
        int mrTotal = 0;
        int hvAgree = 0;
        int hvTotal = 0;
        for (int i = 20; i + h < close.length; i++) {
            double fwd = Math.log(close[i + h] / close[i]);
            Regime r = g.regimes()[i];
            if (r != g.regimes()[i + h]) {
                continue;
            }
            boolean momentum = Math.signum(f[i][2]) == Math.signum(fwd); // ret_5
            boolean reversion = Math.signum(f[i][9]) == -Math.signum(fwd); // sma_ratio_20
            if (r == Regime.TREND_UP || r == Regime.TREND_DOWN) {
                trendTotal++;
                trendAgree += momentum ? 1 : 0;
            } else if (r == Regime.MEAN_REVERSION) {
                mrTotal++;
                mrAgree += reversion ? 1 : 0;
            } else {
                hvTotal++;
                hvAgree += momentum ? 1 : 0;
            }
        }
        double trend = (double) trendAgree / trendTotal;
        double mr = (double) mrAgree / mrTotal;
        double hv = (double) hvAgree / hvTotal;
        System.out.printf("sign agreement: trend ret_5 %.3f, mean-reversion -sma_ratio_20 %.3f, high-vol ret_5 %.3f%n",
                trend, mr, hv);
        assertTrue(trend > 0.53, "momentum signal in trends: " + trend);
        assertTrue(mr > 0.56, "reversion signal in mean reversion: " + mr);
        assertTrue(Math.abs(hv - 0.5) < 0.06, "no signal in high volatility: " + hv);
    }
}
