package io.distill4j.loss;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.ParameterDomain;
import io.distill4j.config.ConfigNode;
import io.distill4j.plugin.AbstractPluginFactory;

/**
 * Hinton knowledge distillation on the student's logits (type {@code hinton}):
 * {@code alpha * CE(y, student) + (1 - alpha) * T^2 * KL(teacher_T || student_T)}; see
 * {@link HintonKdLossFunction} for the formula, paper and conventions.
 *
 * <pre>
 * distillation:
 *   loss:
 *     type: hinton
 *     temperature: 4     # T, in (0, 100]
 *     alpha: 0.5         # weight of the hard-label term, in [0, 1]
 *     weight: 1          # multiplies the head's score and gradient, >= 0, default 1 (schedulable)
 *     standardize: false # z-score both logit rows before the temperature (Sun et al., CVPR 2024), default false
 * </pre>
 */
public final class HintonKd extends LogitDistillation {
    /** Schedulable parameter names. */
    public static final String TEMPERATURE = "temperature";
    public static final String ALPHA = "alpha";
    /** The config key of the logit standardisation option (not schedulable). */
    public static final String STANDARDIZE = "standardize";
    /** The temperature's domain: positive (it divides the logits), at most 100. */
    public static final ParameterDomain TEMPERATURE_DOMAIN = new ParameterDomain(1e-3, 100);
    /** Alpha's domain: a weight between the hard-label and the distillation term. */
    public static final ParameterDomain ALPHA_DOMAIN = new ParameterDomain(0, 1);

    private final HintonKdLossFunction function;

    public HintonKd(double temperature, double alpha) {
        this(temperature, alpha, 1.0);
    }

    /** The single KD head of a one-teacher study, scaled by {@code weight}. */
    public HintonKd(double temperature, double alpha, double weight) {
        this("kd", temperature, alpha, weight, DEFAULT_TEACHER);
    }

    /**
     * A KD head with its own name, weight and teacher (one term of a multi-teacher student: {@code alpha = 0}, the
     * hard-label term lives in its own head).
     */
    public HintonKd(String headName, double temperature, double alpha, double weight, String teacherName) {
        this(headName, temperature, alpha, weight, teacherName, false);
    }

    /** A KD head that standardises the logits of its soft term when {@code standardize} ({@link HintonKdLossFunction}). */
    public HintonKd(String headName, double temperature, double alpha, double weight, String teacherName,
            boolean standardize) {
        this(headName, teacherName, new HintonKdLossFunction(temperature, alpha, weight, standardize));
    }

    private HintonKd(String headName, String teacherName, HintonKdLossFunction function) {
        super("hinton", headName, teacherName, function);
        this.function = function;
        declare(TEMPERATURE, "T", function::temperature, function::setTemperature, TEMPERATURE_DOMAIN);
        declare(ALPHA, ALPHA, function::alpha, function::setAlpha, ALPHA_DOMAIN);
        declareWeight();
    }

    /** Whether the soft term standardises the logits ({@link LogitStandardization}). */
    public boolean standardize() {
        return function.standardize();
    }

    @Override
    java.util.List<String> flags() {
        return function.standardize() ? java.util.List.of(STANDARDIZE) : java.util.List.of();
    }

    static String fmt(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
    }

    /** Factory for {@code type: hinton}. */
    public static final class Factory extends AbstractPluginFactory<DistillationLoss> {
        public Factory() {
            super(DistillationLoss.class, "hinton", Factory::parse);
        }

        private static DistillationLoss parse(ConfigNode section) {
            return new HintonKd("kd",
                    section.number(TEMPERATURE, 4.0, TEMPERATURE_DOMAIN.min(), TEMPERATURE_DOMAIN.max()),
                    section.number(ALPHA, 0.5, ALPHA_DOMAIN.min(), ALPHA_DOMAIN.max()), Weights.parse(section),
                    DEFAULT_TEACHER, section.bool(STANDARDIZE, false));
        }
    }
}
