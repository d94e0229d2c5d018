package io.distill4j.loss;

/**
 * Logit standardisation (Sun, Ren, Wang, Yang, "Logit Standardization in Knowledge Distillation", CVPR 2024): one
 * row of logits {@code x} becomes its z-score {@code (x - mean(x)) / (std(x) + eps)} before the temperature softmax,
 * so that the student matches the teacher's logit <em>relations</em>, not their magnitude. {@code std} is the
 * sample standard deviation (divisor {@code C - 1}, as {@code torch.std} in the authors' code) and
 * {@code eps = 1e-7}, also as there. The configured temperature is kept on top, as the paper's base temperature:
 * {@code softmax(Z(x) / T)}.
 *
 * <p>An instance is scratch space for rows of one width: {@link #apply} standardises a row and remembers what
 * {@link #backprop} needs to turn a gradient with respect to the z-score into one with respect to the raw logits.
 */
final class LogitStandardization {
    /** Added to the standard deviation (the authors' value). */
    static final double EPS = 1e-7;

    private final double[] centred;
    private double sigma;
    private double divisor;

    LogitStandardization(int width) {
        this.centred = new double[width];
    }

    /** {@code out = (x - mean(x)) / (std(x) + eps)}. */
    void apply(double[] x, double[] out) {
        int c = x.length;
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= c;
        double ss = 0;
        for (int k = 0; k < c; k++) {
            centred[k] = x[k] - mean;
            ss += centred[k] * centred[k];
        }
        sigma = c > 1 ? Math.sqrt(ss / (c - 1)) : 0;
        divisor = sigma + EPS;
        for (int k = 0; k < c; k++) {
            out[k] = centred[k] / divisor;
        }
    }

    /**
     * The gradient with respect to the raw row last given to {@link #apply}, from {@code g}, the gradient with respect
     * to its z-score: {@code (g - mean(g)) / (s + eps) - (g . d) d / ((C - 1) s (s + eps)^2)} with {@code d} the
     * centred row and {@code s} its standard deviation (the second term vanishes with {@code s}).
     */
    void backprop(double[] g, double[] out) {
        int c = g.length;
        double mean = 0;
        double gd = 0;
        for (int k = 0; k < c; k++) {
            mean += g[k];
            gd += g[k] * centred[k];
        }
        mean /= c;
        double second = sigma > 0 ? gd / ((c - 1) * sigma * divisor * divisor) : 0;
        for (int k = 0; k < c; k++) {
            out[k] = (g[k] - mean) / divisor - second * centred[k];
        }
    }
}
