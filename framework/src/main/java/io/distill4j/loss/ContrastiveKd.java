package io.distill4j.loss;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.ParameterDomain;
import io.distill4j.plugin.AbstractPluginFactory;
import java.util.List;
import java.util.Map;

/**
 * Contrastive representation distillation, CRD-style (type {@code crd}; after Tian et al., ICLR 2020): InfoNCE between
 * the student's projected embedding and the teacher's, with the other examples of the minibatch as negatives; see
 * {@link ContrastiveLossFunction} for the formula and how it departs from the paper (no memory bank). Extra key
 * {@code temperature} (default 0.1, in [0.001, 100], schedulable as {@code <head>.temperature}); {@code projection}
 * defaults to {@code linear} ({@code mlp} allowed): the embeddings are compared at the teacher layer's width. Keys as
 * in {@link FeatureTerm}.
 */
public final class ContrastiveKd extends FeatureTerm {
    /** The schedulable temperature's name. */
    public static final String TEMPERATURE = "temperature";
    private static final List<Projection> PROJECTIONS = List.of(Projection.LINEAR, Projection.MLP);
    private final ContrastiveLossFunction function;

    public ContrastiveKd(Spec spec, double weight, double temperature) {
        this(spec, new ContrastiveLossFunction(weight, temperature));
    }

    private ContrastiveKd(Spec spec, ContrastiveLossFunction function) {
        super("crd", spec, Projection.LINEAR, function);
        this.function = function;
    }

    @Override
    protected String extra() {
        return ",tau=" + HintonKd.fmt(function.temperature());
    }

    @Override
    public Map<String, Double> parameters() {
        Map<String, Double> p = super.parameters();
        p.put(TEMPERATURE, function.temperature());
        return p;
    }

    @Override
    public ParameterDomain domain(String parameter) {
        return TEMPERATURE.equals(parameter) ? new ParameterDomain(0.001, 100) : super.domain(parameter);
    }

    @Override
    public void setParameter(String name, double value) {
        if (TEMPERATURE.equals(name)) {
            function.setTemperature(value);
        } else {
            super.setParameter(name, value);
        }
    }

    /** Factory for {@code type: crd}. */
    public static final class Factory extends AbstractPluginFactory<DistillationLoss> {
        public Factory() {
            super(DistillationLoss.class, "crd", s -> new ContrastiveKd(Spec.parse(s, PROJECTIONS), Weights.parse(s),
                    s.number(TEMPERATURE, 0.1, 0.001, 100)));
        }
    }
}
