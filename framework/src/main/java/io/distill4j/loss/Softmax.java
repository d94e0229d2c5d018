package io.distill4j.loss;

/** Numerically stable softmax over one row of logits, shared by the losses and the metrics. */
public final class Softmax {
    private Softmax() {
    }

    /** {@code out[k] = x[k] - log(sum_j exp(x[j]))}, computed with the maximum subtracted first. */
    public static void logSoftmax(double[] x, double[] out) {
        double logSum = logSumExp(x, -1);
        for (int k = 0; k < x.length; k++) {
            out[k] = x[k] - logSum;
        }
    }

    /**
     * {@code log(sum_{j != skip} exp(x[j]))} with the maximum subtracted first ({@code skip = -1}: over all entries;
     * negative infinity when nothing is left).
     */
    public static double logSumExp(double[] x, int skip) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < x.length; k++) {
            if (k != skip) {
                max = Math.max(max, x[k]);
            }
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double sum = 0;
        for (int k = 0; k < x.length; k++) {
            if (k != skip) {
                sum += Math.exp(x[k] - max);
            }
        }
        return max + Math.log(sum);
    }

    /** The probabilities {@code exp(logSoftmax(x))} as a new array. */
    public static double[] probabilities(double[] x) {
        double[] p = new double[x.length];
        logSoftmax(x, p);
        for (int k = 0; k < p.length; k++) {
            p[k] = Math.exp(p[k]);
        }
        return p;
    }
}
