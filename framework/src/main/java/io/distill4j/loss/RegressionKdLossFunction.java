package io.distill4j.loss;

import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Knowledge distillation for a regression output (a predicted return) as a DL4J loss function:
 *
 * <pre>
 *   L = alpha * l(z - y) + (1 - alpha) * (z - v)^2
 *   l(r) = r^2                                  (mse)
 *   l(r) = r^2 if |r| &lt;= delta, else 2 delta |r| - delta^2   (huber)
 * </pre>
 *
 * per output column, summed over the columns, where {@code z} is the student's prediction, {@code y} the label (the
 * forward return, possibly volatility-scaled) and {@code v} the teacher's prediction. The soft term is the squared
 * error to the teacher's output (Ba and Caruana, "Do Deep Nets Really Need to be Deep?", NeurIPS 2014, who regress a
 * student onto a teacher's outputs with an L2 loss); the label term is the squared error or the Huber loss (Huber,
 * "Robust Estimation of a Location Parameter", Ann. Math. Statist. 1964), here scaled by 2 so that it equals the
 * squared error for {@code |r| <= delta} and the two label losses differ only in their tails. <b>Convention:</b>
 * {@code alpha} weighs the label term, as in {@link HintonKdLossFunction}: {@code alpha = 1} is plain regression on
 * labels, {@code alpha = 0} pure distillation. There is no temperature. The head {@code weight} (default 1, >= 0,
 * schedulable) multiplies score and gradient.
 *
 * <p>Labels are {@code [y | v]} ({@link LogitLossFunction}, {@code C} = 1 for a return). The gradient with respect to
 * {@code z} is {@code alpha * l'(z - y) + 2 (1 - alpha) (z - v)}, {@code l'(r) = 2r} (mse) or
 * {@code 2 clip(r, -delta, delta)} (huber). With per-row term weights ({@link RecencyWeights}: labels
 * {@code [y | v | s | h]}), row {@code i}'s label term is multiplied by {@code h_i} and its soft term by {@code s_i},
 * in the score and in the gradient.
 */
public final class RegressionKdLossFunction extends LogitLossFunction {
    private static final long serialVersionUID = 1L;

    /** The label term's loss. */
    public enum LabelLoss {
        /** Squared error. */
        MSE,
        /** Huber loss scaled by 2: squared error up to {@code delta}, linear beyond. */
        HUBER
    }

    @JsonProperty("label_loss")
    private final LabelLoss labelLoss;
    @JsonProperty("delta")
    private final double delta;

    /**
     * A loss whose value and gradient are multiplied by {@code weight} (>= 0); {@code delta} (> 0) is used by
     * {@link LabelLoss#HUBER} only. Also the JSON creator, so a saved graph with this head restores with DL4J's
     * {@code ModelSerializer}.
     */
    @JsonCreator
    public RegressionKdLossFunction(@JsonProperty("alpha") double alpha, @JsonProperty("weight") double weight,
            @JsonProperty("label_loss") LabelLoss labelLoss, @JsonProperty("delta") double delta) {
        setAlpha(alpha);
        setWeight(weight);
        if (labelLoss == null) {
            throw new IllegalArgumentException("label_loss must be mse or huber");
        }
        if (!(delta > 0) || !Double.isFinite(delta)) {
            throw new IllegalArgumentException("delta must be a positive number, got " + delta);
        }
        this.labelLoss = labelLoss;
        this.delta = delta;
    }

    /** The label term's loss. */
    public LabelLoss labelLoss() {
        return labelLoss;
    }

    /** The Huber threshold on the label residual (used by {@link LabelLoss#HUBER} only). */
    public double delta() {
        return delta;
    }

    /** The label term {@code l(r)} of one residual {@code r = z - y}. */
    double labelTerm(double r) {
        if (labelLoss == LabelLoss.MSE || Math.abs(r) <= delta) {
            return r * r;
        }
        return 2 * delta * Math.abs(r) - delta * delta;
    }

    /** {@code l'(r)}. */
    double labelSlope(double r) {
        return labelLoss == LabelLoss.MSE ? 2 * r : 2 * Math.max(-delta, Math.min(delta, r));
    }

    @Override
    public boolean acceptsTermWeights() {
        return true;
    }

    @Override
    protected void kernel(double[] z, double[] lab, int n, int c, double[] mask, double[] score, double[] grad) {
        kernel(z, lab, n, c, mask, score, grad, null);
    }

    @Override
    protected void kernel(double[] z, double[] lab, int n, int c, double[] mask, double[] score, double[] grad,
            TermWeights rows) {
        for (int i = 0; i < n; i++) {
            double a = rows == null ? alpha() : alpha() * rows.hard(i);
            double b = rows == null ? 1 - alpha() : (1 - alpha()) * rows.soft(i);
            double s = 0;
            for (int k = 0; k < c; k++) {
                double zk = z[i * c + k];
                double r = zk - lab[i * 2 * c + k];
                double d = zk - lab[i * 2 * c + c + k];
                s += a * labelTerm(r) + b * d * d;
                if (grad != null) {
                    grad[i * c + k] = a * labelSlope(r) + 2 * b * d;
                }
            }
            if (score != null) {
                score[i] = s;
            }
        }
    }

    @Override
    public String name() {
        return "RegressionKD(alpha=" + alpha() + ", " + labelLoss.name().toLowerCase(java.util.Locale.ROOT)
                + (labelLoss == LabelLoss.HUBER ? ", delta=" + delta : "") + (weight() == 1 ? "" : ", weight="
                + weight()) + ")";
    }
}
