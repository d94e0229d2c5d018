package io.distill4j.loss;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.ParameterDomain;
import io.distill4j.plugin.AbstractPluginFactory;
import java.util.List;

/**
 * Decoupled knowledge distillation on the student's logits (type {@code dkd}; Zhao et al., CVPR 2022):
 * {@code alpha * CE + (1 - alpha) * T^2 * (alpha_dkd * TCKD + beta_dkd * NCKD)}; see {@link DkdLossFunction} for the
 * formula and the mapping of the weights to the paper's.
 *
 * <pre>
 * distillation:
 *   loss:
 *     type: dkd
 *     temperature: 4     # T, in [0.001, 100], default 4
 *     alpha: 0.5         # weight of the hard-label term (the Hinton convention), in [0, 1], default 0.5
 *     alpha_dkd: 1       # the paper's alpha: weight of target-class KD, in [0, 1000], default 1
 *     beta_dkd: 8        # the paper's beta: weight of non-target-class KD, in [0, 1000], default 8
 *     standardize: false # z-score the logits first (Sun et al., CVPR 2024), default false
 *     weight: 1          # multiplies the head, >= 0 (every number above is schedulable)
 * </pre>
 */
public final class Dkd extends LogitDistillation {
    /** Schedulable parameter names (also the config keys). */
    public static final String ALPHA_DKD = "alpha_dkd";
    public static final String BETA_DKD = "beta_dkd";
    /** The domain of a term weight ({@code alpha_dkd}, {@code beta_dkd}, DIST's {@code beta}, {@code gamma}). */
    public static final ParameterDomain TERM_WEIGHT_DOMAIN = new ParameterDomain(0, 1000);

    private final DkdLossFunction function;

    public Dkd(double temperature, double alpha, double alphaDkd, double betaDkd, double weight, boolean standardize) {
        this(new DkdLossFunction(temperature, alpha, alphaDkd, betaDkd, weight, standardize));
    }

    private Dkd(DkdLossFunction function) {
        super("dkd", "kd", DEFAULT_TEACHER, function);
        this.function = function;
        declare(HintonKd.TEMPERATURE, "T", function::temperature, function::setTemperature,
                HintonKd.TEMPERATURE_DOMAIN);
        declare(HintonKd.ALPHA, HintonKd.ALPHA, function::alpha, function::setAlpha, HintonKd.ALPHA_DOMAIN);
        declare(ALPHA_DKD, ALPHA_DKD, function::alphaDkd, function::setAlphaDkd, TERM_WEIGHT_DOMAIN);
        declare(BETA_DKD, BETA_DKD, function::betaDkd, function::setBetaDkd, TERM_WEIGHT_DOMAIN);
        declareWeight();
    }

    @Override
    List<String> flags() {
        return function.standardize() ? List.of(HintonKd.STANDARDIZE) : List.of();
    }

    /** Factory for {@code type: dkd}. */
    public static final class Factory extends AbstractPluginFactory<DistillationLoss> {
        public Factory() {
            super(DistillationLoss.class, "dkd", s -> new Dkd(
                    s.number(HintonKd.TEMPERATURE, 4.0, HintonKd.TEMPERATURE_DOMAIN.min(),
                            HintonKd.TEMPERATURE_DOMAIN.max()),
                    s.number(HintonKd.ALPHA, 0.5, HintonKd.ALPHA_DOMAIN.min(), HintonKd.ALPHA_DOMAIN.max()),
                    s.number(ALPHA_DKD, 1.0, TERM_WEIGHT_DOMAIN.min(), TERM_WEIGHT_DOMAIN.max()),
                    s.number(BETA_DKD, 8.0, TERM_WEIGHT_DOMAIN.min(), TERM_WEIGHT_DOMAIN.max()),
                    Weights.parse(s), s.bool(HintonKd.STANDARDIZE, false)));
        }
    }
}
