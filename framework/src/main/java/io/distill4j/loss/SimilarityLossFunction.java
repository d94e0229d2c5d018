package io.distill4j.loss;

import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Similarity-preserving distillation (Tung and Mori, "Similarity-Preserving Knowledge Distillation", ICCV 2019): the
 * Gram matrix of a layer over the minibatch, the form Gram matching takes for vector layers. With {@code S} the
 * student's activations {@code [n, d_s]} and {@code T} the teacher's {@code [n, d_t]} (widths may differ),
 *
 * <pre>
 *   G_S = S S^T,  Ĝ_S[i] = G_S[i] / ||G_S[i]||_2   (each row L2-normalised; the same for T)
 *   B   = 1/n^2 * ||Ĝ_S - Ĝ_T||_F^2
 * </pre>
 *
 * and the head's score is {@code weight * B} (the paper's gamma is this {@code weight}; it uses gamma = 3000 on
 * CIFAR-10 with its {@code 1/b^2} normalisation). See {@link BatchLossFunction} for the batch convention.
 */
public final class SimilarityLossFunction extends BatchLossFunction {
    private static final long serialVersionUID = 1L;

    @JsonCreator
    public SimilarityLossFunction(@JsonProperty("weight") double weight) {
        super(weight);
    }

    @Override
    protected String kind() {
        return "Similarity";
    }

    @Override
    protected double batchLoss(double[][] s, double[][] t, double[][] gradient) {
        int n = s.length;
        double[][] gs = new double[n][];
        double[] rs = new double[n];
        double[][] gt = new double[n][];
        for (int i = 0; i < n; i++) {
            gs[i] = normalisedGramRow(s, i, rs);
            gt[i] = normalisedGramRow(t, i, null);
        }
        double loss = 0;
        double[][] e = new double[n][n]; // dB/dG_S
        for (int i = 0; i < n; i++) {
            double[] d = new double[n];
            double dot = 0;
            for (int j = 0; j < n; j++) {
                double diff = gs[i][j] - gt[i][j];
                loss += diff * diff;
                d[j] = 2 * diff / ((double) n * n);
                dot += gs[i][j] * d[j];
            }
            if (rs[i] > 0) {
                for (int j = 0; j < n; j++) {
                    e[i][j] = (d[j] - gs[i][j] * dot) / rs[i];
                }
            }
        }
        if (gradient != null) {
            // G = S S^T: dB/dS = (E + E^T) S
            int w = s[0].length;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double c = e[i][j] + e[j][i];
                    if (c != 0) {
                        for (int k = 0; k < w; k++) {
                            gradient[i][k] += c * s[j][k];
                        }
                    }
                }
            }
        }
        return loss / ((double) n * n);
    }

    /** Row {@code i} of {@code a a^T}, L2-normalised (zero if the row is zero); its norm goes to {@code norms[i]}. */
    private static double[] normalisedGramRow(double[][] a, int i, double[] norms) {
        int n = a.length;
        double[] row = new double[n];
        double norm = 0;
        for (int j = 0; j < n; j++) {
            double dot = 0;
            for (int k = 0; k < a[i].length; k++) {
                dot += a[i][k] * a[j][k];
            }
            row[j] = dot;
            norm += dot * dot;
        }
        norm = Math.sqrt(norm);
        if (norms != null) {
            norms[i] = norm;
        }
        for (int j = 0; j < n && norm > 0; j++) {
            row[j] /= norm;
        }
        return row;
    }
}
