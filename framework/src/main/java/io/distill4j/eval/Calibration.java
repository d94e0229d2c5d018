package io.distill4j.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * How well predicted probabilities match observed frequencies.
 *
 * <ul>
 *   <li>{@code ece}, the expected calibration error of the top label (Guo et al., "On Calibration of Modern Neural
 *       Networks", ICML 2017): the samples are put in {@code B} equal-width bins of their confidence
 *       {@code max_k p_k} ({@code [0, 1/B), ..., [(B-1)/B, 1]}), and {@code ECE = sum_b (n_b / n) |acc_b - conf_b|}
 *       with {@code acc_b} the share of bin {@code b} predicted right and {@code conf_b} its mean confidence;</li>
 *   <li>{@code brier}, the multi-class Brier score (Brier 1950): {@code mean_i sum_k (p_ik - [y_i = k])^2}, 0 for
 *       perfect, 2 at worst;</li>
 *   <li>the reliability curve: {@code (conf_b, acc_b, n_b)} of every non-empty bin.</li>
 * </ul>
 *
 * @param bins the non-empty bins of the reliability curve, in order of confidence
 */
public record Calibration(double ece, double brier, List<Bin> bins) {
    /** Bins used by {@link #of(double[][], int[])}. */
    public static final int DEFAULT_BINS = 10;

    public Calibration {
        bins = List.copyOf(bins);
    }

    /**
     * One bin of the reliability curve.
     *
     * @param lower lower edge of the bin's confidence range
     * @param upper upper edge
     * @param count samples in the bin
     * @param confidence their mean confidence
     * @param accuracy the share of them predicted right
     */
    public record Bin(double lower, double upper, int count, double confidence, double accuracy) {
    }

    /** The calibration of {@code probabilities} ({@code [n][C]}, rows summing to 1) against labels, 10 bins. */
    public static Calibration of(double[][] probabilities, int[] labels) {
        return of(probabilities, labels, DEFAULT_BINS);
    }

    /** The calibration with {@code binCount} equal-width confidence bins. */
    public static Calibration of(double[][] probabilities, int[] labels, int binCount) {
        int n = probabilities.length;
        if (n == 0 || labels.length != n || binCount < 1) {
            throw new IllegalArgumentException("need the same non-zero number of rows and labels, and bins >= 1");
        }
        int[] count = new int[binCount];
        double[] confidence = new double[binCount];
        int[] correct = new int[binCount];
        double brier = 0;
        for (int i = 0; i < n; i++) {
            double[] p = probabilities[i];
            int top = ClassificationMetrics.argmax(p);
            int b = Math.min(binCount - 1, (int) Math.floor(p[top] * binCount));
            count[b]++;
            confidence[b] += p[top];
            if (top == labels[i]) {
                correct[b]++;
            }
            for (int k = 0; k < p.length; k++) {
                double d = p[k] - (k == labels[i] ? 1 : 0);
                brier += d * d;
            }
        }
        double ece = 0;
        List<Bin> bins = new ArrayList<>();
        for (int b = 0; b < binCount; b++) {
            if (count[b] == 0) {
                continue;
            }
            double conf = confidence[b] / count[b];
            double acc = (double) correct[b] / count[b];
            ece += (double) count[b] / n * Math.abs(acc - conf);
            bins.add(new Bin((double) b / binCount, (double) (b + 1) / binCount, count[b], conf, acc));
        }
        return new Calibration(ece, brier / n, bins);
    }
}
