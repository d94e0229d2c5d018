package io.distill4j.loss;

import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Hinton knowledge distillation as a DL4J loss function (Hinton, Vinyals, Dean, "Distilling the Knowledge in a
 * Neural Network", 2015):
 *
 * <pre>
 *   L = alpha * CE(y, softmax(z)) + (1 - alpha) * T^2 * KL( softmax(v / T) || softmax(z / T) )
 * </pre>
 *
 * where {@code z} are the student's logits, {@code v} the teacher's logits, {@code y} the one-hot hard label and
 * {@code T} the temperature, all multiplied by a head {@code weight} (1 by default, at least 0, schedulable; several
 * weighted heads on one student sum to a weighted loss, e.g. one hard-label head and one soft head per teacher).
 * <b>Convention:</b> {@code alpha} weighs the hard-label term; {@code alpha = 1} is plain cross-entropy training,
 * {@code alpha = 0} pure distillation (the {@code T^2} factor is kept in both cases, so the soft term's gradient scale
 * does not change with {@code T}).
 *
 * <p>With {@code standardize} (Sun et al., CVPR 2024, see {@link LogitStandardization}) the soft term compares
 * {@code softmax(Z(v) / T)} and {@code softmax(Z(z) / T)}, {@code Z} the per-row z-score; the hard-label term keeps
 * the raw logits, as in the authors' code.
 *
 * <p>Labels are {@code [y | v]} ({@link LogitLossFunction}). The gradient with respect to the logits is
 * {@code alpha * (p - y) + (1 - alpha) * T * (p_T - q_T)} per example (through the z-score's Jacobian when
 * standardised). With per-row term weights ({@link RecencyWeights}: labels {@code [y | v | s | h]}), the row's loss is
 * {@code h_i * alpha * CE + s_i * (1 - alpha) * T^2 * KL} and its gradient is weighted the same way. Temperature, alpha and weight are mutable so that a {@link io.distill4j.api.Schedule} can change
 * them between epochs without rebuilding the graph.
 */
public final class HintonKdLossFunction extends LogitLossFunction {
    private static final long serialVersionUID = 2L;

    @JsonProperty("standardize")
    private final boolean standardize;

    public HintonKdLossFunction(double temperature, double alpha) {
        this(temperature, alpha, 1.0);
    }

    public HintonKdLossFunction(double temperature, double alpha, double weight) {
        this(temperature, alpha, weight, false);
    }

    /**
     * A loss whose value and gradient are multiplied by {@code weight} (>= 0). Also the JSON creator, so that a saved
     * graph with a KD head restores with DL4J's {@code ModelSerializer} (graphs saved before {@code standardize}
     * existed restore with it off).
     */
    @JsonCreator
    public HintonKdLossFunction(@JsonProperty("temperature") double temperature, @JsonProperty("alpha") double alpha,
            @JsonProperty("weight") double weight, @JsonProperty("standardize") Boolean standardize) {
        setTemperature(temperature);
        setAlpha(alpha);
        setWeight(weight);
        this.standardize = standardize != null && standardize;
    }

    /** Whether the soft term standardises the logits first. */
    public boolean standardize() {
        return standardize;
    }

    @Override
    public boolean acceptsTermWeights() {
        return true;
    }

    @Override
    protected void kernel(double[] z, double[] lab, int n, int c, double[] mask, double[] score, double[] grad) {
        kernel(z, lab, n, c, mask, score, grad, null);
    }

    /**
     * Per row: the log-softmaxes of {@code z/T} and {@code v/T} (of their z-scores if standardised), then KL; with
     * term weights, row {@code i}'s soft term is multiplied by {@code s_i} and its hard-label term by {@code h_i}.
     */
    @Override
    protected void kernel(double[] z, double[] lab, int n, int c, double[] mask, double[] score, double[] grad,
            TermWeights rows) {
        double t = temperature();
        double a = alpha();
        SoftTargets soft = new SoftTargets(c, t, standardize);
        double[] zi = new double[c];
        double[] logP = new double[c];
        double[] g = new double[c];
        for (int i = 0; i < n; i++) {
            double s = row(soft, a, t, rows == null ? 1 : rows.soft(i), rows == null ? 1 : rows.hard(i), z, lab, i,
                    c, zi, logP, g, grad);
            if (score != null) {
                score[i] = s;
            }
        }
    }

    /**
     * The loss of row {@code i} at alpha {@code a} and temperature {@code t} ({@code soft} built for {@code t}), its
     * soft term multiplied by {@code ws} and its hard-label term by {@code wh} (1 without term weights), its gradient
     * added to {@code grad} (when not {@code null}); {@code zi, logP, g} are scratch of length {@code c}.
     */
    static double row(SoftTargets soft, double a, double t, double ws, double wh, double[] z, double[] lab, int i,
            int c, double[] zi, double[] logP, double[] g, double[] grad) {
        row(z, i, c, 0, zi);
        soft.set(zi, lab, i);
        double kl = 0;
        for (int k = 0; k < c; k++) {
            kl += soft.q(k) * (soft.logQ[k] - soft.logP[k]);
            g[k] = ws * (1 - a) * t * t * (soft.p(k) - soft.q(k)); // d/du of T^2 KL, u = z/T
        }
        if (grad != null) {
            soft.backprop(g, grad, i * c);
        }
        double ce = addHardLabel(a * wh, zi, lab, i * 2 * c, logP, grad, i * c);
        return ce + ws * (1 - a) * t * t * kl;
    }

    @Override
    public String name() {
        return "HintonKD(T=" + temperature() + ", alpha=" + alpha() + (standardize ? ", standardized" : "")
                + (weight() == 1 ? "" : ", weight=" + weight()) + ")";
    }
}
