package io.distill4j.eval;

import java.util.Locale;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * Two-sided t-tests of a difference of means over seeds: Welch's test for independent samples (Welch–Satterthwaite
 * degrees of freedom) and the paired test for samples that share each seed. p-values come from the Student t
 * distribution of commons-math3 (declared by the framework; the version ND4J brings).
 */
public final class TTest {
    private TTest() {
    }

    /**
     * The outcome of a test of {@code a - b}.
     *
     * @param kind {@code paired} or {@code Welch}
     * @param difference mean of {@code a} minus mean of {@code b}
     * @param t the t statistic (infinite when the spread is zero and the means differ)
     * @param df degrees of freedom ({@code n - 1} paired; Welch–Satterthwaite otherwise)
     * @param p two-sided p-value
     * @param n seeds per side (paired: number of pairs; Welch: the smaller side)
     */
    public record Result(String kind, double difference, double t, double df, double p, int n) {
        /** E.g. {@code t = 2.73, df = 2.0, p = 0.112}. */
        public String describe() {
            return String.format(Locale.ROOT, "t = %.2f, df = %.1f, p = %.3f", t, df, p);
        }
    }

    /** Welch's t-test of {@code a - b}; each side needs at least two values. */
    public static Result welch(double[] a, double[] b) {
        if (a.length < 2 || b.length < 2) {
            throw new IllegalArgumentException("Welch's test needs at least 2 values per side, got " + a.length
                    + " and " + b.length);
        }
        double va = variance(a) / a.length;
        double vb = variance(b) / b.length;
        double diff = mean(a) - mean(b);
        double se = Math.sqrt(va + vb);
        double df = (va + vb) * (va + vb) / (va * va / (a.length - 1) + vb * vb / (b.length - 1));
        double t = tOf(diff, se);
        return new Result("Welch", diff, t, df, twoSidedP(t, df), Math.min(a.length, b.length));
    }

    /** The paired t-test of {@code a[i] - b[i]}; the sides must have the same length, at least two. */
    public static Result paired(double[] a, double[] b) {
        if (a.length != b.length || a.length < 2) {
            throw new IllegalArgumentException("the paired test needs two sides of the same length >= 2, got "
                    + a.length + " and " + b.length);
        }
        double[] d = new double[a.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = a[i] - b[i];
        }
        double diff = mean(d);
        double t = tOf(diff, Math.sqrt(variance(d) / d.length));
        double df = d.length - 1;
        return new Result("paired", diff, t, df, twoSidedP(t, df), d.length);
    }

    /**
     * {@code P(|T| >= |t|)} for Student's t with {@code df} degrees of freedom: 0 for an infinite t, 1 for t = 0,
     * {@code NaN} for a {@code NaN} t.
     */
    public static double twoSidedP(double t, double df) {
        if (Double.isNaN(t)) {
            return Double.NaN;
        }
        if (Double.isInfinite(t)) {
            return 0.0;
        }
        if (t == 0) {
            return 1.0;
        }
        if (!(df > 0)) {
            throw new IllegalArgumentException("degrees of freedom must be positive, got " + df);
        }
        return 2 * new TDistribution(null, df).cumulativeProbability(-Math.abs(t));
    }

    private static double tOf(double diff, double se) {
        if (se == 0) {
            return diff == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, diff);
        }
        return diff / se;
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    private static double variance(double[] x) {
        double m = mean(x);
        double ss = 0;
        for (double v : x) {
            ss += (v - m) * (v - m);
        }
        return ss / (x.length - 1);
    }
}
