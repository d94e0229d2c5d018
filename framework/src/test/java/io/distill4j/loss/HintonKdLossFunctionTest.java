package io.distill4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.InputShape;
import io.distill4j.model.MlpNetwork;
import io.distill4j.model.Networks;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.learning.config.NoOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class HintonKdLossFunctionTest {
    private static final INDArray Z = Nd4j.createFromArray(new double[][] {{1.0, -0.5, 0.25}, {0.3, 2.0, -1.0}});
    private static final INDArray LABELS = Nd4j.createFromArray(new double[][] {
        {0, 0, 1, 0.5, 0.1, 1.5}, {0, 1, 0, -1.0, 3.0, 0.0}});

    /** Golden values computed independently with NumPy from the formula in the javadoc. */
    @ParameterizedTest
    @CsvSource({
        "4.0, 0.5, 0.7776039487218936, 0.3401919338077454",
        "1.0, 1.0, 1.2779757438553099, 0.20902076654506024",
        "2.0, 0.0, 0.2897741323390345, 0.32073073880787706",
        "8.0, 0.3, 0.5720116957482754, 0.4385812999630856"})
    void goldenValues(double t, double alpha, double first, double second) {
        var loss = new HintonKdLossFunction(t, alpha);
        INDArray perExample = loss.computeScoreArray(LABELS, Z, new ActivationIdentity(), null);
        assertEquals(first, perExample.getDouble(0), 1e-12);
        assertEquals(second, perExample.getDouble(1), 1e-12);
        assertEquals((first + second) / 2, loss.computeScore(LABELS, Z, new ActivationIdentity(), null, true), 1e-12);
        assertEquals(first + second, loss.computeScore(LABELS, Z, new ActivationIdentity(), null, false), 1e-12);
    }

    /** Central finite differences of the summed score against the analytic gradient, for several T and alpha. */
    @ParameterizedTest
    @CsvSource({"1.0, 0.0", "4.0, 0.5", "16.0, 0.1", "0.5, 1.0", "2.0, 0.9"})
    void gradientMatchesFiniteDifferences(double t, double alpha) {
        var loss = new HintonKdLossFunction(t, alpha);
        Random random = new Random(42);
        int n = 5;
        int c = 3;
        INDArray z = Nd4j.zeros(DataType.DOUBLE, n, c);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, n, 2 * c);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, random.nextInt(c), 1.0);
            for (int k = 0; k < c; k++) {
                z.putScalar(i, k, random.nextGaussian() * 2);
                labels.putScalar(i, c + k, random.nextGaussian() * 3);
            }
        }
        for (var activation : List.of(new ActivationIdentity(), new ActivationTanH())) {
            FiniteDifferences.assertGradient(loss, labels, z, activation, null, 1e-7, "T=" + t + " alpha=" + alpha);
        }
    }

    @Test
    void maskZeroesExamples() {
        var loss = new HintonKdLossFunction(2, 0.5);
        INDArray mask = Nd4j.createFromArray(new double[][] {{1}, {0}});
        INDArray scores = loss.computeScoreArray(LABELS, Z, new ActivationIdentity(), mask);
        assertEquals(0.0, scores.getDouble(1));
        INDArray grad = loss.computeGradient(LABELS, Z, new ActivationIdentity(), mask);
        assertEquals(0.0, grad.getRow(1).norm1Number().doubleValue());
        assertTrue(grad.getRow(0).norm1Number().doubleValue() > 0);
    }

    @Test
    void softTermKeepsTSquaredAtAlphaZero() {
        // At large T, T^2 * KL ~ (1/2) * mean-centred squared logit difference / C (Hinton et al., sec. 2.1):
        // the soft term must not vanish as T grows, which it would without the T^2 factor.
        INDArray labels = LABELS.dup();
        double atT100 = new HintonKdLossFunction(100, 0).computeScore(labels, Z, new ActivationIdentity(), null, true);
        double atT1000 = new HintonKdLossFunction(1000, 0).computeScore(labels, Z, new ActivationIdentity(), null, true);
        assertTrue(atT100 > 0.1, "soft term vanished: " + atT100);
        assertEquals(atT100, atT1000, 0.01 * atT100);
    }

    @Test
    void rejectsWrongLabelWidthAndBadParameters() {
        var loss = new HintonKdLossFunction(2, 0.5);
        var e = assertThrows(IllegalArgumentException.class,
                () -> loss.computeScore(Z, Z, new ActivationIdentity(), null, true));
        assertTrue(e.getMessage().contains("[n, 2C]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new HintonKdLossFunction(0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new HintonKdLossFunction(1, 1.5));
    }

    /** A graph with KD heads saves and restores with ModelSerializer, loss parameters included. */
    @Test
    void graphWithKdHeadRoundTripsThroughModelSerializer(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        var kd = new HintonKd("kd_a", 3.0, 0.25, 0.5, "a");
        ComputationGraph graph = Networks.build(new MlpNetwork(List.of(5), "relu", 0), List.of(kd),
                new InputShape(4, 1, 3), new io.distill4j.train.TrainingSettings(1, 8, 1e-3, 0, 0), 7);
        var zip = dir.resolve("g.zip").toFile();
        org.deeplearning4j.util.ModelSerializer.writeModel(graph, zip, true);
        ComputationGraph restored = org.deeplearning4j.util.ModelSerializer.restoreComputationGraph(zip, true);
        var loss = (HintonKdLossFunction) ((org.deeplearning4j.nn.conf.layers.LossLayer) ((
                org.deeplearning4j.nn.conf.graph.LayerVertex) restored.getConfiguration().getVertices().get("kd_a"))
                .getLayerConf().getLayer()).getLossFn();
        assertEquals(3.0, loss.temperature());
        assertEquals(0.25, loss.alpha());
        assertEquals(0.5, loss.weight());
        INDArray x = Nd4j.rand(DataType.FLOAT, 6, 4);
        assertEquals(graph.outputSingle(x), restored.outputSingle(x));
    }

    /** DL4J's own gradient check through a whole student graph with the KD head, in double precision. */
    @Test
    void dl4jGradientCheckThroughStudentGraph() {
        FiniteDifferences.assertGraphGradients(new HintonKd(3.0, 0.4), false);
    }
}
