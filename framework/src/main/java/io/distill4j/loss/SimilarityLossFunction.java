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
 * CIFAR-10 with its {@code 1/b^2} normalisation). Computed in ND4J ops in the outputs' data type. See {@link BatchLossFunction} for the batch convention.
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

    /** In ND4J ops in the outputs' data type: two Gram matrices and one product for the gradient. */
    @Override
    protected Batch batch(INDArray s, INDArray t, boolean withGradient) {
        long n = s.size(0);
        INDArray gramS = s.mmul(s.transpose());
        INDArray rs = gramS.norm2(1);
        INDArray ns = gramS.divColumnVector(nonZero(rs));
        INDArray gramT = t.mmul(t.transpose());
        INDArray diff = ns.sub(gramT.divi(nonZero(gramT.norm2(1))));
        double nn = (double) n * n;
        double loss = diff.mul(diff).sumNumber().doubleValue() / nn;
        if (!withGradient) {
            return new Batch(loss, null);
        }
        // d = dB/dĜ_S = 2 (Ĝ_S - Ĝ_T) / n^2; through the row normalisation E_i = (d_i - Ĝ_i (Ĝ_i . d_i)) / r_i;
        // G = S S^T: dB/dS = (E + E^T) S
        INDArray d = diff.muli(2 / nn);
        INDArray e = d.sub(ns.mulColumnVector(ns.mul(d).sum(true, 1))).muliColumnVector(inverseNonZero(rs));
        return new Batch(loss, e.add(e.transpose()).mmul(s));
    }
}
