package io.distill4j.loss;

import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Decoupled knowledge distillation as a DL4J loss function (Zhao, Cui, Song, Qiu, Liang, "Decoupled Knowledge
 * Distillation", CVPR 2022). With {@code t} the target class, {@code p = softmax(z / T)} (student) and
 * {@code q = softmax(v / T)} (teacher):
 *
 * <pre>
 *   TCKD = KL( [q_t, 1 - q_t] || [p_t, 1 - p_t] )                 target vs all non-target classes
 *   NCKD = KL( q^ || p^ ),  p^_j = p_j / (1 - p_t) for j != t      among the non-target classes
 *   L    = alpha * CE(y, softmax(z)) + (1 - alpha) * T^2 * (alpha_dkd * TCKD + beta_dkd * NCKD)
 * </pre>
 *
 * all multiplied by the head {@code weight}. <b>Weights:</b> {@code alpha_dkd} and {@code beta_dkd} are the paper's
 * {@code alpha} and {@code beta} (TCKD and NCKD weights; the paper uses 1 and 1 to 8); our {@code alpha} keeps the
 * Hinton convention and weighs the hard label, so {@code alpha = 0.5} gives half the paper's
 * {@code CE + alpha TCKD + beta NCKD} (the same objective, at half the learning rate). The {@code T^2} factor is the
 * one of the authors' code (mdistiller); their linear warm-up of the DKD term over the first epochs is a schedule
 * here ({@code alpha_dkd}, {@code beta_dkd} are schedulable). The hard label {@code y} must be one-hot; {@code t} is
 * its largest entry. With {@code standardize}, {@code z} and {@code v} are z-scored per row before the temperature
 * ({@link LogitStandardization}); the hard-label term keeps the raw logits.
 *
 * <p>The gradient with respect to {@code u = z / T} (before the chain to {@code z}) is
 * {@code alpha_dkd (p_t - q_t)(e_t - p^) + beta_dkd (p^ - q^)} (zero at {@code t} in the second term), times
 * {@code (1 - alpha) T^2}.
 */
public final class DkdLossFunction extends LogitLossFunction {
    private static final long serialVersionUID = 1L;

    @JsonProperty("alphaDkd")
    private volatile double alphaDkd;
    @JsonProperty("betaDkd")
    private volatile double betaDkd;
    @JsonProperty("standardize")
    private final boolean standardize;

    /** Also the JSON creator, so that a saved graph with a DKD head restores with {@code ModelSerializer}. */
    @JsonCreator
    public DkdLossFunction(@JsonProperty("temperature") double temperature, @JsonProperty("alpha") double alpha,
            @JsonProperty("alphaDkd") double alphaDkd, @JsonProperty("betaDkd") double betaDkd,
            @JsonProperty("weight") double weight, @JsonProperty("standardize") boolean standardize) {
        setTemperature(temperature);
        setAlpha(alpha);
        setAlphaDkd(alphaDkd);
        setBetaDkd(betaDkd);
        setWeight(weight);
        this.standardize = standardize;
    }

    public double alphaDkd() {
        return alphaDkd;
    }

    public double betaDkd() {
        return betaDkd;
    }

    public boolean standardize() {
        return standardize;
    }

    public void setAlphaDkd(double alphaDkd) {
        this.alphaDkd = checkTermWeight("alpha_dkd", alphaDkd);
    }

    public void setBetaDkd(double betaDkd) {
        this.betaDkd = checkTermWeight("beta_dkd", betaDkd);
    }

    @Override
    protected void kernel(double[] z, double[] lab, int n, int c, double[] mask, double[] score, double[] grad) {
        double t = temperature();
        double a = alpha();
        double scale = (1 - a) * t * t;
        SoftTargets soft = new SoftTargets(c, t, standardize);
        double[] zi = new double[c];
        double[] logP = new double[c];
        double[] g = new double[c];
        for (int i = 0; i < n; i++) {
            row(z, i, c, 0, zi);
            int target = argmax(lab, i * 2 * c, c);
            soft.set(zi, lab, i);
            // log of the non-target mass, and the non-target distributions p^, q^ (in log space)
            double lseU = Softmax.logSumExp(soft.u, -1);
            double lseW = Softmax.logSumExp(soft.w, -1);
            double lseUn = Softmax.logSumExp(soft.u, target);
            double lseWn = Softmax.logSumExp(soft.w, target);
            double logPt = soft.logP[target];
            double logQt = soft.logQ[target];
            double logPn = lseUn - lseU;
            double logQn = lseWn - lseW;
            double tckd = xlogy(Math.exp(logQt), logQt - logPt) + xlogy(Math.exp(logQn), logQn - logPn);
            double nckd = 0;
            double pt = Math.exp(logPt);
            double qt = Math.exp(logQt);
            for (int k = 0; k < c; k++) {
                if (k == target) {
                    g[k] = alphaDkd * (pt - qt);
                    continue;
                }
                double logPhat = soft.u[k] - lseUn;
                double logQhat = soft.w[k] - lseWn;
                double qhat = Math.exp(logQhat);
                double phat = Math.exp(logPhat);
                nckd += xlogy(qhat, logQhat - logPhat);
                g[k] = -alphaDkd * (pt - qt) * phat + betaDkd * (phat - qhat);
            }
            if (grad != null) {
                for (int k = 0; k < c; k++) {
                    g[k] *= scale;
                }
                soft.backprop(g, grad, i * c);
            }
            double ce = addHardLabel(a, zi, lab, i * 2 * c, logP, grad, i * c);
            if (score != null) {
                score[i] = ce + scale * (alphaDkd * tckd + betaDkd * nckd);
            }
        }
    }

    /** {@code x * y}, 0 when {@code x} is 0 (the KL convention {@code 0 log 0 = 0}). */
    private static double xlogy(double x, double y) {
        return x == 0 ? 0 : x * y;
    }

    /** The index of the largest of {@code c} entries from {@code offset}. */
    static int argmax(double[] a, int offset, int c) {
        int best = 0;
        for (int k = 1; k < c; k++) {
            if (a[offset + k] > a[offset + best]) {
                best = k;
            }
        }
        return best;
    }

    @Override
    public String name() {
        return "DKD(T=" + temperature() + ", alpha=" + alpha() + ", alpha_dkd=" + alphaDkd + ", beta_dkd=" + betaDkd
                + (standardize ? ", standardized" : "") + (weight() == 1 ? "" : ", weight=" + weight()) + ")";
    }
}
