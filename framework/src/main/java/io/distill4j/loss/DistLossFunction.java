package io.distill4j.loss;

import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * DIST as a DL4J loss function (Huang, You, Wang, Qian, Xu, "Knowledge Distillation from A Stronger Teacher",
 * NeurIPS 2022). With {@code P = softmax(Z / T)} (student) and {@code Q = softmax(V / T)} (teacher), both
 * {@code [n, C]} for a minibatch of {@code n}, and {@code rho} the Pearson correlation:
 *
 * <pre>
 *   inter = 1/n sum_i (1 - rho(P[i, :], Q[i, :]))     per sample, across classes
 *   intra = 1/C sum_j (1 - rho(P[:, j], Q[:, j]))     per class, across the minibatch
 *   L     = alpha * CE(y, softmax(z)) + (1 - alpha) * T^2 * (beta * inter + gamma * intra)
 * </pre>
 *
 * all multiplied by the head {@code weight}. <b>Weights:</b> {@code beta} and {@code gamma} are the paper's (1 and 1
 * there, with {@code T} 1 on ImageNet and 4 on CIFAR, and the {@code T^2} factor of the authors' code); our
 * {@code alpha} keeps the Hinton convention (weight of the hard label; the paper's {@code alpha = 1} CE weight is
 * {@code alpha = 0.5} here at half the loss scale). {@code rho(a, b) = a'.b' / (max(|a'|, eps) max(|b'|, eps))}
 * with {@code a'} the centred vector and {@code eps = 1e-8}, as {@code cosine_similarity} in the authors' code.
 *
 * <p><b>The intra-class term is a minibatch statistic:</b> DL4J gives a loss function the whole minibatch at once,
 * so it is computed over that minibatch (the rows with a non-zero mask), exactly as in the paper's training; its
 * value depends on the batch size, and a per-example score reports {@code beta (1 - rho_i)} plus the batch's intra
 * term on every row (so that the mean over rows is {@code L}). The gradient is that of the summed score
 * ({@code n L}).
 */
public final class DistLossFunction extends LogitLossFunction {
    private static final long serialVersionUID = 1L;
    /** Norms below this are clamped in the correlation (the authors' value). */
    static final double EPS = 1e-8;

    @JsonProperty("beta")
    private volatile double beta;
    @JsonProperty("gamma")
    private volatile double gamma;

    /** Also the JSON creator, so that a saved graph with a DIST head restores with {@code ModelSerializer}. */
    @JsonCreator
    public DistLossFunction(@JsonProperty("temperature") double temperature, @JsonProperty("alpha") double alpha,
            @JsonProperty("beta") double beta, @JsonProperty("gamma") double gamma,
            @JsonProperty("weight") double weight) {
        setTemperature(temperature);
        setAlpha(alpha);
        setBeta(beta);
        setGamma(gamma);
        setWeight(weight);
    }

    public double beta() {
        return beta;
    }

    public double gamma() {
        return gamma;
    }

    public void setBeta(double beta) {
        this.beta = checkTermWeight("beta", beta);
    }

    public void setGamma(double gamma) {
        this.gamma = checkTermWeight("gamma", gamma);
    }

    @Override
    protected void kernel(double[] z, double[] lab, int n, int c, double[] mask, double[] score, double[] grad) {
        double t = temperature();
        double a = alpha();
        double scale = (1 - a) * t * t;
        SoftTargets soft = new SoftTargets(c, t, false);
        double[] p = new double[n * c];
        double[] q = new double[n * c];
        double[] zi = new double[c];
        int rows = 0;
        for (int i = 0; i < n; i++) {
            row(z, i, c, 0, zi);
            soft.set(zi, lab, i);
            for (int k = 0; k < c; k++) {
                p[i * c + k] = soft.p(k);
                q[i * c + k] = soft.q(k);
            }
            rows += mask == null || mask[i] != 0 ? 1 : 0;
        }
        // dL/dP of the summed score, filled by both terms
        double[] dP = new double[n * c];
        double[] a1 = new double[c];
        double[] b1 = new double[c];
        double[] g1 = new double[c];
        double[] inter = new double[n];
        for (int i = 0; i < n; i++) {
            row(p, i, c, 0, a1);
            row(q, i, c, 0, b1);
            inter[i] = 1 - pearson(a1, b1, g1);
            for (int k = 0; k < c; k++) {
                dP[i * c + k] = -scale * beta * g1[k];
            }
        }
        double intra = 0;
        if (rows > 0) {
            double[] an = new double[rows];
            double[] bn = new double[rows];
            double[] gn = new double[rows];
            for (int k = 0; k < c; k++) {
                for (int i = 0, r = 0; i < n; i++) {
                    if (mask == null || mask[i] != 0) {
                        an[r] = p[i * c + k];
                        bn[r++] = q[i * c + k];
                    }
                }
                intra += (1 - pearson(an, bn, gn)) / c;
                for (int i = 0, r = 0; i < n; i++) {
                    if (mask == null || mask[i] != 0) {
                        dP[i * c + k] -= rows * scale * gamma * gn[r++] / c;
                    }
                }
            }
        }
        double[] logP = new double[c];
        double[] g = new double[c];
        for (int i = 0; i < n; i++) {
            row(z, i, c, 0, zi);
            if (grad != null) {
                // through the softmax: dL/du_k = p_k (dL/dp_k - sum_j p_j dL/dp_j), then u = z / T
                double dot = 0;
                for (int k = 0; k < c; k++) {
                    dot += p[i * c + k] * dP[i * c + k];
                }
                for (int k = 0; k < c; k++) {
                    g[k] = p[i * c + k] * (dP[i * c + k] - dot) / t;
                    grad[i * c + k] += g[k];
                }
            }
            double ce = addHardLabel(a, zi, lab, i * 2 * c, logP, grad, i * c);
            if (score != null) {
                score[i] = ce + scale * (beta * inter[i] + gamma * intra);
            }
        }
    }

    /**
     * The Pearson correlation of {@code a} and {@code b}; fills {@code da} with its gradient with respect to {@code a}:
     * {@code b' / (|a'| |b'|) - rho a' / |a'|^2} (the second term only where {@code |a'|} is not clamped).
     */
    static double pearson(double[] a, double[] b, double[] da) {
        int m = a.length;
        double ma = 0;
        double mb = 0;
        for (int k = 0; k < m; k++) {
            ma += a[k];
            mb += b[k];
        }
        ma /= m;
        mb /= m;
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int k = 0; k < m; k++) {
            double x = a[k] - ma;
            double y = b[k] - mb;
            ab += x * y;
            aa += x * x;
            bb += y * y;
        }
        double na = Math.sqrt(aa);
        double nb = Math.sqrt(bb);
        double denomA = Math.max(na, EPS);
        double denomB = Math.max(nb, EPS);
        double rho = ab / (denomA * denomB);
        for (int k = 0; k < m; k++) {
            double x = a[k] - ma;
            double y = b[k] - mb;
            da[k] = y / (denomA * denomB) - (na > EPS ? rho * x / (na * na) : 0);
        }
        return rho;
    }

    @Override
    public String name() {
        return "DIST(T=" + temperature() + ", alpha=" + alpha() + ", beta=" + beta + ", gamma=" + gamma
                + (weight() == 1 ? "" : ", weight=" + weight()) + ")";
    }
}
