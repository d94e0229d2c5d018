package io.distill4j.loss;

/** Numerically stable softmax over one row of logits, shared by the losses and the metrics. */
public final class Softmax {
    private Softmax() {
    }

    /** {@code out[k] = x[k] - log(sum_j exp(x[j]))}, computed with the maximum subtracted first. */
    public static void logSoftmax(double[] x, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (double v : x) {
            sum += Math.exp(v - max);
        }
        double logSum = max + Math.log(sum);
        for (int k = 0; k < x.length; k++) {
            out[k] = x[k] - logSum;
        }
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
