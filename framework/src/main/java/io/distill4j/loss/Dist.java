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
 * DIST on the student's logits (type {@code dist}; Huang et al., NeurIPS 2022):
 * {@code alpha * CE + (1 - alpha) * T^2 * (beta * inter + gamma * intra)} with Pearson-correlation distances between
 * the student's and the teacher's tempered probabilities, per sample (inter-class) and per class over the minibatch
 * (intra-class); see {@link DistLossFunction} for the formula, the weights and the minibatch caveat.
 *
 * <pre>
 * distillation:
 *   loss:
 *     type: dist
 *     temperature: 1     # T, in [0.001, 100], default 1 (the paper: 1 on ImageNet, 4 on CIFAR)
 *     alpha: 0.5         # weight of the hard-label term (the Hinton convention), in [0, 1], default 0.5
 *     beta: 1            # weight of the inter-class term, in [0, 1000], default 1
 *     gamma: 1           # weight of the intra-class term, in [0, 1000], default 1
 *     weight: 1          # multiplies the head, >= 0 (every number above is schedulable)
 * </pre>
 */
public final class Dist implements DistillationLoss {
    /** Schedulable parameter names (also the config keys). */
    public static final String BETA = "beta";
    public static final String GAMMA = "gamma";

    private final DistLossFunction function;

    public Dist(double temperature, double alpha, double beta, double gamma, double weight) {
        this.function = new DistLossFunction(temperature, alpha, beta, gamma, weight);
    }

    @Override
    public String describe() {
        return "dist(T=" + HintonKd.fmt(function.temperature()) + ",alpha=" + HintonKd.fmt(function.alpha())
                + ",beta=" + HintonKd.fmt(function.beta()) + ",gamma=" + HintonKd.fmt(function.gamma())
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
        p.put(BETA, function.beta());
        p.put(GAMMA, function.gamma());
        p.put(WEIGHT, function.weight());
        return p;
    }

    @Override
    public ParameterDomain domain(String parameter) {
        return switch (parameter) {
            case HintonKd.TEMPERATURE -> HintonKd.TEMPERATURE_DOMAIN;
            case HintonKd.ALPHA -> HintonKd.ALPHA_DOMAIN;
            case BETA, GAMMA -> Dkd.TERM_WEIGHT_DOMAIN;
            case WEIGHT -> WEIGHT_DOMAIN;
            default -> throw new IllegalArgumentException("dist has no parameter '" + parameter + "'");
        };
    }

    @Override
    public void setParameter(String name, double value) {
        switch (name) {
            case HintonKd.TEMPERATURE -> function.setTemperature(value);
            case HintonKd.ALPHA -> function.setAlpha(value);
            case BETA -> function.setBeta(value);
            case GAMMA -> function.setGamma(value);
            case WEIGHT -> function.setWeight(value);
            default -> throw new IllegalArgumentException("dist has no parameter '" + name + "'");
        }
    }

    /** Factory for {@code type: dist}. */
    public static final class Factory extends AbstractPluginFactory<DistillationLoss> {
        public Factory() {
            super(DistillationLoss.class, "dist", s -> new Dist(
                    s.number(HintonKd.TEMPERATURE, 1.0, HintonKd.TEMPERATURE_DOMAIN.min(),
                            HintonKd.TEMPERATURE_DOMAIN.max()),
                    s.number(HintonKd.ALPHA, 0.5, HintonKd.ALPHA_DOMAIN.min(), HintonKd.ALPHA_DOMAIN.max()),
                    s.number(BETA, 1.0, Dkd.TERM_WEIGHT_DOMAIN.min(), Dkd.TERM_WEIGHT_DOMAIN.max()),
                    s.number(GAMMA, 1.0, Dkd.TERM_WEIGHT_DOMAIN.min(), Dkd.TERM_WEIGHT_DOMAIN.max()),
                    Weights.parse(s)));
        }
    }
}
