package io.distill4j.loss;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.config.ConfigNode;
import io.distill4j.plugin.AbstractPluginFactory;
import java.util.List;
import java.util.Locale;
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
 * </pre>
 */
public final class RegressionKd extends LogitDistillation {
    /** The config type. */
    public static final String TYPE = "regression_kd";
    /** Schedulable parameter name. */
    public static final String ALPHA = "alpha";
    /** Config keys (not schedulable). */
    public static final String LABEL_LOSS = "label_loss";
    public static final String DELTA = "delta";

    private final RegressionKdLossFunction function;
    private final boolean labelsOnly;

    /** The single distillation head of a one-teacher regression study. */
    public RegressionKd(double alpha, double weight, RegressionKdLossFunction.LabelLoss labelLoss, double delta) {
        this("kd", DEFAULT_TEACHER, new RegressionKdLossFunction(alpha, weight, labelLoss, delta), false);
    }

    private RegressionKd(String headName, String teacherName, RegressionKdLossFunction function,
            boolean labelsOnly) {
        super(TYPE, headName, teacherName, function);
        this.function = function;
        this.labelsOnly = labelsOnly;
        declare(ALPHA, ALPHA, function::alpha, function::setAlpha, HintonKd.ALPHA_DOMAIN);
        declareWeight();
    }

    /**
     * The label term alone ({@code alpha = 1}, head {@code hard}, no teacher; the teacher half of its labels is zero):
     * a regression teacher's loss and the student-alone baseline's.
     */
    public static RegressionKd labelsOnly(RegressionKdLossFunction.LabelLoss labelLoss, double delta) {
        return new RegressionKd("hard", null, new RegressionKdLossFunction(1, 1, labelLoss, delta), true);
    }

    /** The label term's loss. */
    public RegressionKdLossFunction.LabelLoss labelLoss() {
        return function.labelLoss();
    }

    /** The Huber threshold. */
    public double delta() {
        return function.delta();
    }

    @Override
    List<String> flags() {
        return function.labelLoss() == RegressionKdLossFunction.LabelLoss.HUBER
                ? List.of("huber(delta=" + HintonKd.fmt(function.delta()) + ")") : List.of();
    }

    /** {@code [y | v]}, or {@code [y | 0]} for {@link #labelsOnly}. */
    @Override
    public INDArray labels(INDArray hardLabels, TeacherOutputs teacher) {
        return labelsOnly ? Nd4j.hstack(hardLabels, Nd4j.zerosLike(hardLabels)) : super.labels(hardLabels, teacher);
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
            return new RegressionKd(alpha, weight, labelLoss, delta);
        }
    }
}
