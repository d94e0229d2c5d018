package io.distill4j.loss;

import io.distill4j.config.ConfigNode;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Recency weights of the distillation terms (config {@code distillation.recency}): a training sample's soft term
 * (and, with {@code apply_to: both}, its hard-label term) is multiplied by
 *
 * <pre>
 *   w_i = 2^(-a_i / H) / mean_j 2^(-a_j / H),     a_i = b_last - b_i
 * </pre>
 *
 * where {@code b_i} is sample {@code i}'s bar index, {@code b_last} the last bar of the training split, so
 * {@code a_i} is its age in bars, and {@code H} the half-life in bars: a sample {@code H} bars older weighs half as
 * much, and the mean weight over the training split is 1 (the loss keeps its scale, so alpha, T and the learning rate
 * keep their meaning). The weights are exponential time-decay weights as in exponentially weighted least squares
 * (e.g. Hastie, Tibshirani, Friedman, "The Elements of Statistical Learning", 2nd ed., section 6.1.1 on weighted
 * fits; RiskMetrics' exponentially weighted volatility, J.P. Morgan 1996). Validation and test are never weighted.
 * They reach the loss as two extra label columns {@code [s | h]} per row ({@link LogitLossFunction.TermWeights}),
 * which {@link HintonKdLossFunction} and {@link RegressionKdLossFunction} accept.
 *
 * <pre>
 * distillation:
 *   recency:
 *     half_life_bars: 5000   # H, in [1, 1e12] bars
 *     apply_to: soft         # soft (default): the teacher term only | both: the label term too
 * </pre>
 *
 * @param halfLifeBars {@code H}, in bars (> 0, finite)
 * @param applyTo which terms are weighted
 */
public record RecencyWeights(double halfLifeBars, ApplyTo applyTo) {
    /** The config key under {@code distillation}. */
    public static final String KEY = "recency";

    /** Which terms of the loss the weights multiply. */
    public enum ApplyTo {
        /** The soft (teacher) term only; the hard-label term keeps weight 1. */
        SOFT,
        /** Both terms. */
        BOTH
    }

    public RecencyWeights {
        if (!(halfLifeBars > 0) || !Double.isFinite(halfLifeBars)) {
            throw new IllegalArgumentException("half_life_bars must be a positive number, got " + halfLifeBars);
        }
        if (applyTo == null) {
            throw new IllegalArgumentException("apply_to must be soft or both");
        }
    }

    /** The {@value #KEY} section of a {@code distillation} section, if present (validated, unknown keys rejected). */
    public static Optional<RecencyWeights> parse(ConfigNode distillation) {
        return distillation.optionalSection(KEY).map(r -> {
            double h = r.number("half_life_bars", 1, 1e12);
            ApplyTo applyTo = ApplyTo.valueOf(r.choice("apply_to", "soft", List.of("soft", "both"))
                    .toUpperCase(Locale.ROOT));
            r.finish();
            return new RecencyWeights(h, applyTo);
        });
    }

    /** {@code w_i} for samples at bars {@code bars} (the training split), normalised to mean 1. */
    public double[] weights(int[] bars) {
        if (bars.length == 0) {
            return new double[0];
        }
        int last = Integer.MIN_VALUE;
        for (int b : bars) {
            last = Math.max(last, b);
        }
        double[] w = new double[bars.length];
        double sum = 0;
        for (int i = 0; i < bars.length; i++) {
            w[i] = Math.pow(2, -(last - bars[i]) / halfLifeBars);
            sum += w[i];
        }
        double mean = sum / bars.length;
        for (int i = 0; i < w.length; i++) {
            w[i] /= mean;
        }
        return w;
    }

    /**
     * The two label columns {@code [s | h]} ({@code [n, 2]}, float) for samples at {@code bars}: {@code s = w}, and
     * {@code h = w} with {@link ApplyTo#BOTH}, else 1.
     */
    public INDArray termColumns(int[] bars) {
        double[] w = weights(bars);
        float[] data = new float[2 * w.length];
        for (int i = 0; i < w.length; i++) {
            data[2 * i] = (float) w[i];
            data[2 * i + 1] = applyTo == ApplyTo.BOTH ? (float) w[i] : 1f;
        }
        return Nd4j.create(data, new long[] {w.length, 2}, 'c').castTo(DataType.FLOAT);
    }

    /** A short description for run parameters, e.g. {@code half_life=5000,apply_to=soft}. */
    public String describe() {
        return "half_life=" + HintonKd.fmt(halfLifeBars) + ",apply_to=" + applyTo.name().toLowerCase(Locale.ROOT);
    }
}
