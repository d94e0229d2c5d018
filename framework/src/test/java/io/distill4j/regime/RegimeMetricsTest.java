package io.distill4j.regime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Per-regime metrics against hand-counted values. */
class RegimeMetricsTest {
    private static final int HV = MarketRegime.HIGH_VOL.ordinal();
    private static final int TR = MarketRegime.TREND.ordinal();

    private static double[] logits(int predicted) {
        double[] z = {0, 0, 0};
        z[predicted] = 2;
        return z;
    }

    @Test
    void classificationMetricsWithinEachRegime() {
        // 6 samples: predicted classes and labels; regimes high_vol x4, trend x2, no mean reversion
        int[] predicted = {0, 1, 2, 2, 1, 0};
        int[] labels = {0, 1, 1, 2, 1, 2};
        int[] regimes = {HV, HV, HV, HV, TR, TR};
        double[][] z = new double[6][];
        for (int k = 0; k < 6; k++) {
            z[k] = logits(predicted[k]);
        }
        Map<String, Double> m = RegimeMetrics.ofClasses(z, labels, regimes);
        // high_vol: right 3 of 4; class 0: TP 1 -> F1 1; class 1: TP 1, FN 1 -> 2/3; class 2: TP 1, FP 1 -> 2/3
        assertEquals(4 / 6.0, m.get("regime.high_vol.share"), 1e-15);
        assertEquals(0.75, m.get("regime.high_vol.accuracy"), 1e-15);
        assertEquals((1 + 2 / 3.0 + 2 / 3.0) / 3, m.get("regime.high_vol.macro_f1"), 1e-15);
        // trend: right 1 of 2; class 1: TP 1 -> 1; class 0: FP 1 -> 0; class 2: FN 1 -> 0
        assertEquals(2 / 6.0, m.get("regime.trend.share"), 1e-15);
        assertEquals(0.5, m.get("regime.trend.accuracy"), 1e-15);
        assertEquals(1 / 3.0, m.get("regime.trend.macro_f1"), 1e-15);
        // an empty regime: share 0, no metrics
        assertEquals(0.0, m.get("regime.mean_reversion.share"), 0.0);
        assertFalse(m.containsKey("regime.mean_reversion.accuracy"));
        assertThrows(IllegalArgumentException.class, () -> RegimeMetrics.ofClasses(z, labels, new int[5]));
    }

    @Test
    void regressionMetricsWithinEachRegime() {
        double[] p = {1, -1, 2, 0.5, -0.5};
        double[] y = {2, -1, 1, -1, 1};
        long[] t = {0, 1, 2, 3, 4};
        int[] regimes = {HV, HV, HV, TR, TR};
        Map<String, Double> m = RegimeMetrics.ofReturns(p, y, t, regimes);
        // high_vol: errors -1, 0, 1 -> mse 2/3; mean y 2/3, sum (y - mean)^2 = 16/9 + 25/9 + 1/9 = 42/9
        assertEquals(0.6, m.get("regime.high_vol.share"), 1e-15);
        assertEquals(2 / 3.0, m.get("regime.high_vol.mse"), 1e-15);
        assertEquals(1 - 2 / (42 / 9.0), m.get("regime.high_vol.r2"), 1e-12);
        assertEquals(1.0, m.get("regime.high_vol.directional_accuracy"), 0.0);
        // ranks of p (1, -1, 2) = (2, 1, 3) and of y (2, -1, 1) = (3, 1, 2): Pearson of the ranks = 0.5
        assertEquals(0.5, m.get("regime.high_vol.ic"), 1e-12);
        // trend: both signs wrong
        assertEquals(0.0, m.get("regime.trend.directional_accuracy"), 0.0);
        assertEquals((1.5 * 1.5 + 1.5 * 1.5) / 2, m.get("regime.trend.mse"), 1e-15);
    }
}
