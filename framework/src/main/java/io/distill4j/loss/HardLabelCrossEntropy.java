package io.distill4j.loss;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.config.ConfigNode;
import io.distill4j.plugin.AbstractPluginFactory;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Plain softmax cross-entropy on hard labels, {@code CE(y, softmax(z)) = -sum_k y_k log p_k} (type
 * {@code cross_entropy}): how teachers train and how the student-alone baseline trains. It is computed by
 * {@link HintonKdLossFunction} with {@code alpha = 1}, where the distillation term vanishes, so that the baseline and
 * the distilled students run exactly the same code; the teacher half of the labels is zero and unused. Its one parameter is {@code weight} (default 1, >= 0):
 * {@code {type: cross_entropy, weight: 1}}.
 */
public final class HardLabelCrossEntropy extends LogitDistillation {
    public HardLabelCrossEntropy() {
        this(1.0);
    }

    /** Cross-entropy multiplied by {@code weight} (the hard-label head of a multi-teacher student: alpha). */
    public HardLabelCrossEntropy(double weight) {
        this(new HintonKdLossFunction(1.0, 1.0, weight));
    }

    private HardLabelCrossEntropy(HintonKdLossFunction function) {
        super("cross_entropy", "hard", null, function);
        declareWeight();
    }

    /** {@code [y | 0]}: the teacher half is unused. */
    @Override
    public INDArray labels(INDArray hardLabels, TeacherOutputs teacher) {
        return Nd4j.hstack(hardLabels, Nd4j.zerosLike(hardLabels));
    }

    /** Factory for {@code type: cross_entropy}. */
    public static final class Factory extends AbstractPluginFactory<DistillationLoss> {
        public Factory() {
            super(DistillationLoss.class, "cross_entropy", Factory::parse);
        }

        private static DistillationLoss parse(ConfigNode section) {
            return new HardLabelCrossEntropy(Weights.parse(section));
        }
    }
}
