package io.distill4j.loss;

import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Contrastive representation distillation in its InfoNCE form with in-batch negatives (after Tian, Krishnan, Isola,
 * "Contrastive Representation Distillation", ICLR 2020): the student's projected embedding of an example must pick
 * out the teacher's embedding of the same example among the teacher's embeddings of the whole minibatch. With
 * {@code p_i} the student's projected activation and {@code t_i} the teacher's, of the same width,
 *
 * <pre>
 *   z_i = p_i / ||p_i||,  u_j = t_j / ||t_j||,  l_ij = z_i . u_j / tau
 *   B = -1/n * sum_i log( exp(l_ii) / sum_j exp(l_ij) )
 * </pre>
 *
 * The head's score is {@code weight * B}; {@code tau} ({@code temperature}, default 0.1) is schedulable. Departures
 * from the paper, which trains a projection on both sides and draws negatives from a memory bank with an NCE
 * objective: here only the student side is projected (the teacher's cached activations are the fixed targets), the
 * negatives are the other examples of the minibatch (n - 1 of them), and the objective is the InfoNCE softmax.
 * See {@link BatchLossFunction}.
 */
public final class ContrastiveLossFunction extends BatchLossFunction {
    private static final long serialVersionUID = 1L;

    @JsonProperty("temperature")
    private volatile double temperature;

    @JsonCreator
    public ContrastiveLossFunction(@JsonProperty("weight") double weight,
            @JsonProperty("temperature") double temperature) {
        super(weight);
        setTemperature(temperature);
    }

    public double temperature() {
        return temperature;
    }

    public void setTemperature(double temperature) {
        if (!(temperature >= 0.001 && temperature <= 100)) {
            throw new IllegalArgumentException("temperature must be in [0.001, 100], got " + temperature);
        }
        this.temperature = temperature;
    }

    @Override
    protected String kind() {
        return "Contrastive";
    }

    @Override
    protected double batchLoss(double[][] p, double[][] t, double[][] gradient) {
        int n = p.length;
        if (p[0].length != t[0].length) {
            throw new IllegalArgumentException("contrastive: the projected student width " + p[0].length
                    + " differs from the teacher layer's width " + t[0].length);
        }
        double tau = temperature;
        double[] np = new double[n];
        double[][] z = new double[n][];
        double[][] u = new double[n][];
        for (int i = 0; i < n; i++) {
            np[i] = Math.sqrt(RelationalLossFunction.dot(p[i], p[i]));
            z[i] = scaled(p[i], np[i]);
            u[i] = scaled(t[i], Math.sqrt(RelationalLossFunction.dot(t[i], t[i])));
        }
        double loss = 0;
        for (int i = 0; i < n; i++) {
            double[] l = new double[n];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                l[j] = RelationalLossFunction.dot(z[i], u[j]) / tau;
                max = Math.max(max, l[j]);
            }
            double sum = 0;
            for (int j = 0; j < n; j++) {
                sum += Math.exp(l[j] - max);
            }
            loss += max + Math.log(sum) - l[i];
            if (gradient != null && np[i] > 0) {
                // dB/dl_ij = (softmax_j - [i == j]) / n; dB/dz_i = sum_j dB/dl_ij u_j / tau
                double[] g = new double[z[i].length];
                for (int j = 0; j < n; j++) {
                    double c = (Math.exp(l[j] - max) / sum - (i == j ? 1 : 0)) / (n * tau);
                    for (int k = 0; k < g.length; k++) {
                        g[k] += c * u[j][k];
                    }
                }
                double zg = RelationalLossFunction.dot(z[i], g);
                for (int k = 0; k < g.length; k++) {
                    gradient[i][k] += (g[k] - z[i][k] * zg) / np[i];
                }
            }
        }
        return loss / n;
    }

    private static double[] scaled(double[] a, double norm) {
        double[] v = new double[a.length];
        for (int k = 0; k < a.length && norm > 0; k++) {
            v[k] = a[k] / norm;
        }
        return v;
    }
}
