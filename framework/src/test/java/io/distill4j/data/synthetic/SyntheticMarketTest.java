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

    /**
     * The design: in a calm regime the drift follows {@code +sin(1.6 z20)} of the 20-bar move LEAD bars earlier, in a
     * choppy one {@code -sin(1.6 z20)}, so the sign of the 6-bar forward return agrees with {@code sin(1.6 z20)} at
     * the sample's bar more often than not when calm, less often when choppy.
     */
    @Test
    void theResponseToTheTwentyBarMoveTurnsWithTheRegime() {
        SyntheticSeries g = SyntheticMarket.generate(CONFIG);
        double[] close = g.series().close();
        int h = 6;
        int[] agree = new int[Regime.values().length];
        int[] total = new int[agree.length];
        for (int i = 20; i + h < close.length; i++) {
            Regime r = g.regimes()[i];
            if (r != g.regimes()[i + h]) {
                continue;
            }
            double z20 = Math.log(close[i] / close[i - 20]) / (SyntheticMarket.SIGMA[r.ordinal()] * Math.sqrt(20));
            double fwd = Math.log(close[i + h] / close[i]);
            total[r.ordinal()]++;
            agree[r.ordinal()] += Math.signum(Math.sin(1.6 * z20)) == Math.signum(fwd) ? 1 : 0;
        }
        double calm = (double) agree[Regime.CALM_MOMENTUM.ordinal()] / total[Regime.CALM_MOMENTUM.ordinal()];
        double choppy = (double) agree[Regime.CHOPPY_REVERSAL.ordinal()] / total[Regime.CHOPPY_REVERSAL.ordinal()];
        double turbulent = (double) agree[Regime.TURBULENT.ordinal()] / total[Regime.TURBULENT.ordinal()];
        System.out.printf("sin(1.6 z20) sign agreement with the 6-bar forward return: calm %.3f, choppy %.3f, "
                + "turbulent %.3f%n", calm, choppy, turbulent);
        assertTrue(calm > 0.6, "calm: " + calm);
        assertTrue(choppy < 0.4, "choppy: " + choppy);
        assertTrue(Math.abs(turbulent - 0.5) < Math.abs(calm - 0.5), "turbulent weaker: " + turbulent);
    }

    /**
     * The drift formula of the documentation, recomputed from the closes and regimes alone: bar {@code j}'s drift is
     * {@code sigma_j (R sin(1.6 z20) + 0.8 tanh(3 z5) tanh(3 z10) tanh(3 z20))} at bar {@code k = j - 6}, with
     * {@code zm = ln(close[k] / close[k - m]) / (sigma_k sqrt(m))}.
     */
    @Test
    void driftIsTheDocumentedFunctionOfTheMovesSixBarsEarlier() {
        SyntheticSeries g = SyntheticMarket.generate(CONFIG);
        double[] close = g.series().close();
        double[] sigma = {0.0016, 0.0030, 0.0050};
        double[] response = {1, -1, 0};
        int checked = 0;
        for (int j = 26; j < close.length; j += 7) {
            int k = j - 6;
            int regime = g.regimes()[k].ordinal();
            double s = sigma[regime];
            double z20 = Math.log(close[k] / close[k - 20]) / (s * Math.sqrt(20));
            double z10 = Math.log(close[k] / close[k - 10]) / (s * Math.sqrt(10));
            double z5 = Math.log(close[k] / close[k - 5]) / (s * Math.sqrt(5));
            double expected = sigma[g.regimes()[j].ordinal()] * (response[regime] * Math.sin(1.6 * z20)
                    + 0.8 * Math.tanh(3 * z5) * Math.tanh(3 * z10) * Math.tanh(3 * z20));
            assertEquals(expected, g.drift()[j], 1e-9 * sigma[2], "drift of bar " + j);
            checked++;
        }
        assertTrue(checked > 2_000);
        assertEquals(0, g.drift()[SyntheticMarket.LEAD - 1], 0.0, "no drift before the first state sets one");
    }

    /**
     * The sign-agreement term: in turbulence ({@code R = 0}) the drift is {@code 0.8 sigma} times the product of the
     * signs of the 5-, 10- and 20-bar moves (softened by tanh), so three moves that agree continue: trends sustain
     * themselves, and most turbulent samples are inside one.
     */
    @Test
    void inTurbulenceMovesThatAgreeContinue() {
        SyntheticSeries g = SyntheticMarket.generate(new SyntheticConfig(60_000, 11, 300_000));
        double[] close = g.series().close();
        int[] agree = new int[2];
        int[] total = new int[2];
        for (int i = 20; i + 6 < close.length; i++) {
            if (g.regimes()[i] != Regime.TURBULENT || g.regimes()[i + 6] != Regime.TURBULENT) {
                continue;
            }
            double fwd = Math.signum(Math.log(close[i + 6] / close[i]));
            double s5 = Math.signum(Math.log(close[i] / close[i - 5]));
            double s10 = Math.signum(Math.log(close[i] / close[i - 10]));
            double s20 = Math.signum(Math.log(close[i] / close[i - 20]));
            int mixed = s5 == s10 && s10 == s20 ? 0 : 1;
            agree[mixed] += s5 * s10 * s20 == fwd ? 1 : 0;
            total[mixed]++;
        }
        double same = (double) agree[0] / total[0];
        double mixed = (double) agree[1] / total[1];
        System.out.printf("turbulence: the sign product agrees with the 6-bar forward return on %.3f of %d samples whose"
                + " moves agree, %.3f of %d whose moves disagree%n", same, total[0], mixed, total[1]);
        assertTrue(total[0] > total[1], "most turbulent samples are inside a trend: " + total[0] + " vs " + total[1]);
        assertTrue(same > 0.8, "moves agree: " + same);
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
