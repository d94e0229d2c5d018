package io.distill4j.loss;

import io.distill4j.api.DistillationLoss;
import io.distill4j.plugin.AbstractPluginFactory;
import java.util.List;

/**
 * Activation matching (type {@code activation}): the student layer, projected to the teacher layer's shape, matches
 * the teacher's activations by a squared error normalised by the feature size {@code D},
 * {@code weight * 1/D * ||P(u) - h||^2} per example ({@link HintLossFunction} in its mean form), so that terms on
 * layers of different widths have comparable scales. It is the projected-MSE feature loss of the FitNets family
 * (Romero et al. 2015) without the paper's 1/2 and summed form. Keys as in {@link FeatureTerm}; {@code projection}
 * defaults to {@code linear} ({@code mlp}, {@code conv} for sequence layers).
 */
public final class ActivationMatching extends FeatureTerm {
    private static final List<Projection> PROJECTIONS = List.of(Projection.LINEAR, Projection.MLP, Projection.CONV);
    public ActivationMatching(Spec spec, double weight) {
        super("activation", spec, Projection.LINEAR, new HintLossFunction(weight, true));
    }

    /** Factory for {@code type: activation}. */
    public static final class Factory extends AbstractPluginFactory<DistillationLoss> {
        public Factory() {
            super(DistillationLoss.class, "activation", s -> new ActivationMatching(Spec.parse(s, PROJECTIONS),
                    Weights.parse(s)));
        }
    }
}
