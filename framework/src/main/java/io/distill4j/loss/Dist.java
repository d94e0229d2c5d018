package io.distill4j.loss;

import io.distill4j.api.DistillationLoss;
import io.distill4j.plugin.AbstractPluginFactory;

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
public final class Dist extends LogitDistillation {
    /** Schedulable parameter names (also the config keys). */
    public static final String BETA = "beta";
    public static final String GAMMA = "gamma";

    public Dist(double temperature, double alpha, double beta, double gamma, double weight) {
        this(new DistLossFunction(temperature, alpha, beta, gamma, weight));
    }

    private Dist(DistLossFunction function) {
        super("dist", "kd", DEFAULT_TEACHER, function);
        declare(HintonKd.TEMPERATURE, "T", function::temperature, function::setTemperature,
                HintonKd.TEMPERATURE_DOMAIN);
        declare(HintonKd.ALPHA, HintonKd.ALPHA, function::alpha, function::setAlpha, HintonKd.ALPHA_DOMAIN);
        declare(BETA, BETA, function::beta, function::setBeta, Dkd.TERM_WEIGHT_DOMAIN);
        declare(GAMMA, GAMMA, function::gamma, function::setGamma, Dkd.TERM_WEIGHT_DOMAIN);
        declareWeight();
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
