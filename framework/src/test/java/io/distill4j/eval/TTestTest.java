package io.distill4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * p-values against t-tables and the closed forms of Student's t CDF for small df (independent of commons-math):
 * df = 1 (Cauchy) {@code p = 1 - (2/pi) atan|t|}; df = 2 {@code p = 1 - |t| / sqrt(t^2 + 2)}; df = 3
 * {@code p = 1 - (2/pi)(theta + sin theta cos theta)} with {@code theta = atan(|t| / sqrt 3)}.
 */
class TTestTest {
    private static double p1(double t) {
        return 1 - 2 / Math.PI * Math.atan(Math.abs(t));
    }

    private static double p2(double t) {
        return 1 - Math.abs(t) / Math.sqrt(t * t + 2);
    }

    private static double p3(double t) {
        double th = Math.atan(Math.abs(t) / Math.sqrt(3));
        return 1 - 2 / Math.PI * (th + Math.sin(th) * Math.cos(th));
    }

    @Test
    void twoSidedPMatchesTablesAndClosedForms() {
        // two-sided 5% critical values from a t-table: df 1: 12.706, 2: 4.303, 4: 2.776, 10: 2.228, 30: 2.042
        assertEquals(0.05, TTest.twoSidedP(12.706, 1), 1e-4);
        assertEquals(0.05, TTest.twoSidedP(4.303, 2), 1e-4);
        assertEquals(0.05, TTest.twoSidedP(-2.776, 4), 1e-4);
        assertEquals(0.05, TTest.twoSidedP(2.228, 10), 1e-4);
        assertEquals(0.05, TTest.twoSidedP(2.042, 30), 1e-4);
        // two-sided 1%: df 5: 4.032
        assertEquals(0.01, TTest.twoSidedP(4.032, 5), 1e-4);
        // the example: t = 2.7 with 2 df is p = 0.114, not a difference
        assertEquals(p2(2.7), TTest.twoSidedP(2.7, 2), 1e-9);
        assertEquals(0.1142, TTest.twoSidedP(2.7, 2), 1e-4);
        assertEquals(p1(1.0), TTest.twoSidedP(1.0, 1), 1e-9); // 0.5
        assertEquals(p3(1.5), TTest.twoSidedP(1.5, 3), 1e-9);
        assertEquals(1.0, TTest.twoSidedP(0, 3));
        assertEquals(0.0, TTest.twoSidedP(Double.POSITIVE_INFINITY, 3));
        assertThrows(IllegalArgumentException.class, () -> TTest.twoSidedP(1, 0));
    }

    @Test
    void welchUsesWelchSatterthwaiteDegreesOfFreedom() {
        // s_a = 0.01, s_b = 0.02, n = 3 each: v_a = 1e-4/3, v_b = 4e-4/3, df = (v_a+v_b)^2/(v_a^2/2 + v_b^2/2) = 50/17
        TTest.Result r = TTest.welch(new double[] {0.49, 0.50, 0.51}, new double[] {0.58, 0.60, 0.62});
        assertEquals(50.0 / 17, r.df(), 1e-9);
        assertEquals(-0.1 / Math.sqrt(5e-4 / 3), r.t(), 1e-9); // -7.7460
        assertEquals(-0.1, r.difference(), 1e-12);
        // p decreases with df: between the closed forms at df 3 and df 2
        assertTrue(r.p() > p3(r.t()) && r.p() < p2(r.t()), "p = " + r.p());
        assertEquals("Welch", r.kind());
        assertEquals(3, r.n());
    }

    @Test
    void pairedTestsTheDifferencesWithNMinusOneDegreesOfFreedom() {
        // d = {0.02, 0.03, 0.01, 0.03}: mean 0.0225, sd 0.0095743, t = 4.7001 (computed by hand), df 3
        TTest.Result r = TTest.paired(new double[] {0.52, 0.55, 0.50, 0.53}, new double[] {0.50, 0.52, 0.49, 0.50});
        assertEquals(4.700097, r.t(), 1e-5);
        assertEquals(3, r.df());
        assertEquals(p3(4.700097), r.p(), 1e-6); // 0.01822
        assertEquals(0.0182, r.p(), 1e-4);
        assertEquals("paired", r.kind());
        assertEquals(4, r.n());
        // the same numbers unpaired are far from a difference: pairing removes the shared seed effect
        assertTrue(TTest.welch(new double[] {0.52, 0.55, 0.50, 0.53}, new double[] {0.50, 0.52, 0.49, 0.50}).p()
                > 0.1);
    }

    @Test
    void zeroSpreadAndBadInput() {
        TTest.Result same = TTest.paired(new double[] {0.5, 0.6}, new double[] {0.5, 0.6});
        assertEquals(0, same.t());
        assertEquals(1.0, same.p());
        TTest.Result shifted = TTest.paired(new double[] {0.6, 0.7}, new double[] {0.5, 0.6});
        assertEquals(Double.POSITIVE_INFINITY, shifted.t());
        assertEquals(0.0, shifted.p());
        assertThrows(IllegalArgumentException.class, () -> TTest.paired(new double[] {1, 2}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> TTest.welch(new double[] {1}, new double[] {1, 2}));
    }
}
