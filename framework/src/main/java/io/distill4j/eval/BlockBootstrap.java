package io.distill4j.eval;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Moving-block bootstrap confidence interval for the mean of a time-ordered series whose neighbours are correlated
 * (e.g. per-sample test results when labels look {@code horizon} bars ahead, so consecutive samples share bars).
 *
 * <p>Each resample concatenates {@code ceil(n / L)} blocks of {@code L} contiguous values, each starting at a
 * uniform position in {@code [0, n - L]}, cut to {@code n} values; the interval is the percentile interval of the
 * resampled means. A fixed seed makes it reproducible.
 */
public final class BlockBootstrap {
    /** Resamples drawn by {@link #meanInterval(double[], int, long)}. */
    public static final int RESAMPLES = 2000;
    /** Confidence level of the interval. */
    public static final double LEVEL = 0.95;

    private BlockBootstrap() {
    }

    /**
     * A percentile interval around {@code estimate} (the mean of the original series).
     *
     * @param blockLength the block length used
     * @param resamples the number of resamples
     */
    public record Interval(double estimate, double lower, double upper, int blockLength, int resamples) {
        /** E.g. {@code +0.0025 [-0.0040, +0.0090]}. */
        public String format(int decimals) {
            String f = "%+." + decimals + "f";
            return String.format(Locale.ROOT, f + " [" + f + ", " + f + "]", estimate, lower, upper);
        }
    }

    /**
     * The block length for {@code n} samples whose labels look {@code horizon} bars ahead: {@code max(horizon,
     * ceil(n^(1/3)))}, at most {@code n}. Blocks at least as long as the horizon keep every run of samples that share
     * a label window together; {@code n^(1/3)} is the usual order of the optimal length for the mean.
     */
    public static int blockLength(int n, int horizon) {
        if (n < 1 || horizon < 1) {
            throw new IllegalArgumentException("need n >= 1 and horizon >= 1, got n = " + n + ", horizon = "
                    + horizon);
        }
        return Math.min(n, Math.max(horizon, (int) Math.ceil(Math.cbrt(n) - 1e-9)));
    }

    /** The {@value #LEVEL} interval of the mean of {@code x} with {@value #RESAMPLES} resamples. */
    public static Interval meanInterval(double[] x, int blockLength, long seed) {
        return meanInterval(x, blockLength, RESAMPLES, LEVEL, seed);
    }

    /** The {@code level} percentile interval of the mean of {@code x} over {@code resamples} block resamples. */
    public static Interval meanInterval(double[] x, int blockLength, int resamples, double level, long seed) {
        int n = x.length;
        if (n == 0) {
            throw new IllegalArgumentException("cannot bootstrap an empty series");
        }
        if (blockLength < 1 || blockLength > n) {
            throw new IllegalArgumentException("block length must be in [1, " + n + "], got " + blockLength);
        }
        if (resamples < 1 || !(level > 0 && level < 1)) {
            throw new IllegalArgumentException("need resamples >= 1 and a level in (0, 1), got " + resamples
                    + " and " + level);
        }
        double[] prefix = new double[n + 1];
        for (int i = 0; i < n; i++) {
            prefix[i + 1] = prefix[i] + x[i];
        }
        int starts = n - blockLength + 1;
        SplittableRandom random = new SplittableRandom(seed);
        double[] means = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            double sum = 0;
            int left = n;
            while (left > 0) {
                int start = random.nextInt(starts);
                int take = Math.min(blockLength, left);
                sum += prefix[start + take] - prefix[start];
                left -= take;
            }
            means[r] = sum / n;
        }
        Arrays.sort(means);
        double tail = (1 - level) / 2;
        return new Interval(prefix[n] / n, Stats.quantile(means, tail), Stats.quantile(means, 1 - tail), blockLength,
                resamples);
    }
}
