package io.distill4j.distill;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.InputShape;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.loss.HintonKd;
import io.distill4j.model.MlpNetwork;
import io.distill4j.model.Networks;
import io.distill4j.train.TrainingSettings;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Per-row term weights of {@link StudentDistiller.SplitData} reach the loss during training: a pure-distillation
 * student ({@code alpha = 0}) whose soft weights are all zero gets no gradient and keeps its initial weights, while
 * the same student with unit weights moves.
 */
class TermWeightsTrainingTest {
    private static final InputShape SHAPE = new InputShape(6, 1, 3);
    private static final MlpNetwork STUDENT = new MlpNetwork(List.of(8), "tanh", 0);
    private static final TrainingSettings SETTINGS = new TrainingSettings(2, 32, 0.01, 0, 0);

    private static StudentDistiller.SplitData split(long seed, INDArray termWeights) {
        INDArray x = Nd4j.randn(seed, new long[] {64, 6}).castTo(DataType.FLOAT);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 64, 3);
        for (int i = 0; i < 64; i++) {
            y.putScalar(i, x.getDouble(i, 0) > 0 ? 2 : 0, 1);
        }
        INDArray teacher = Nd4j.randn(seed + 1, new long[] {64, 3}).castTo(DataType.FLOAT);
        return new StudentDistiller.SplitData(x, y, Map.of(DistillationLoss.DEFAULT_TEACHER,
                new TeacherOutputs(teacher, Map.of())), termWeights);
    }

    private static INDArray trainedParams(INDArray softWeight) {
        INDArray w = Nd4j.hstack(softWeight, Nd4j.ones(DataType.FLOAT, 64, 1));
        List<DistillationLoss> losses = List.of(new HintonKd(2, 0));
        return StudentDistiller.train("weights", STUDENT, losses, List.of(), SHAPE, SETTINGS, split(1, w),
                split(2, null), 5, 6, r -> { }).graph().params().dup();
    }

    @Test
    void zeroSoftWeightsFreezeAPureDistillationStudent() {
        ComputationGraph untrained = Networks.build(STUDENT, List.of(new HintonKd(2, 0)), SHAPE, SETTINGS, 5);
        INDArray zero = trainedParams(Nd4j.zeros(DataType.FLOAT, 64, 1));
        INDArray one = trainedParams(Nd4j.ones(DataType.FLOAT, 64, 1));
        assertTrue(untrained.params().equalsWithEps(zero, 0), "zero soft weights still trained the student");
        assertFalse(untrained.params().equalsWithEps(one, 1e-6), "unit soft weights did not train the student");
    }

    @Test
    void termWeightsMustBeOnePairPerSample() {
        assertThrows(IllegalArgumentException.class, () -> split(1, Nd4j.ones(DataType.FLOAT, 63, 2)));
    }
}
