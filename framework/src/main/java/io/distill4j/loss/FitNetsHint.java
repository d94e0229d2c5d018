package io.distill4j.loss;

import io.distill4j.api.DistillationLoss;
import io.distill4j.plugin.AbstractPluginFactory;
import java.util.List;

/**
 * A FitNets hint term (type {@code hint}; Romero et al., "FitNets: Hints for Thin Deep Nets", ICLR 2015): a student
 * layer (the guided layer) is projected by a trainable regressor {@code W_r} to the shape of a teacher layer (the hint
 * layer), and the head's loss is {@code weight * 1/2 * ||W_r(u) - h||^2} per example (see {@link HintLossFunction}).
 * The regressor ({@code projection}: {@code linear} by default, {@code mlp}, or {@code conv}, a 1x1 convolution over
 * time, for sequence layers; see {@link FeatureTerm}) belongs to the head: it trains with the student, and the
 * gradient reaches the guided layer and everything below it, but it is not part of the deployable student. The term
 * trains jointly with the other heads, its {@code weight} (the term's gamma) balancing them and schedulable; the
 * paper's two-stage training is a schedule of the weights (see the README).
 *
 * <pre>
 *   {type: hint, student_layer: hidden_0, teacher_layer: hidden_1, weight: 1, teacher: teacher}
 * </pre>
 *
 * {@code student_layer} names one of the student's {@link io.distill4j.api.Student#featureLayers()},
 * {@code teacher_layer} one of the teacher's {@link io.distill4j.api.Teacher#featureLayers()} (both checked at
 * validation).
 */
public final class FitNetsHint extends FeatureTerm {
    private static final List<Projection> PROJECTIONS = List.of(Projection.LINEAR, Projection.MLP, Projection.CONV);
    public FitNetsHint(Spec spec, double weight) {
        super("hint", spec, Projection.LINEAR, new HintLossFunction(weight));
    }

    /** A linear hint between two vector layers. */
    public FitNetsHint(String studentLayer, String teacherLayer, double weight, String teacherName) {
        this(new Spec(studentLayer, teacherLayer, teacherName, Projection.LINEAR, Pooling.NONE, 1), weight);
    }

    /** Factory for {@code type: hint}. */
    public static final class Factory extends AbstractPluginFactory<DistillationLoss> {
        public Factory() {
            super(DistillationLoss.class, "hint", s -> new FitNetsHint(Spec.parse(s, PROJECTIONS), Weights.parse(s)));
        }
    }
}
