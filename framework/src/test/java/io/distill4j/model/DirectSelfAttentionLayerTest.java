package io.distill4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.InputShape;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * {@link DirectSelfAttentionLayer} computes DL4J's {@code SelfAttentionLayer} to float rounding: the attention body
 * (projection, position encoding, attention, pooling, a dense layer) as DL4J builds it against the same graph with
 * {@link TrainingLayers} installed, for outputs, every parameter's gradient (DL4J's factor of 2 included, so the
 * projection before the attention layer sees the same gradient too) and a few training steps; and its own gradient
 * against central differences of the loss.
 */
class DirectSelfAttentionLayerTest {

    private static ComputationGraph graph(int features, int steps, int modelSize, int heads, int headSize) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(11)
                .dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(new Adam(0.01)).graphBuilder()
                .addInputs("input").setInputTypes(InputType.recurrent(features, steps));
        AttentionNetwork body = new AttentionNetwork(modelSize, heads, headSize, List.of(8), 0.0);
        String last = body.addBody(b, "input", new InputShape(features, steps, 3));
        return SoftmaxHeadGraphs.withSoftmaxHead(b, last, body.outputSize());
    }

    private static MultiDataSet batch(int seed, int n, int features, int steps) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(DataType.FLOAT, n, features, steps);
        INDArray classes = Nd4j.zeros(DataType.FLOAT, n, 3);
        for (int i = 0; i < n; i++) {
            classes.putScalar(i, (i * 7 + seed) % 3, 1);
        }
        return new MultiDataSet(x, classes);
    }

    /** Largest element difference relative to the larger array's largest magnitude. */
    private static double relativeDifference(INDArray a, INDArray b) {
        double scale = Math.max(a.amaxNumber().doubleValue(), b.amaxNumber().doubleValue());
        return a.sub(b).amaxNumber().doubleValue() / Math.max(scale, 1e-30);
    }

    @Test
    void outputsAndGradientsAreDl4jsToFloatRounding() {
        for (int[] c : new int[][] {{40, 12, 16, 32, 4, 8}, {7, 5, 9, 6, 2, 4}, {3, 4, 1, 8, 1, 8}}) {
            ComputationGraph plain = graph(c[1], c[2], c[3], c[4], c[5]);
            ComputationGraph direct = graph(c[1], c[2], c[3], c[4], c[5]);
            assertEquals(5, TrainingLayers.install(direct)); // projection, position, attention, hidden dense, logits
            MultiDataSet data = batch(c[0], c[0], c[1], c[2]);
            for (ComputationGraph g : List.of(plain, direct)) {
                g.setInputs(data.getFeatures());
                g.setLabels(data.getLabels());
                g.computeGradientAndScore();
            }
            String where = java.util.Arrays.toString(c);
            assertEquals(plain.score(), direct.score(), 1e-6 * Math.abs(plain.score()), where);
            Map<String, INDArray> expected = plain.gradient().gradientForVariable();
            Map<String, INDArray> actual = direct.gradient().gradientForVariable();
            assertEquals(expected.keySet(), actual.keySet());
            for (String key : expected.keySet()) {
                assertTrue(relativeDifference(expected.get(key), actual.get(key)) < 2e-5,
                        where + " gradient of " + key + ": " + relativeDifference(expected.get(key), actual.get(key)));
            }
            INDArray x = data.getFeatures(0);
            assertTrue(relativeDifference(plain.output(false, x)[0], direct.output(false, x)[0]) < 1e-5, where);
            assertTrue(relativeDifference(plain.feedForward(x, false).get("attention"),
                    direct.feedForward(x, false).get("attention")) < 1e-5, where);
            assertTrue(((DirectSelfAttentionLayer) direct.getLayer("attention")).passes() >= 3, where);
        }
    }

    /**
     * DL4J's SameDiff layers never apply their dropout (the attention body sets it on the attention layer): two
     * training-mode passes give the same attention output, DL4J's and the direct layer's alike.
     */
    @Test
    void appliesNoDropoutAsDl4jsLayerAppliesNone() {
        for (boolean install : new boolean[] {false, true}) {
            ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(11)
                    .dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).graphBuilder().addInputs("input")
                    .setInputTypes(InputType.recurrent(4, 6));
            AttentionNetwork body = new AttentionNetwork(8, 2, 4, List.of(), 0.5);
            ComputationGraph g = SoftmaxHeadGraphs.withSoftmaxHead(b, body.addBody(b, "input",
                    new InputShape(4, 6, 3)), body.outputSize());
            if (install) {
                TrainingLayers.install(g);
            }
            INDArray x = batch(3, 5, 4, 6).getFeatures(0);
            INDArray first = g.feedForward(x, true).get("attention").dup();
            INDArray second = g.feedForward(x, true).get("attention").dup();
            assertEquals(first, second, "install " + install);
            assertEquals(0.5, ((org.deeplearning4j.nn.conf.dropout.Dropout) g.getLayer("attention").conf().getLayer()
                    .getIDropout()).getP(), 1e-12); // retain probability 1 - 0.5 is set, and ignored
        }
    }

    @Test
    void trainsAsDl4jsLayerDoesToFloatRounding() {
        ComputationGraph plain = graph(12, 16, 32, 4, 8);
        ComputationGraph direct = graph(12, 16, 32, 4, 8);
        TrainingLayers.install(direct);
        int[] sizes = {64, 64, 17, 64, 150, 3, 64, 1, 64, 40}; // the layer's working memory grows and is reused
        for (int step = 0; step < sizes.length; step++) {
            MultiDataSet data = batch(100 + step, sizes[step], 12, 16);
            plain.fit(data);
            direct.fit(data);
            INDArray x = batch(200 + step, 2 * sizes[step] + 1, 12, 16).getFeatures(0); // inference between steps
            double apart = relativeDifference(plain.output(false, x)[0], direct.output(false, x)[0]);
            assertTrue(apart < 1e-4, "step " + step + ": outputs differ by " + apart);
        }
        double drift = relativeDifference(plain.params(), direct.params());
        assertTrue(drift < 1e-4, "parameters after 10 steps differ by " + drift);
    }

    /**
     * The layer's gradient against central differences of the loss: DL4J's gradients are of the loss summed over the
     * minibatch (its updater divides by the minibatch size) and carry the SameDiff factor, so the analytic side is
     * divided by both.
     */
    @Test
    void gradientMatchesCentralDifferences() {
        ComputationGraph direct = graph(3, 5, 6, 2, 3);
        TrainingLayers.install(direct);
        MultiDataSet data = batch(5, 4, 3, 5);
        direct.setInputs(data.getFeatures());
        direct.setLabels(data.getLabels());
        direct.computeGradientAndScore();
        Map<String, INDArray> gradients = direct.gradient().gradientForVariable();
        int checked = 0;
        for (String key : List.of("attention_Wq", "attention_Wk", "attention_Wv", "attention_Wo")) {
            INDArray parameter = direct.getParam(key);
            INDArray gradient = gradients.get(key).dup();
            for (int i = 0; i < parameter.length(); i += 5) {
                float original = parameter.getFloat(i);
                double h = 1e-2;
                parameter.putScalar(i, original + h);
                double up = direct.score(data, false);
                parameter.putScalar(i, original - h);
                double down = direct.score(data, false);
                parameter.putScalar(i, original);
                double numeric = (up - down) / (2 * h);
                double analytic = gradient.getDouble(i) / DirectSameDiffLayer.SAMEDIFF_GRADIENT_FACTOR
                        / data.getFeatures(0).size(0);
                assertEquals(numeric, analytic, 2e-3 + 2e-2 * Math.abs(numeric), key + "[" + i + "]");
                checked++;
            }
        }
        assertTrue(checked > 20);
    }
}
