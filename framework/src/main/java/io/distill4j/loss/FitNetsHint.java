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
 * trains jointly with the other heads, its {@code weight} (the term's gamma) balancing them and schedulable.
 *
 * <p>The paper's <b>two-stage training</b>: with {@code pretrain_epochs: N} (default 0, none) the hint first trains
 * alone for N epochs, at weight 1, and moves only the student's layers up to the guided layer and the regressor (the
 * layers above it and the logits stay as initialised); then the study's objective trains the whole student for
 * {@code training.epochs}, with the hint at its {@code weight} ({@code weight: 0} is the paper's second stage, KD
 * alone). At most one head of a student pre-trains.
 *
 * <pre>
 *   {type: hint, student_layer: hidden_0, teacher_layer: hidden_1, weight: 1, teacher: teacher, pretrain_epochs: 0}
 * </pre>
 *
 * {@code student_layer} names one of the student's {@link io.distill4j.api.Student#featureLayers()},
 * {@code teacher_layer} one of the teacher's {@link io.distill4j.api.Teacher#featureLayers()} (both checked at
 * validation).
 */
public final class FitNetsHint extends FeatureTerm {
    /** The key of the pre-training stage's length. */
    public static final String PRETRAIN_EPOCHS = "pretrain_epochs";
    private static final List<Projection> PROJECTIONS = List.of(Projection.LINEAR, Projection.MLP, Projection.CONV);
    private final int pretrainEpochs;

    public FitNetsHint(Spec spec, double weight) {
        this(spec, weight, 0);
    }

    /** A hint with a pre-training stage of {@code pretrainEpochs} epochs (0: none). */
    public FitNetsHint(Spec spec, double weight, int pretrainEpochs) {
        super("hint", spec, Projection.LINEAR, new HintLossFunction(weight));
        if (pretrainEpochs < 0) {
            throw new IllegalArgumentException(PRETRAIN_EPOCHS + " must be >= 0, got " + pretrainEpochs);
        }
        this.pretrainEpochs = pretrainEpochs;
    }

    @Override
    public int pretrainingEpochs() {
        return pretrainEpochs;
    }

    @Override
    protected String extra() {
        return pretrainEpochs == 0 ? "" : ",pretrain=" + pretrainEpochs;
    }

    /** A linear hint between two vector layers. */
    public FitNetsHint(String studentLayer, String teacherLayer, double weight, String teacherName) {
        this(new Spec(studentLayer, teacherLayer, teacherName, Projection.LINEAR, Pooling.NONE, 1), weight);
    }

    /** Factory for {@code type: hint}. */
    public static final class Factory extends AbstractPluginFactory<DistillationLoss> {
        public Factory() {
            super(DistillationLoss.class, "hint", s -> new FitNetsHint(Spec.parse(s, PROJECTIONS), Weights.parse(s),
                    s.integer(PRETRAIN_EPOCHS, 0, 0, 100_000)));
        }
    }
}
