package io.distill4j.loss;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.ParameterDomain;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.api.VertexNames;
import io.distill4j.plugin.AbstractPluginFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;

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
public final class Dkd implements DistillationLoss {
    /** Schedulable parameter names (also the config keys). */
    public static final String ALPHA_DKD = "alpha_dkd";
    public static final String BETA_DKD = "beta_dkd";
    /** The domain of a term weight ({@code alpha_dkd}, {@code beta_dkd}, DIST's {@code beta}, {@code gamma}). */
    public static final ParameterDomain TERM_WEIGHT_DOMAIN = new ParameterDomain(0, 1000);

    private final DkdLossFunction function;

    public Dkd(double temperature, double alpha, double alphaDkd, double betaDkd, double weight, boolean standardize) {
        this.function = new DkdLossFunction(temperature, alpha, alphaDkd, betaDkd, weight, standardize);
    }

    @Override
    public String describe() {
        return "dkd(T=" + HintonKd.fmt(function.temperature()) + ",alpha=" + HintonKd.fmt(function.alpha())
                + ",alpha_dkd=" + HintonKd.fmt(function.alphaDkd()) + ",beta_dkd=" + HintonKd.fmt(function.betaDkd())
                + (function.standardize() ? ",standardize" : "")
                + (function.weight() == 1 ? "" : ",weight=" + HintonKd.fmt(function.weight())) + ")";
    }

    @Override
    public String headName() {
        return "kd";
    }

    @Override
    public String inputVertex() {
        return VertexNames.LOGITS;
    }

    @Override
    public ILossFunction lossFunction() {
        return function;
    }

    @Override
    public INDArray labels(INDArray hardLabels, TeacherOutputs teacher) {
        return HintonKd.logitLabels(hardLabels, teacher);
    }

    @Override
    public Map<String, Double> parameters() {
        Map<String, Double> p = new LinkedHashMap<>();
        p.put(HintonKd.TEMPERATURE, function.temperature());
        p.put(HintonKd.ALPHA, function.alpha());
        p.put(ALPHA_DKD, function.alphaDkd());
        p.put(BETA_DKD, function.betaDkd());
        p.put(WEIGHT, function.weight());
        return p;
    }

    @Override
    public ParameterDomain domain(String parameter) {
        return switch (parameter) {
            case HintonKd.TEMPERATURE -> HintonKd.TEMPERATURE_DOMAIN;
            case HintonKd.ALPHA -> HintonKd.ALPHA_DOMAIN;
            case ALPHA_DKD, BETA_DKD -> TERM_WEIGHT_DOMAIN;
            case WEIGHT -> WEIGHT_DOMAIN;
            default -> throw new IllegalArgumentException("dkd has no parameter '" + parameter + "'");
        };
    }

    @Override
    public void setParameter(String name, double value) {
        switch (name) {
            case HintonKd.TEMPERATURE -> function.setTemperature(value);
            case HintonKd.ALPHA -> function.setAlpha(value);
            case ALPHA_DKD -> function.setAlphaDkd(value);
            case BETA_DKD -> function.setBetaDkd(value);
            case WEIGHT -> function.setWeight(value);
            default -> throw new IllegalArgumentException("dkd has no parameter '" + name + "'");
        }
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
