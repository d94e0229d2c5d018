package io.distill4j.loss;

import java.util.Arrays;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Attention transfer over time (Zagoruyko and Komodakis, "Paying More Attention to Attention", ICLR 2017), per
 * example: a sequence activation {@code A} of {@code c} channels over {@code t} steps gives the attention map
 *
 * <pre>
 *   Q[s] = sum_ch |A[ch, s]|^p,   q = Q / ||Q||_2          (p = 2 by default, as in the paper)
 *   L    = weight * 1/t * sum_s (q_S[s] - q_T[s])^2
 * </pre>
 *
 * The output is the student's activation flattened to {@code [n, c * t]} (channel-major, as {@code [n, c, t]} in C
 * order), the label the teacher's map {@code q_T}, {@code [n, t]}, already normalised (see
 * {@link AttentionTransfer#labels}); student and teacher may have different channel counts but need the same steps.
 * The paper's code takes the squared difference's mean and multiplies it by {@code beta/2} with {@code beta = 1000};
 * here that factor is {@code weight}.
 */
public final class AttentionTransferLossFunction extends WeightedLossFunction {
    private static final long serialVersionUID = 1L;

    @JsonProperty("p")
    private final double p;

    @JsonCreator
    public AttentionTransferLossFunction(@JsonProperty("weight") double weight, @JsonProperty("p") double p) {
        super(weight);
        if (!(p >= 1 && p <= 8)) {
            throw new IllegalArgumentException("p must be in [1, 8], got " + p);
        }
        this.p = p;
    }

    public double p() {
        return p;
    }

    /** The normalised attention map {@code q} of each row of a flattened {@code [n, c * steps]} activation. */
    public static double[][] attention(double[][] flat, int steps, double p) {
        double[][] q = new double[flat.length][steps];
        for (int i = 0; i < flat.length; i++) {
            int channels = flat[i].length / steps;
            double norm = 0;
            for (int s = 0; s < steps; s++) {
                double sum = 0;
                for (int ch = 0; ch < channels; ch++) {
                    sum += Math.pow(Math.abs(flat[i][ch * steps + s]), p);
                }
                q[i][s] = sum;
                norm += sum * sum;
            }
            norm = Math.sqrt(norm);
            for (int s = 0; s < steps && norm > 0; s++) {
                q[i][s] /= norm;
            }
        }
        return q;
    }

    private double[][] output(INDArray labels, INDArray preOutput, IActivation activationFn) {
        if (labels.rank() != 2 || preOutput.rank() != 2 || labels.size(0) != preOutput.size(0)
                || preOutput.size(1) % labels.size(1) != 0) {
            throw new IllegalArgumentException("attention transfer needs a flattened activation [n, channels * steps] "
                    + "and a teacher map [n, steps]; got output " + Arrays.toString(preOutput.shape())
                    + " and labels " + Arrays.toString(labels.shape()));
        }
        return DoubleRows.of(activationFn.getActivation(preOutput.dup(), true));
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        double[][] a = output(labels, preOutput, activationFn);
        double[][] t = DoubleRows.of(labels);
        int steps = t[0].length;
        double[][] q = attention(a, steps, p);
        double[][] score = new double[a.length][1];
        for (int i = 0; i < a.length; i++) {
            double sum = 0;
            for (int s = 0; s < steps; s++) {
                sum += (q[i][s] - t[i][s]) * (q[i][s] - t[i][s]);
            }
            score[i][0] = weight() * sum / steps * (mask == null ? 1 : mask.getDouble(i));
        }
        return Nd4j.createFromArray(score).castTo(preOutput.dataType());
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        double[][] a = output(labels, preOutput, activationFn);
        double[][] t = DoubleRows.of(labels);
        int steps = t[0].length;
        double[][] g = new double[a.length][a[0].length];
        for (int i = 0; i < a.length; i++) {
            int channels = a[i].length / steps;
            double[] bigQ = new double[steps];
            double norm = 0;
            for (int s = 0; s < steps; s++) {
                for (int ch = 0; ch < channels; ch++) {
                    bigQ[s] += Math.pow(Math.abs(a[i][ch * steps + s]), p);
                }
                norm += bigQ[s] * bigQ[s];
            }
            norm = Math.sqrt(norm);
            if (norm == 0) {
                continue;
            }
            // dL/dq = 2 w (q - q_T) / t;  q = Q/|Q|: dL/dQ = (dL/dq - q (q . dL/dq)) / |Q|
            double[] dq = new double[steps];
            double qdq = 0;
            double m = (mask == null ? 1 : mask.getDouble(i));
            for (int s = 0; s < steps; s++) {
                dq[s] = 2 * weight() * m * (bigQ[s] / norm - t[i][s]) / steps;
                qdq += bigQ[s] / norm * dq[s];
            }
            for (int s = 0; s < steps; s++) {
                double dQ = (dq[s] - bigQ[s] / norm * qdq) / norm;
                for (int ch = 0; ch < channels; ch++) {
                    double x = a[i][ch * steps + s];
                    g[i][ch * steps + s] = dQ * p * Math.pow(Math.abs(x), p - 1) * Math.signum(x);
                }
            }
        }
        return activationFn.backprop(preOutput.dup(), Nd4j.createFromArray(g).castTo(preOutput.dataType()))
                .getFirst();
    }

    @Override
    public String name() {
        return "AttentionTransfer(weight=" + weight() + ",p=" + p + ")";
    }
}
