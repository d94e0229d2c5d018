package io.distill4j.eval;

import java.util.List;

/**
 * Mean and sample standard deviation over seeds, and Welch's t statistic for comparing two methods (see
 * {@link TTest} for p-values).
 *
 * @param mean arithmetic mean of the finite values
 * @param std sample standard deviation (n - 1 in the denominator; {@code NaN} for fewer than two values)
 * @param n number of finite values
 */
public record Stats(double mean, double std, int n) {
    /** The statistics of the finite values in {@code values} ({@code NaN} mean when there are none). */
    public static Stats of(List<Double> values) {
        double sum = 0;
        int n = 0;
        for (double v : values) {
            if (Double.isFinite(v)) {
                sum += v;
                n++;
            }
        }
        if (n == 0) {
            return new Stats(Double.NaN, Double.NaN, 0);
        }
        double mean = sum / n;
        double ss = 0;
        for (double v : values) {
            if (Double.isFinite(v)) {
                ss += (v - mean) * (v - mean);
            }
        }
        return new Stats(mean, n > 1 ? Math.sqrt(ss / (n - 1)) : Double.NaN, n);
    }

    /**
     * The {@code q} quantile ({@code 0 <= q <= 1}) of ascending {@code sorted} values, linear between order
     * statistics: at position {@code q (n - 1)} of the 0-based sorted values.
     */
    public static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /** Standard error of the mean. */
    public double standardError() {
        return n > 0 ? std / Math.sqrt(n) : Double.NaN;
    }

    /**
     * Welch's t statistic of {@code this - other}; {@code NaN} when either side has fewer than two values, infinite
     * when both spreads are zero and the means differ.
     */
    public double welchT(Stats other) {
        if (n < 2 || other.n < 2) {
            return Double.NaN;
        }
        double se = Math.sqrt(std * std / n + other.std * other.std / other.n);
        double diff = mean - other.mean;
        return se == 0 ? (diff == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, diff)) : diff / se;
    }

    /** {@code mean ± std} with the given decimals; the spread is {@code n/a} for a single value, all of it without. */
    public String format(int decimals) {
        if (n == 0) {
            return "n/a";
        }
        // huge values (e.g. a return compounded to a year) in scientific notation, 3 significant digits
        String f = Math.abs(mean) >= 1e5 ? "%.2e" : "%." + decimals + "f";
        return n < 2 ? String.format(java.util.Locale.ROOT, f + " ± n/a", mean)
                : String.format(java.util.Locale.ROOT, f + " ± " + f, mean, std);
    }
}
