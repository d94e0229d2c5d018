package io.distill4j.loss;

/**
 * Scratch space for the tempered distributions of one row, shared by the logit losses: the student's
 * {@code log softmax(u)} and the teacher's {@code log softmax(w)} with {@code u = z / T}, {@code w = v / T}, or with
 * {@code u = Z(z) / T}, {@code w = Z(v) / T} when logits are standardised ({@link LogitStandardization}), and the
 * backward step from a gradient with respect to {@code u} to one with respect to the raw logits {@code z}.
 */
final class SoftTargets {
    final double[] u;
    final double[] w;
    final double[] logP;
    final double[] logQ;
    /** {@code exp(logP)} and {@code exp(logQ)}, computed once per row by {@link #set}. */
    private final double[] p;
    private final double[] q;
    private final double t;
    private final LogitStandardization student;
    private final LogitStandardization teacher;
    private final double[] v;
    private final double[] scratch;
    private final double[] raw;

    SoftTargets(int c, double temperature, boolean standardize) {
        this.t = temperature;
        this.u = new double[c];
        this.w = new double[c];
        this.logP = new double[c];
        this.logQ = new double[c];
        this.p = new double[c];
        this.q = new double[c];
        this.v = new double[c];
        this.scratch = new double[c];
        this.raw = new double[c];
        this.student = standardize ? new LogitStandardization(c) : null;
        this.teacher = standardize ? new LogitStandardization(c) : null;
    }

    /** Row {@code i}: student logits {@code z}, teacher logits from the second half of the labels' row. */
    void set(double[] z, double[] labels, int i) {
        int c = z.length;
        LogitLossFunction.row(labels, i, 2 * c, c, v);
        if (student != null) {
            student.apply(z, u);
            teacher.apply(v, w);
        } else {
            System.arraycopy(z, 0, u, 0, c);
            System.arraycopy(v, 0, w, 0, c);
        }
        for (int k = 0; k < c; k++) {
            u[k] /= t;
            w[k] /= t;
        }
        Softmax.logSoftmax(u, logP);
        Softmax.logSoftmax(w, logQ);
        for (int k = 0; k < c; k++) {
            p[k] = Math.exp(logP[k]);
            q[k] = Math.exp(logQ[k]);
        }
    }

    /** The student's tempered probability of class {@code k} in the last row {@link #set}. */
    double p(int k) {
        return p[k];
    }

    /** The teacher's tempered probability of class {@code k} in the last row {@link #set}. */
    double q(int k) {
        return q[k];
    }

    /** Adds to {@code grad[offset..]} the gradient with respect to {@code z} of a loss whose gradient in u is g. */
    void backprop(double[] g, double[] grad, int offset) {
        int c = g.length;
        for (int k = 0; k < c; k++) {
            scratch[k] = g[k] / t;
        }
        double[] out = scratch;
        if (student != null) {
            student.backprop(scratch, raw);
            out = raw;
        }
        for (int k = 0; k < c; k++) {
            grad[offset + k] += out[k];
        }
    }
}
