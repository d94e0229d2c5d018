package io.distill4j.loss;

import java.util.Arrays;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Regime-conditional Hinton distillation: the loss of {@link HintonKdLossFunction} (Hinton, Vinyals, Dean,
 * "Distilling the Knowledge in a Neural Network", 2015) with alpha and T chosen <b>per sample</b> by the sample's
 * market regime {@code r}:
 *
 * <pre>
 *   L_i = alpha_r * CE(y_i, softmax(z_i)) + (1 - alpha_r) * T_r^2 * KL( softmax(v_i / T_r) || softmax(z_i / T_r) )
 * </pre>
 *
 * where {@code alpha_r} and {@code T_r} are regime {@code r}'s own values, or the loss's {@link #alpha()} and
 * {@link #temperature()} for a regime without one (these stay schedulable and then drive exactly those regimes). The
 * conventions are Hinton's: {@code alpha} weighs the hard label, the {@code T^2} factor is kept for every alpha, the
 * head {@code weight} multiplies every row; per row the gradient is
 * {@code alpha_r (p - y) + (1 - alpha_r) T_r (p_{T_r} - q_{T_r})}. With the same alpha and T in every regime it is
 * exactly {@link HintonKdLossFunction}.
 *
 * <p>Labels are {@code [y | v | r]} ({@code [n, 2C + 1]}): the hard one-hot label, the teacher's logits and the
 * regime index as a number ({@code 0 .. regimes - 1}).
 */
public final class RegimeHintonKdLossFunction extends LogitLossFunction {
    private static final long serialVersionUID = 1L;

    @JsonProperty("standardize")
    private final boolean standardize;
    @JsonProperty("regimeAlphas")
    private final double[] regimeAlphas;
    @JsonProperty("regimeTemperatures")
    private final double[] regimeTemperatures;

    /**
     * @param regimeAlphas alpha per regime index ({@code NaN}: the loss's alpha); each else in [0, 1]
     * @param regimeTemperatures T per regime index ({@code NaN}: the loss's T); each else positive; same length
     */
    @JsonCreator
    public RegimeHintonKdLossFunction(@JsonProperty("temperature") double temperature,
            @JsonProperty("alpha") double alpha, @JsonProperty("weight") double weight,
            @JsonProperty("standardize") Boolean standardize, @JsonProperty("regimeAlphas") double[] regimeAlphas,
            @JsonProperty("regimeTemperatures") double[] regimeTemperatures) {
        setTemperature(temperature);
        setAlpha(alpha);
        setWeight(weight);
        this.standardize = standardize != null && standardize;
        if (regimeAlphas.length == 0 || regimeAlphas.length != regimeTemperatures.length) {
            throw new IllegalArgumentException("need alpha and T slots for the same (non-zero) number of regimes");
        }
        for (int r = 0; r < regimeAlphas.length; r++) {
            if (!Double.isNaN(regimeAlphas[r]) && !(regimeAlphas[r] >= 0 && regimeAlphas[r] <= 1)) {
                throw new IllegalArgumentException("regime " + r + ": alpha must be in [0, 1], got " + regimeAlphas[r]);
            }
            if (!Double.isNaN(regimeTemperatures[r])
                    && !(regimeTemperatures[r] > 0 && Double.isFinite(regimeTemperatures[r]))) {
                throw new IllegalArgumentException("regime " + r + ": temperature must be positive, got "
                        + regimeTemperatures[r]);
            }
        }
        this.regimeAlphas = regimeAlphas.clone();
        this.regimeTemperatures = regimeTemperatures.clone();
    }

    /** Whether the soft term standardises the logits first ({@link LogitStandardization}). */
    public boolean standardize() {
        return standardize;
    }

    /** The number of regimes. */
    public int regimes() {
        return regimeAlphas.length;
    }

    /** Regime {@code r}'s alpha now: its own, or the loss's. */
    public double alpha(int r) {
        return Double.isNaN(regimeAlphas[r]) ? alpha() : regimeAlphas[r];
    }

    /** Regime {@code r}'s temperature now: its own, or the loss's. */
    public double temperature(int r) {
        return Double.isNaN(regimeTemperatures[r]) ? temperature() : regimeTemperatures[r];
    }

    @Override
    protected int sampleColumns() {
        return 1;
    }

    @Override
    protected void kernel(double[] z, double[] lab, int n, int c, double[] mask, double[] score, double[] grad) {
        throw new IllegalStateException(name() + " needs each sample's regime: labels [y | v | r]");
    }

    @Override
    protected void kernel(double[] z, double[] lab, double[] samples, int n, int c, double[] mask, double[] score,
            double[] grad) {
        int regimes = regimes();
        double[] a = new double[regimes];
        double[] t = new double[regimes];
        SoftTargets[] soft = new SoftTargets[regimes];
        for (int r = 0; r < regimes; r++) {
            a[r] = alpha(r);
            t[r] = temperature(r);
            soft[r] = new SoftTargets(c, t[r], standardize);
        }
        double[] zi = new double[c];
        double[] logP = new double[c];
        double[] g = new double[c];
        for (int i = 0; i < n; i++) {
            int r = (int) samples[i];
            if (r != samples[i] || r < 0 || r >= regimes) {
                throw new IllegalArgumentException(name() + ": sample " + i + " has regime " + samples[i]
                        + ", expected an index in [0, " + regimes + ")");
            }
            double s = HintonKdLossFunction.row(soft[r], a[r], t[r], 1, 1, z, lab, i, c, zi, logP, g, grad);
            if (score != null) {
                score[i] = s;
            }
        }
    }

    @Override
    public String name() {
        return "RegimeHintonKD(T=" + temperature() + ", alpha=" + alpha() + ", regime alphas="
                + Arrays.toString(regimeAlphas) + ", regime T=" + Arrays.toString(regimeTemperatures)
                + (standardize ? ", standardized" : "") + (weight() == 1 ? "" : ", weight=" + weight()) + ")";
    }
}
