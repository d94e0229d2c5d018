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

    /** {@code z20} of bar {@code k} as documented: the 20-bar log return over {@code sigma sqrt(20)} of its regime. */
    private static double z20(SyntheticSeries g, int k) {
        double[] close = g.series().close();
        return Math.log(close[k] / close[k - 20]) / (SyntheticMarket.SIGMA[g.regimes()[k].ordinal()] * Math.sqrt(20));
    }

    /**
     * The design: in a calm regime the drift LEAD bars later follows {@code +sin(1.6 z20)}, in a choppy one
     * {@code -sin(1.6 z20)}, z20 recomputed here from the closes. Counted over bars where the 20-bar term dominates
     * the volume-confirmation term ({@code |sin| > 0.6}, the confirmation term is at most 0.5).
     */
    @Test
    void theDriftFollowsTheTwentyBarMoveWithTheRegimesSign() {
        SyntheticSeries g = SyntheticMarket.generate(CONFIG);
        int[] agree = new int[Regime.values().length];
        int[] total = new int[agree.length];
        for (int k = 20; k + SyntheticMarket.LEAD < g.drift().length; k++) {
            double sin = Math.sin(1.6 * z20(g, k));
            if (Math.abs(sin) <= 0.6) {
                continue;
            }
            int r = g.regimes()[k].ordinal();
            total[r]++;
            agree[r] += Math.signum(sin) == Math.signum(g.drift()[k + SyntheticMarket.LEAD]) ? 1 : 0;
        }
        double calm = (double) agree[Regime.CALM_MOMENTUM.ordinal()] / total[Regime.CALM_MOMENTUM.ordinal()];
        double choppy = (double) agree[Regime.CHOPPY_REVERSAL.ordinal()] / total[Regime.CHOPPY_REVERSAL.ordinal()];
        double turbulent = (double) agree[Regime.TURBULENT.ordinal()] / total[Regime.TURBULENT.ordinal()];
        System.out.printf("sign agreement of sin(1.6 z20) with the drift %d bars later: calm %.3f, choppy %.3f, "
                + "turbulent %.3f%n", SyntheticMarket.LEAD, calm, choppy, turbulent);
        assertTrue(calm > 0.8, "calm: " + calm);
        assertTrue(choppy < 0.2, "choppy: " + choppy);
        assertTrue(Math.abs(turbulent - 0.5) < 0.2, "turbulent: no regime term: " + turbulent);
    }

    /**
     * The drift is small against the noise (at most {@code 1.5 DRIFT_SCALE} noise units), so that trading figures stay
     * plausible.
     */
    @Test
    void theDriftIsSmallAgainstTheNoise() {
        SyntheticSeries g = SyntheticMarket.generate(CONFIG);
        double max = 0;
        double sumAbs = 0;
        for (int j = 0; j < g.drift().length; j++) {
            double ratio = Math.abs(g.drift()[j]) / g.noise()[j];
            max = Math.max(max, ratio);
            sumAbs += ratio;
        }
        System.out.printf("|drift| / noise: mean %.4f, max %.4f%n", sumAbs / g.drift().length, max);
        assertTrue(max <= 1.5 * SyntheticMarket.DRIFT_SCALE + 1e-12, "max " + max);
    }

    /**
     * The volatility LEAD bars ahead swings with the 20-bar move in every regime: its log multiplier (exposed noise
     * over the regime's sigma) is {@code VOL_SCALE (0.6 cos(f z20) + 0.4 q sin(f z20))}, so where
     * {@code cos(f z20) > 0.9} it exceeds the mean where {@code cos(f z20) < -0.9} by about {@code 1.9 0.6 VOL_SCALE}
     * (both averages of {@code |cos|} are about 0.95; the participation term averages out).
     */
    @Test
    void theVolatilityAheadSwingsWithTheTwentyBarMoveInEveryRegime() {
        SyntheticSeries g = SyntheticMarket.generate(CONFIG);
        int regimes = Regime.values().length;
        double[] high = new double[regimes];
        double[] low = new double[regimes];
        int[] nHigh = new int[regimes];
        int[] nLow = new int[regimes];
        for (int k = 20; k + SyntheticMarket.LEAD < g.noise().length; k++) {
            int j = k + SyntheticMarket.LEAD;
            int r = g.regimes()[k].ordinal();
            double logMult = Math.log(g.noise()[j] / SyntheticMarket.SIGMA[g.regimes()[j].ordinal()]);
            double cos = Math.cos(SyntheticMarket.VOL_FREQUENCY * z20(g, k));
            if (cos > 0.9) {
                high[r] += logMult;
                nHigh[r]++;
            } else if (cos < -0.9) {
                low[r] += logMult;
                nLow[r]++;
            }
        }
        double expected = 1.9 * SyntheticMarket.VOL_SCALE * 0.6;
        for (int r = 0; r < regimes; r++) {
            double diff = high[r] / nHigh[r] - low[r] / nLow[r];
            System.out.printf("%s: log volatility multiplier %.3f where cos(f z20) > 0.9, %.3f where < -0.9%n",
                    Regime.values()[r], high[r] / nHigh[r], low[r] / nLow[r]);
            assertEquals(expected, diff, 0.15 * SyntheticMarket.VOL_SCALE, Regime.values()[r] + " diff " + diff);
        }
    }

    /** Each bar's log return, minus its exposed drift, over its exposed noise, is standard normal. */
    @Test
    void returnsFollowTheExposedLaw() {
        SyntheticSeries g = SyntheticMarket.generate(CONFIG);
        double[] close = g.series().close();
        int n = close.length - 1;
        double sum = 0;
        double sumSq = 0;
        for (int j = 1; j < close.length; j++) {
            double z = (Math.log(close[j] / close[j - 1]) - g.drift()[j]) / g.noise()[j];
            sum += z;
            sumSq += z * z;
        }
        double mean = sum / n;
        double sd = Math.sqrt(sumSq / n - mean * mean);
        assertEquals(0, mean, 0.03);
        assertEquals(1, sd, 0.03);
    }

    /** The class probabilities against a separate computation: the normal law integrated by Simpson's rule. */
    @Test
    void classProbabilitiesAgreeWithNumericalIntegration() {
        SyntheticSeries g = SyntheticMarket.generate(CONFIG);
        double threshold = 0.004;
        for (int bar : new int[] {100, 5_000, 12_345, 19_990}) {
            for (int h = 1; h <= SyntheticMarket.LEAD; h++) {
                double mean = 0;
                double variance = 0;
                for (int j = bar + 1; j <= bar + h; j++) {
                    mean += g.drift()[j];
                    variance += g.noise()[j] * g.noise()[j];
                }
                double sd = Math.sqrt(variance);
                double sell = integrate(mean, sd, mean - 12 * sd, -threshold);
                double buy = integrate(mean, sd, threshold, mean + 12 * sd);
                double[] p = g.classProbabilities(bar, h, threshold);
                assertEquals(sell, p[0], 1e-9, "sell at bar " + bar + ", h " + h);
                assertEquals(1 - sell - buy, p[1], 1e-9);
                assertEquals(buy, p[2], 1e-9);
            }
        }
    }

    /** Simpson's rule over the normal density on [a, b] (0 when b < a). */
    private static double integrate(double mean, double sd, double a, double b) {
        if (b <= a) {
            return 0;
        }
        int steps = 20_000;
        double w = (b - a) / steps;
        double total = 0;
        for (int k = 0; k <= steps; k++) {
            double x = a + k * w;
            double f = Math.exp(-0.5 * Math.pow((x - mean) / sd, 2)) / (sd * Math.sqrt(2 * Math.PI));
            total += f * (k == 0 || k == steps ? 1 : k % 2 == 1 ? 4 : 2);
        }
        return total * w / 3;
    }

    /** The exposed probabilities are those the labels are drawn from: calibrated, and their argmax is optimal. */
    @Test
    void trueProbabilitiesAreCalibratedAgainstTheRealisedLabels() {
        SyntheticSeries g = SyntheticMarket.generate(CONFIG);
        double[] close = g.series().close();
        int h = 6;
        double threshold = 0.004;
        int n = close.length - h - 20;
        double[][] p = new double[n][];
        int[] labels = new int[n];
        double[] meanP = new double[3];
        double[] freq = new double[3];
        for (int k = 0; k < n; k++) {
            int bar = 20 + k;
            p[k] = g.classProbabilities(bar, h, threshold);
            labels[k] = io.distill4j.data.features.Labels.classify(io.distill4j.data.features.Labels.forwardReturn(
                    close, bar, h), threshold);
            for (int c = 0; c < 3; c++) {
                meanP[c] += p[k][c] / n;
            }
            freq[labels[k]] += 1.0 / n;
        }
        assertArrayEquals(freq, meanP, 0.01);
        var calibration = io.distill4j.eval.Calibration.of(p, labels);
        assertTrue(calibration.ece() < 0.02, "ECE of the true probabilities " + calibration.ece());
        var optimum = io.distill4j.eval.KnownOptimum.of(p, labels);
        assertEquals(optimum.expectedAccuracy(), optimum.accuracy(), 0.015);
        System.out.println("true probabilities on " + n + " bars: " + optimum + ", ECE " + calibration.ece());
    }

    @Test
    void horizonsBeyondTheLeadHaveNoExactProbabilities() {
        SyntheticSeries g = SyntheticMarket.generate(CONFIG);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> g.classProbabilities(100, SyntheticMarket.LEAD + 1, 0.001));
    }
}
