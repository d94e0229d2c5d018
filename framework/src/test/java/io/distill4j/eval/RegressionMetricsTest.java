package io.distill4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Regression metrics against values computed by hand (in the comments). */
class RegressionMetricsTest {
    private static final long DAY = 86_400_000L;
    private static final long T0 = 1_700_006_400_000L; // 2023-11-15T00:00:00Z, a day boundary

    @Test
    void spearmanWithTiesByHand() {
        // ranks of p = [1, 2, 2, 3]: [1, 2.5, 2.5, 4]; of y = [10, 20, 30, 30]: [1, 2, 3.5, 3.5]
        assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, RegressionMetrics.ranks(new double[] {1, 2, 2, 3}));
        assertArrayEquals(new double[] {3.5, 1, 3.5, 2}, RegressionMetrics.ranks(new double[] {30, 10, 30, 20}));
        // deviations from 2.5: [-1.5, 0, 0, 1.5] and [-1.5, -0.5, 1, 1]: 3.75 / sqrt(4.5 * 4.5) = 5/6
        assertEquals(5.0 / 6, RegressionMetrics.spearman(new double[] {1, 2, 2, 3}, new double[] {10, 20, 30, 30}),
                1e-12);
        // monotone but not linear: Spearman 1, Pearson below 1
        double[] x = {1, 2, 3, 4, 5};
        double[] cube = {1, 8, 27, 64, 125};
        assertEquals(1, RegressionMetrics.spearman(x, cube), 1e-12);
        assertTrue(RegressionMetrics.pearson(x, cube) < 0.99);
        assertTrue(Double.isNaN(RegressionMetrics.spearman(x, new double[] {2, 2, 2, 2, 2})));
    }

    @Test
    void dailyIcMeanAndTStatByHand() {
        // day 0: ranks agree -> 1; day 1: p [1,2,3] vs y [1,3,2] -> 0.5; day 2: two samples, left out;
        // day 3: constant predictions, IC undefined, left out. mean 0.75, sd sqrt(0.125), t = 0.75 / 0.25 = 3
        double[] p = {1, 2, 3, 1, 2, 3, 1, 2, 4, 4, 4};
        double[] y = {1, 2, 3, 1, 3, 2, 5, 6, 1, 2, 3};
        long[] t = new long[p.length];
        int[] day = {0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 3};
        for (int i = 0; i < t.length; i++) {
            t[i] = T0 + day[i] * DAY + i * 300_000L;
        }
        assertArrayEquals(new double[] {1, 0.5}, RegressionMetrics.dailyIc(p, y, t), 1e-12);
        RegressionMetrics m = RegressionMetrics.of(p, y, t, null);
        assertEquals(0.75, m.icDailyMean(), 1e-12);
        assertEquals(3.0, m.icDailyT(), 1e-12);
        assertTrue(Double.isNaN(m.agreement()));
    }

    @Test
    void r2MseDirectionAndAgreementByHand() {
        long[] t = {T0, T0 + 1, T0 + 2, T0 + 3};
        // y mean 2.5, SS_tot 5; residuals [0, 0, 0, 1]: mse 0.25, R2 = 1 - 1/5
        RegressionMetrics m = RegressionMetrics.of(new double[] {1, 2, 3, 5}, new double[] {1, 2, 3, 4}, t,
                new double[] {2, 4, 6, 10});
        assertEquals(0.25, m.mse(), 1e-12);
        assertEquals(0.8, m.r2(), 1e-12);
        assertEquals(1, m.ic(), 1e-12);
        assertEquals(1, m.agreement(), 1e-12); // teacher = 2 x prediction
        // y = [1, -1, 0, 2] (the 0 is left out), p = [0.5, 0.3, -1, 0]: right, wrong, -, wrong (0 is no direction)
        RegressionMetrics d = RegressionMetrics.of(new double[] {0.5, 0.3, -1, 0}, new double[] {1, -1, 0, 2}, t,
                null);
        assertEquals(1.0 / 3, d.directionalAccuracy(), 1e-12);
        // predicting the split's own mean scores R2 = 0
        assertEquals(0, RegressionMetrics.of(new double[] {2.5, 2.5, 2.5, 2.5}, new double[] {1, 2, 3, 4}, t, null)
                .r2(), 1e-12);
    }

    @Test
    void retentionOnlyForAPositiveTeacher() {
        assertEquals(0.5, RegressionMetrics.retention(0.01, 0.02), 1e-12);
        assertTrue(Double.isNaN(RegressionMetrics.retention(0.01, -0.02)));
        assertTrue(Double.isNaN(RegressionMetrics.retention(0.01, 0)));
    }
}
