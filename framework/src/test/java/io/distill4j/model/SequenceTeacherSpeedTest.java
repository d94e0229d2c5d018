package io.distill4j.model;

import io.distill4j.api.InputShape;
import io.distill4j.api.Student;
import io.distill4j.loss.HardLabelCrossEntropy;
import io.distill4j.train.TrainingSettings;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Prints the training speed (samples/s) of the sequence teachers at their default sizes on the same random data
 * (2048 windows of 12 features x 32 bars, 3 classes, batch 256): a measurement for the README, not an assertion.
 * Run with {@code ./mvnw -B -q -pl framework test -Dtest=SequenceTeacherSpeedTest -DexcludedGroups=}.
 */
@Tag("slow")
class SequenceTeacherSpeedTest {
    @Test
    void printTrainingSpeed() {
        InputShape shape = new InputShape(12, 32, 3);
        int n = 2048;
        int batch = 256;
        INDArray x = Nd4j.randn(1, new long[] {n, 12, 32}).castTo(DataType.FLOAT);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 3);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, i % 3, 1);
        }
        INDArray labels = new HardLabelCrossEntropy().labels(y, null);
        Map<String, Student> bodies = new java.util.LinkedHashMap<>();
        bodies.put("lstm [64]", new LstmNetwork(List.of(64), 0));
        bodies.put("attention d32 h4", new AttentionNetwork(32, 4, 8, List.of(), 0));
        bodies.put("transformer d32 h4 2 blocks ff64", new TransformerNetwork(32, 4, 2, 64, "relu", 0, "mean"));
        bodies.put("transformer d32 h4 1 block ff64", new TransformerNetwork(32, 4, 1, 64, "relu", 0, "mean"));
        for (Map.Entry<String, Student> e : bodies.entrySet()) {
            ComputationGraph g = Networks.build(e.getValue(), List.of(new HardLabelCrossEntropy()), shape,
                    new TrainingSettings(1, batch, 1e-3, 1e-4, 0), 1);
            epoch(g, x, labels, batch); // warm-up
            int epochs = 3;
            long start = System.nanoTime();
            for (int k = 0; k < epochs; k++) {
                epoch(g, x, labels, batch);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("SPEED %-34s %8.0f samples/s (%d parameters)%n", e.getKey(), epochs * n / seconds,
                    g.numParams());
        }
    }

    private static void epoch(ComputationGraph g, INDArray x, INDArray labels, int batch) {
        for (int i = 0; i < x.size(0); i += batch) {
            g.fit(new MultiDataSet(x.get(NDArrayIndex.interval(i, i + batch)).dup(),
                    labels.get(NDArrayIndex.interval(i, i + batch)).dup()));
        }
    }
}
