package io.distill4j.loss;

import io.distill4j.api.DistillationLoss;
import io.distill4j.plugin.AbstractPluginFactory;
import java.util.List;

/**
 * Relational knowledge distillation (type {@code rkd}; Park et al., CVPR 2019): distance and angle relations between
 * the examples of a minibatch, see {@link RelationalLossFunction} for the formula and weights. Extra keys
 * {@code distance_weight} (default 1), {@code angle_weight} (default 2, the paper's 25:50 ratio),
 * {@code angle_anchors} (default 0: the exact angle term; k: its sampled-anchor estimate, per relation group) and
 * {@code group_size} (default 0: the whole minibatch; g: relation groups of g rows, {@link BatchLossFunction});
 * widths may differ, so {@code projection} defaults to {@code none} ({@code linear}, {@code mlp} allowed). Keys as in
 * {@link FeatureTerm}.
 */
public final class RelationalKd extends FeatureTerm {
    private static final List<Projection> PROJECTIONS = List.of(Projection.NONE, Projection.LINEAR, Projection.MLP);
    /** The largest {@code angle_anchors}. */
    public static final int MAX_ANCHORS = 1_000_000;
    private final RelationalLossFunction function;

    public RelationalKd(Spec spec, double weight, double distanceWeight, double angleWeight) {
        this(spec, weight, distanceWeight, angleWeight, 0);
    }

    /** @param angleAnchors the angle term's anchors per minibatch (0: all, exact) */
    public RelationalKd(Spec spec, double weight, double distanceWeight, double angleWeight, int angleAnchors) {
        this(spec, new RelationalLossFunction(weight, distanceWeight, angleWeight, angleAnchors));
    }

    private RelationalKd(Spec spec, RelationalLossFunction function) {
        super("rkd", spec, Projection.NONE, function);
        this.function = function;
    }

    @Override
    protected String extra() {
        return (function.distanceWeight() == 1 && function.angleWeight() == 2 ? ""
                : ",distance=" + HintonKd.fmt(function.distanceWeight()) + ",angle="
                        + HintonKd.fmt(function.angleWeight()))
                + (function.angleAnchors() == 0 ? "" : ",anchors=" + function.angleAnchors());
    }

    /** Factory for {@code type: rkd}. */
    public static final class Factory extends AbstractPluginFactory<DistillationLoss> {
        public Factory() {
            super(DistillationLoss.class, "rkd", s -> withGroups(new RelationalKd(Spec.parse(s, PROJECTIONS),
                    Weights.parse(s), s.number("distance_weight", 1, 0, Weights.MAX),
                    s.number("angle_weight", 2, 0, Weights.MAX), s.integer("angle_anchors", 0, 0, MAX_ANCHORS)), s));
        }
    }
}
