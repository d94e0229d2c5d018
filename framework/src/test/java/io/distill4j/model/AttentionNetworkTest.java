package io.distill4j.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.InputShape;
import io.distill4j.api.VertexNames;
import io.distill4j.loss.HardLabelCrossEntropy;
import io.distill4j.train.TrainingSettings;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The attention body sees the order of the bars in its window (position encoding). */
class AttentionNetworkTest {
    private static final int LOOKBACK = 6;

    private static INDArray logits(ComputationGraph g, INDArray x) {
        return g.feedForward(x, false).get(VertexNames.LOGITS);
    }

    @Test
    void permutingTheWindowChangesTheOutput() {
        ComputationGraph g = Networks.build(new AttentionNetwork(8, 2, 4, List.of(), 0),
                List.of(new HardLabelCrossEntropy()), new InputShape(12, LOOKBACK, 3),
                new TrainingSettings(1, 8, 1e-3, 0, 0), 11);
        INDArray x = Nd4j.randn(5, new long[] {4, 12, LOOKBACK}).castTo(DataType.FLOAT);
        INDArray reversed = reversedInTime(x);
        INDArray a = logits(g, x);
        INDArray b = logits(g, reversed);
        double difference = a.sub(b).amaxNumber().doubleValue();
        assertTrue(difference > 1e-3, "the same bars in reverse order give the same logits (max difference "
                + difference + "): the body ignores their order");
        org.junit.jupiter.api.Assertions.assertEquals(a, logits(g, x.dup()), "deterministic");
    }

    /** A copy of windows {@code [n, features, t]} with the bars in reverse order. */
    static INDArray reversedInTime(INDArray x) {
        long t = x.size(2);
        INDArray reversed = Nd4j.zeros(x.dataType(), x.shape());
        for (int i = 0; i < t; i++) {
            reversed.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(i))
                    .assign(x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(t - 1 - i)));
        }
        return reversed;
    }

    @Test
    void theEncodingIsVaswanisSinusoid() {
        var layer = new SinusoidalPositionEncoding(4);
        ComputationGraph g = new ComputationGraph(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE).graphBuilder().addInputs("in")
                .setInputTypes(org.deeplearning4j.nn.conf.inputs.InputType.recurrent(4, 3,
                        org.deeplearning4j.nn.conf.RNNFormat.NCW))
                .addLayer("pe", layer, "in").setOutputs("pe").build());
        g.init();
        INDArray pe = g.outputSingle(Nd4j.zeros(DataType.DOUBLE, 1, 4, 3));
        for (int pos = 0; pos < 3; pos++) {
            for (int k = 0; k < 2; k++) {
                double w = Math.pow(10000, -2.0 * k / 4);
                assertEquals(Math.sin(pos * w), pe.getDouble(0, 2 * k, pos), 1e-9, "sin pos " + pos + " k " + k);
                assertEquals(Math.cos(pos * w), pe.getDouble(0, 2 * k + 1, pos), 1e-9, "cos pos " + pos + " k " + k);
            }
        }
    }

    private static void assertEquals(double expected, double actual, double eps, String message) {
        org.junit.jupiter.api.Assertions.assertEquals(expected, actual, eps, message);
    }
}
