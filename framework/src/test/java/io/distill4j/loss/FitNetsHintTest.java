package io.distill4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.InputShape;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.api.VertexNames;
import io.distill4j.model.MlpNetwork;
import io.distill4j.model.Networks;
import io.distill4j.train.TrainingSettings;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The FitNets hint term: its loss function, and a head that owns a projection layer. */
class FitNetsHintTest {
    private static final INDArray R = Nd4j.createFromArray(new double[][] {{1.0, -0.5, 0.25}, {0.3, 2.0, -1.0}});
    private static final INDArray H = Nd4j.createFromArray(new double[][] {{0.5, 0.1, 1.5}, {-1.0, 3.0, 0.0}});
    private static final InputShape SHAPE = new InputShape(4, 1, 3);

    /** Golden values computed by hand (plain Python) from weight * 1/2 * sum_k (r_k - h_k)^2. */
    @ParameterizedTest
    @CsvSource({"1.0, 1.08625, 1.845", "0.7, 0.760375, 1.2915"})
    void goldenValues(double weight, double first, double second) {
        var loss = new HintLossFunction(weight);
        INDArray perExample = loss.computeScoreArray(H, R, new ActivationIdentity(), null);
        assertEquals(first, perExample.getDouble(0), 1e-12);
        assertEquals(second, perExample.getDouble(1), 1e-12);
        assertEquals((first + second) / 2, loss.computeScore(H, R, new ActivationIdentity(), null, true), 1e-12);
        // gradient weight * (r - h), by hand for the first row
        assertArrayEquals(new double[] {0.5 * weight, -0.6 * weight, -1.25 * weight},
                loss.computeGradient(H, R, new ActivationIdentity(), null).getRow(0).toDoubleVector(), 1e-12);
    }

    @Test
    void rejectsMismatchedShapesAndNegativeWeight() {
        var e = assertThrows(IllegalArgumentException.class, () -> new HintLossFunction(1)
                .computeScore(H.getColumns(0, 1), R, new ActivationIdentity(), null, true));
        assertTrue(e.getMessage().contains("[n, width]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new HintLossFunction(-0.1));
        var hint = new FitNetsHint("hidden_0", "hidden_1", 1, "teacher");
        assertThrows(IllegalArgumentException.class, () -> hint.setParameter("weight", Double.NaN));
        var missing = assertThrows(IllegalArgumentException.class, () -> hint.labels(Nd4j.zeros(2, 3),
                new TeacherOutputs(Nd4j.zeros(2, 3), Map.of("hidden_0", Nd4j.zeros(2, 5)))));
        assertTrue(missing.getMessage().contains("no activations for layer 'hidden_1' (it has: hidden_0)"),
                missing.getMessage());
    }

    /** DL4J's gradient check through a student with a KD head and a hint head with its projection, in double. */
    @Test
    void dl4jGradientCheckThroughTheProjectionHead() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            var kd = new HintonKd(2.0, 0.5);
            var hint = new FitNetsHint("hidden_0", "t", 0.8, "teacher");
            ComputationGraph graph = Networks.assemble(new NeuralNetConfiguration.Builder().seed(3)
                    .dataType(DataType.DOUBLE).updater(new NoOp()), new MlpNetwork(List.of(5, 4), "tanh", 0),
                    List.of(kd, hint), SHAPE, Map.of("kd", 6L, "hint_hidden_0", 7L));
            assertTrue(graph.getConfiguration().getVertices().containsKey("hint_hidden_0_projection"));
            Random random = new Random(5);
            int n = 6;
            INDArray x = gaussian(random, n, 4);
            INDArray y = Nd4j.zeros(DataType.DOUBLE, n, 3);
            for (int i = 0; i < n; i++) {
                y.putScalar(i, random.nextInt(3), 1);
            }
            var teacher = new TeacherOutputs(gaussian(random, n, 3), Map.of("t", gaussian(random, n, 7)));
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(graph)
                    .inputs(new INDArray[] {x}).labels(new INDArray[] {kd.labels(y, teacher), hint.labels(y, teacher)})
                    .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8));
            assertTrue(ok, "DL4J gradient check failed");
        } finally {
            Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        }
    }

    /**
     * The projection belongs to the head: the training graph has it, the deployable student has neither it nor the
     * heads, its parameter count is the body's and logits', and its output is the softmax of the training logits.
     */
    @Test
    void headLayersNeverReachTheDeployableStudent() {
        var hint = new FitNetsHint("hidden_0", "t", 1, "teacher");
        ComputationGraph graph = Networks.build(new MlpNetwork(List.of(5, 4), "relu", 0),
                List.of(new HintonKd(2, 0.5), hint), SHAPE, new TrainingSettings(1, 8, 1e-3, 0, 0), 7,
                Map.of("hint_hidden_0", 9L));
        long body = (4 * 5 + 5) + (5 * 4 + 4) + (4 * 3 + 3);
        long projection = 5 * 9 + 9;
        assertEquals(body + projection, graph.numParams());
        assertEquals(body, Networks.parameterCount(graph));

        ComputationGraph deployable = Networks.deployable(graph);
        assertEquals(body, deployable.numParams());
        assertEquals(body, Networks.parameterCount(deployable));
        assertEquals(List.of(VertexNames.PROBABILITIES), deployable.getConfiguration().getNetworkOutputs());
        for (String vertex : deployable.getConfiguration().getVertices().keySet()) {
            assertFalse(vertex.startsWith("hint") || vertex.equals("kd"), "head vertex in deployable: " + vertex);
        }
        INDArray x = Nd4j.rand(DataType.FLOAT, 6, 4);
        INDArray logits = graph.feedForward(x, false).get(VertexNames.LOGITS);
        INDArray expected = Transforms.softmax(logits.dup(), true);
        assertTrue(expected.equalsWithEps(deployable.outputSingle(x), 1e-6));
        assertEquals(body, Networks.withoutHeads(graph).numParams());
    }

    @Test
    void aHeadNeedsItsTargetWidthAnExistingLayerAndALogitsHead() {
        var hint = new FitNetsHint("hidden_0", "t", 1, "teacher");
        TrainingSettings settings = new TrainingSettings(1, 8, 1e-3, 0, 0);
        MlpNetwork mlp = new MlpNetwork(List.of(5), "relu", 0);
        var noWidth = assertThrows(IllegalStateException.class, () -> Networks.build(mlp,
                List.of(new HardLabelCrossEntropy(), hint), SHAPE, settings, 7));
        assertTrue(noWidth.getMessage().contains("hint_hidden_0"), noWidth.getMessage());
        var nowhere = new FitNetsHint("hidden_9", "t", 1, "teacher");
        var e = assertThrows(IllegalArgumentException.class, () -> Networks.build(mlp,
                List.of(new HardLabelCrossEntropy(), nowhere), SHAPE, settings, 7, Map.of("hint_hidden_9", 3L)));
        assertTrue(e.getMessage().contains("'hidden_9', not a vertex of the student"), e.getMessage());
        var noLogits = assertThrows(IllegalArgumentException.class, () -> Networks.build(mlp, List.of(hint), SHAPE,
                settings, 7, Map.of("hint_hidden_0", 3L)));
        assertTrue(noLogits.getMessage().startsWith("a network needs a loss head on logits"), noLogits.getMessage());
    }

    static INDArray gaussian(Random random, int rows, int cols) {
        INDArray a = Nd4j.zeros(DataType.DOUBLE, rows, cols);
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < cols; k++) {
                a.putScalar(i, k, random.nextGaussian());
            }
        }
        return a;
    }
}
