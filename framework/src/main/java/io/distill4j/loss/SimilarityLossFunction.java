package io.distill4j.loss;

import org.nd4j.linalg.api.ndarray.INDArray;
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

    /**
     * Both Gram matrices by one BLAS product each ({@link #gram}), the row normalisation, the loss and
     * {@code E = dB/dG_S} in plain Java over the {@code n x n} entries, and the gradient {@code dB/dS = (E + E^T) S}
     * by one more product ({@link #product}): {@code O(n^2 (d_s + d_t))} multiply-adds, all but {@code O(n^2)} of them
     * in BLAS. The teacher's normalised Gram matrix of a validation minibatch is computed once per trial
     * ({@link #labelSide}).
     */
    @Override
    protected Batch batch(INDArray s, INDArray t, boolean withGradient) {
        double[][] gt = labelSide(t, !withGradient, labels -> {
            double[][] g = gram(labels);
            normaliseRows(g);
            return g;
        });
        int n = (int) s.size(0);
        double[][] k = withGradient ? new double[n][n] : null;
        double loss = loss(gram(s), gt, k);
        return new Batch(loss, k == null ? null : product(k, s)); // G = S S^T: dB/dS = (E + E^T) S
    }

    /** The same in plain Java, for the small relation groups ({@link BatchLossFunction}). */
    @Override
    protected double batchLoss(double[][] s, double[][] t, double[][] gradient) {
        double[][] gt = gram(t);
        normaliseRows(gt);
        return viaPairMatrix(s, gradient, k -> loss(gram(s), gt, k));
    }

    @Override
    protected boolean groupsInRows() {
        return true;
    }

    /**
     * {@code B} from the student's Gram matrix {@code gs} (normalised here, in place) and the teacher's normalised
     * one, and when {@code k} is not null {@code E + E^T} into it ({@code E = dB/dG_S}; then {@code dB/dS = k S}).
     */
    private static double loss(double[][] gs, double[][] gt, double[][] k) {
        int n = gs.length;
        double[] rs = normaliseRows(gs);
        double nn = (double) n * n;
        double loss = 0;
        for (int i = 0; i < n; i++) {
            double[] gsi = gs[i];
            double[] gti = gt[i];
            double sum = 0;
            double dot = 0; // sum_j Ĝ_S[i,j] (Ĝ_S[i,j] - Ĝ_T[i,j])
            for (int j = 0; j < n; j++) {
                double diff = gsi[j] - gti[j];
                sum += diff * diff;
                dot += gsi[j] * diff;
            }
            loss += sum;
            if (k != null && rs[i] > 0) {
                // through the row normalisation: dB/dG[i] = (d - Ĝ[i] (Ĝ[i] . d)) / ||G[i]||, d = 2 (Ĝ_S - Ĝ_T) / n^2
                double[] ki = k[i];
                double scale = 2 / (nn * rs[i]);
                for (int j = 0; j < n; j++) {
                    ki[j] = scale * (gsi[j] - gti[j] - gsi[j] * dot);
                }
            }
        }
        if (k != null) {
            for (int i = 0; i < n; i++) { // E + E^T in place
                k[i][i] *= 2;
                for (int j = i + 1; j < n; j++) {
                    double c = k[i][j] + k[j][i];
                    k[i][j] = c;
                    k[j][i] = c;
                }
            }
        }
        return loss / nn;
    }

    /** L2-normalises each row of {@code g} in place (a zero row stays zero); returns the rows' norms. */
    private static double[] normaliseRows(double[][] g) {
        double[] norms = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            double[] row = g[i];
            double sum = 0;
            for (double v : row) {
                sum += v * v;
            }
            double norm = Math.sqrt(sum);
            norms[i] = norm;
            if (norm > 0) {
                for (int j = 0; j < row.length; j++) {
                    row[j] /= norm;
                }
            }
        }
        return norms;
    }
}
