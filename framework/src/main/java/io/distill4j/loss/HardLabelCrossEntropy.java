package io.distill4j.loss;

import io.distill4j.api.VertexNames;

import io.distill4j.api.DistillationLoss;
import io.distill4j.plugin.AbstractPluginFactory;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.config.ConfigNode;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * Plain softmax cross-entropy on hard labels, {@code CE(y, softmax(z)) = -sum_k y_k log p_k} (type
 * {@code cross_entropy}): how teachers train and how the student-alone baseline trains. It is computed by
 * {@link HintonKdLossFunction} with {@code alpha = 1}, where the distillation term vanishes, so that the baseline and
 * the distilled students run exactly the same code; the teacher half of the labels is zero and unused. Its one parameter is {@code weight} (default 1, >= 0):
 * {@code {type: cross_entropy, weight: 1}}.
 */
public final class HardLabelCrossEntropy implements DistillationLoss {
    private final HintonKdLossFunction function;

    public HardLabelCrossEntropy() {
        this(1.0);
    }

    /** Cross-entropy multiplied by {@code weight} (the hard-label head of a multi-teacher student: alpha). */
    public HardLabelCrossEntropy(double weight) {
        this.function = new HintonKdLossFunction(1.0, 1.0, weight);
    }

    @Override
    public String teacherName() {
        return null;
    }

    @Override
    public String describe() {
        return function.weight() == 1 ? "cross_entropy" : "cross_entropy(weight=" + HintonKd.fmt(function.weight()) + ")";
    }

    @Override
    public String headName() {
        return "hard";
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
        return Nd4j.hstack(hardLabels, Nd4j.zerosLike(hardLabels));
    }

    @Override
    public Map<String, Double> parameters() {
        return Map.of(WEIGHT, function.weight());
    }

    @Override
    public void setParameter(String name, double value) {
        if (!name.equals(WEIGHT)) {
            throw new IllegalArgumentException("cross_entropy has no parameter '" + name + "'");
        }
        function.setWeight(value);
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
