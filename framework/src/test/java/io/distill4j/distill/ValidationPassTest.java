package io.distill4j.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.InputShape;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.loss.FitNetsHint;
import io.distill4j.loss.HardLabelCrossEntropy;
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
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Each head's validation objective read from the epoch's one inference pass equals a separate output pass's. */
class ValidationPassTest {
    @Test
    void headObjectivesFromTheSharedPassEqualThoseOfASeparateOutputPass() {
        List<DistillationLoss> losses = List.of(new HardLabelCrossEntropy(0.7), new HintonKd("kd", 3, 0, 1,
                DistillationLoss.DEFAULT_TEACHER), new FitNetsHint("hidden_0", "t", 0.5,
                DistillationLoss.DEFAULT_TEACHER));
        INDArray x = Nd4j.randn(3, new long[] {100, 6}).castTo(DataType.FLOAT);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 100, 3);
        for (int i = 0; i < 100; i++) {
            y.putScalar(i, (i * 5) % 3, 1);
        }
        var split = new StudentDistiller.SplitData(x, y, Map.of(DistillationLoss.DEFAULT_TEACHER,
                new TeacherOutputs(Nd4j.randn(4, new long[] {100, 3}).castTo(DataType.FLOAT),
                        Map.of("t", Nd4j.randn(5, new long[] {100, 4}).castTo(DataType.FLOAT)))));
        INDArray[] labels = StudentDistiller.labels(losses, split);
        Map<String, Long> widths = new java.util.LinkedHashMap<>();
        for (int i = 0; i < losses.size(); i++) {
            widths.put(losses.get(i).headName(), labels[i].size(1));
        }
        ComputationGraph g = Networks.build(new MlpNetwork(List.of(8, 5), "relu", 0), losses,
                new InputShape(6, 1, 3), new TrainingSettings(1, 32, 0.01, 0, 0), 7, widths);
        var heads = new StudentDistiller.HeadScores(losses, 32);
        var data = new MultiDataSet(new INDArray[] {x}, labels);
        Map<String, Double> separate = heads.validationScores(g, data, null);
        g.clear();
        Map<String, Double> shared = heads.validationScores(g, data, g.feedForward(x, false));
        assertEquals(separate, shared);
        assertEquals(3, new java.util.HashSet<>(shared.values()).size(), "three heads, three different objectives");
        assertNotEquals(separate.values().iterator().next(), 0.0);
    }
}
