package io.distill4j.loss;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.config.ConfigNode;
import io.distill4j.plugin.AbstractPluginFactory;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Distillation of a regression output (type {@code regression_kd}, for {@code data.labels.task: regression}):
 * {@code alpha * l(z - y) + (1 - alpha) * (z - v)^2}, {@code l} the squared error or the Huber loss; see
 * {@link RegressionKdLossFunction} for the formula, papers and conventions. {@link #labelsOnly} is the same loss with
 * {@code alpha = 1} and no teacher: how regression teachers and the student-alone baseline train.
 *
 * <pre>
 * distillation:
 *   loss:
 *     type: regression_kd
 *     alpha: 0.5         # weight of the label term, in [0, 1] (schedulable)
 *     label_loss: mse    # mse | huber (default mse)
 *     delta: 1           # huber only: the residual beyond which the label term is linear, > 0 (default 1)
 *     weight: 1          # multiplies the head's score and gradient, >= 0, default 1 (schedulable)
 *     soft: mse          # mse (default) | gaussian: the soft term weighted per sample by the teacher's confidence
 * </pre>
 *
 * <p>{@code soft: gaussian} makes the soft term the student's Gaussian negative log-likelihood under the teacher's
 * predictive distribution {@code N(mu_i, s2_i)} (Nix and Weigend, "Estimating the Mean and Variance of the Target
 * Probability Distribution", ICNN 1994; Kendall and Gal, "What Uncertainties Do We Need in Bayesian Deep Learning for
 * Computer Vision?", NeurIPS 2017), up to a constant and a scale:
 *
 * <pre>
 *   (z_i - mu_i)^2 / (2 s2_i) + const   ->   w_i (z_i - mu_i)^2,   w_i = (1 / s2_i) / mean_j (1 / s2_j)
 * </pre>
 *
 * i.e. the soft squared error weighted per sample by the teacher's precision, normalised to mean 1 over the rows
 * labelled at once (the whole training split; the validation split on its own), so alpha keeps its meaning (weight of
 * the label term) and the loss its scale. <b>The variance is the teacher ensemble's disagreement</b>:
 * {@code mu_i} is the ensemble's (weighted) mean prediction and {@code s2_i} the unweighted variance of its members'
 * predictions plus a floor of {@code 1e-3} times its mean over the rows (a deep-ensemble predictive spread,
 * Lakshminarayanan, Pritzel and Blundell, NeurIPS 2017, without a per-member variance head); it needs an ensemble
 * teacher of at least two members. The weights reach {@link RegressionKdLossFunction} as its per-row soft term
 * weights ({@link LogitLossFunction.TermWeights}), so the option does not combine with {@link RecencyWeights}.
 */
public final class RegressionKd extends LogitDistillation {
    /** The config type. */
    public static final String TYPE = "regression_kd";
    /** Schedulable parameter name. */
    public static final String ALPHA = "alpha";
    /** Config keys (not schedulable). */
    public static final String LABEL_LOSS = "label_loss";
    public static final String DELTA = "delta";
    public static final String SOFT = "soft";
    /** Floor of the teacher variance, relative to its mean over the rows ({@code soft: gaussian}). */
    static final double VARIANCE_FLOOR = 1e-3;

    private final RegressionKdLossFunction function;
    private final boolean labelsOnly;
    private final boolean gaussian;

    /** The single distillation head of a one-teacher regression study, with the plain (mse) soft term. */
    public RegressionKd(double alpha, double weight, RegressionKdLossFunction.LabelLoss labelLoss, double delta) {
        this(alpha, weight, labelLoss, delta, false);
    }

    /**
     * The single distillation head of a one-teacher regression study; {@code gaussian}: the soft term weighted by the
     * teacher ensemble's precision (class javadoc).
     */
    public RegressionKd(double alpha, double weight, RegressionKdLossFunction.LabelLoss labelLoss, double delta,
            boolean gaussian) {
        this("kd", DEFAULT_TEACHER, new RegressionKdLossFunction(alpha, weight, labelLoss, delta), false, gaussian);
    }

    private RegressionKd(String headName, String teacherName, RegressionKdLossFunction function,
            boolean labelsOnly, boolean gaussian) {
        super(TYPE, headName, teacherName, function);
        this.function = function;
        this.labelsOnly = labelsOnly;
        this.gaussian = gaussian;
        declare(ALPHA, ALPHA, function::alpha, function::setAlpha, HintonKd.ALPHA_DOMAIN);
        declareWeight();
    }

    /**
     * The label term alone ({@code alpha = 1}, head {@code hard}, no teacher; the teacher half of its labels is zero):
     * a regression teacher's loss and the student-alone baseline's.
     */
    public static RegressionKd labelsOnly(RegressionKdLossFunction.LabelLoss labelLoss, double delta) {
        return new RegressionKd("hard", null, new RegressionKdLossFunction(1, 1, labelLoss, delta), true,
                false);
    }

    /** The label term's loss. */
    public RegressionKdLossFunction.LabelLoss labelLoss() {
        return function.labelLoss();
    }

    /** The Huber threshold. */
    public double delta() {
        return function.delta();
    }

    /** Whether the soft term is the Gaussian one ({@code soft: gaussian}). */
    public boolean gaussian() {
        return gaussian;
    }

    @Override
    List<String> flags() {
        List<String> out = new java.util.ArrayList<>();
        if (function.labelLoss() == RegressionKdLossFunction.LabelLoss.HUBER) {
            out.add("huber(delta=" + HintonKd.fmt(function.delta()) + ")");
        }
        if (gaussian) {
            out.add("soft=gaussian");
        }
        return out;
    }

    /**
     * {@code [y | v]}, or {@code [y | 0]} for {@link #labelsOnly}; with {@code soft: gaussian}
     * {@code [y | mu | w | 1]}, {@code w} the precision weights of {@link #precisionWeights}.
     */
    @Override
    public INDArray labels(INDArray hardLabels, TeacherOutputs teacher) {
        if (labelsOnly) {
            return Nd4j.hstack(hardLabels, Nd4j.zerosLike(hardLabels));
        }
        INDArray yv = super.labels(hardLabels, teacher);
        if (!gaussian) {
            return yv;
        }
        double[] w = precisionWeights(teacher.members().values());
        INDArray columns = Nd4j.ones(DataType.DOUBLE, w.length, 2);
        columns.getColumn(0).assign(Nd4j.createFromArray(w));
        return Nd4j.hstack(yv, columns.castTo(yv.dataType()));
    }

    /**
     * {@code w_i = (1 / s2_i) / mean_j (1 / s2_j)}, {@code s2_i} the unweighted variance of the members' one-column
     * predictions on row {@code i} plus {@value #VARIANCE_FLOOR} times its mean over the rows (and 1e-12).
     */
    static double[] precisionWeights(java.util.Collection<INDArray> members) {
        if (members.size() < 2) {
            throw new IllegalArgumentException("soft: gaussian needs the predictions of an ensemble teacher of at "
                    + "least two members, got " + members.size());
        }
        List<double[]> predictions = members.stream().map(m -> DoubleRows.flat(m)).toList();
        int n = predictions.get(0).length;
        double[] variance = new double[n];
        double meanVariance = 0;
        for (int i = 0; i < n; i++) {
            double mean = 0;
            for (double[] p : predictions) {
                mean += p[i];
            }
            mean /= predictions.size();
            double ss = 0;
            for (double[] p : predictions) {
                ss += (p[i] - mean) * (p[i] - mean);
            }
            variance[i] = ss / predictions.size();
            meanVariance += variance[i] / n;
        }
        double floor = VARIANCE_FLOOR * meanVariance + 1e-12;
        double[] w = new double[n];
        double meanPrecision = 0;
        for (int i = 0; i < n; i++) {
            w[i] = 1 / (variance[i] + floor);
            meanPrecision += w[i] / n;
        }
        for (int i = 0; i < n; i++) {
            w[i] /= meanPrecision;
        }
        return w;
    }

    /** Parses {@code label_loss} and {@code delta} of a section (shared by the loss and the task's label loss). */
    public static RegressionKdLossFunction.LabelLoss parseLabelLoss(ConfigNode section) {
        return RegressionKdLossFunction.LabelLoss.valueOf(section.choice(LABEL_LOSS, "mse", List.of("mse", "huber"))
                .toUpperCase(Locale.ROOT));
    }

    /** Factory for {@code type: regression_kd}. */
    public static final class Factory extends AbstractPluginFactory<DistillationLoss> {
        public Factory() {
            super(DistillationLoss.class, TYPE, Factory::parse);
        }

        private static DistillationLoss parse(ConfigNode section) {
            double alpha = section.number(ALPHA, 0.5, HintonKd.ALPHA_DOMAIN.min(), HintonKd.ALPHA_DOMAIN.max());
            double weight = Weights.parse(section);
            RegressionKdLossFunction.LabelLoss labelLoss = parseLabelLoss(section);
            double delta = section.number(DELTA, 1.0, 1e-12, Double.MAX_VALUE);
            boolean gaussian = section.choice(SOFT, "mse", List.of("mse", "gaussian")).equals("gaussian");
            return new RegressionKd(alpha, weight, labelLoss, delta, gaussian);
        }
    }
}
