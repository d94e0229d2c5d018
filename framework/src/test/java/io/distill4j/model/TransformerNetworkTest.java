package io.distill4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.InputShape;
import io.distill4j.api.Teacher;
import io.distill4j.api.VertexNames;
import io.distill4j.config.ConfigException;
import io.distill4j.loss.HardLabelCrossEntropy;
import io.distill4j.plugin.Plugins;
import io.distill4j.train.TrainingSettings;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.validation.GradCheckUtil;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/** The transformer encoder body: order-aware, its layer normalisation, its gradients, its configuration errors. */
class TransformerNetworkTest {
    private static final int LOOKBACK = 6;

    /** With average pooling, only the position encoding can make the output depend on the bars' order. */
    @Test
    void permutingTheWindowChangesTheOutput() {
        ComputationGraph g = Networks.build(new TransformerNetwork(8, 2, 2, 16, "relu", 0, "mean"),
                List.of(new HardLabelCrossEntropy()), new InputShape(12, LOOKBACK, 3),
                new TrainingSettings(1, 8, 1e-3, 0, 0), 11);
        INDArray x = Nd4j.randn(5, new long[] {4, 12, LOOKBACK}).castTo(DataType.FLOAT);
        INDArray a = g.feedForward(x, false).get(VertexNames.LOGITS);
        INDArray b = g.feedForward(AttentionNetworkTest.reversedInTime(x), false).get(VertexNames.LOGITS);
        double difference = a.sub(b).amaxNumber().doubleValue();
        assertTrue(difference > 1e-3, "the same bars in reverse order give the same logits (max difference "
                + difference + "): the body ignores their order");
        assertEquals(a, g.feedForward(x.dup(), false).get(VertexNames.LOGITS), "deterministic");
    }

    /** Each bar's channels normalised to mean 0 and variance 1, then scaled by gain and shifted by bias. */
    @Test
    void layerNormalisationNormalisesEachBarOverItsChannels() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .graphBuilder().addInputs("in").setInputTypes(InputType.recurrent(3, 2, RNNFormat.NCW))
                .addLayer("norm", new LayerNormalization(3), "in").setOutputs("norm").build());
        g.init();
        g.getLayer("norm").getParam("gain").assign(Nd4j.create(new double[] {1, 2, 3}, new long[] {1, 3, 1}));
        g.getLayer("norm").getParam("bias").assign(Nd4j.create(new double[] {0, 1, -1}, new long[] {1, 3, 1}));
        // bar 0: channels (1, 2, 6); bar 1: (0, 0, 3)
        INDArray x = Nd4j.create(new double[] {1, 0, 2, 0, 6, 3}, new long[] {1, 3, 2});
        INDArray y = g.outputSingle(x);
        double[][] bars = {{1, 2, 6}, {0, 0, 3}};
        double[] gain = {1, 2, 3};
        double[] bias = {0, 1, -1};
        for (int t = 0; t < 2; t++) {
            double mean = (bars[t][0] + bars[t][1] + bars[t][2]) / 3;
            double variance = 0;
            for (double v : bars[t]) {
                variance += (v - mean) * (v - mean) / 3;
            }
            for (int c = 0; c < 3; c++) {
                double expected = gain[c] * (bars[t][c] - mean) / Math.sqrt(variance + 1e-5) + bias[c];
                assertEquals(expected, y.getDouble(0, c, t), 1e-9, "channel " + c + ", bar " + t);
            }
        }
    }

    /**
     * ND4J's gradient check of the layer normalisation's SameDiff graph in double precision: the gradients with
     * respect to its input, gain and bias (moved off their initial values) match finite differences.
     */
    @Test
    void layerNormalisationGradientsMatchFiniteDifferences() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            checkLayerNormalisationGradients();
        } finally {
            Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        }
    }

    private static void checkLayerNormalisationGradients() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.randn(3, new long[] {2, 4, 3}));
        Map<String, SDVariable> params = Map.of(
                "gain", sd.var("gain", Nd4j.rand(DataType.DOUBLE, 1, 4, 1).addi(0.5)),
                "bias", sd.var("bias", Nd4j.randn(4, new long[] {1, 4, 1})));
        SDVariable y = new LayerNormalization(4).defineLayer(sd, x, params, null);
        SDVariable weights = sd.constant(Nd4j.randn(5, new long[] {2, 4, 3}));
        sd.setLossVariables(y.mul(weights).sum());
        assertTrue(GradCheckUtil.checkGradients(sd, Map.of(), 1e-6, 1e-5, 1e-10, false, false),
                "layer normalisation gradient check failed");
    }

    /**
     * Why the whole transformer is not gradient-checked with DL4J's {@code GradientCheckUtil}: in DL4J 1.0.0-M2.1
     * a SameDiff layer's backward pass returns twice the true gradient, for its parameters and for its input (found
     * here on {@link LayerNormalization} feeding an output layer directly; the same factor 2 shows on the built-in {@code SelfAttentionLayer} and on
     * {@link SinusoidalPositionEncoding}, which are SameDiff layers too). The layers after it ({@code logits}) are
     * exact. Adam is invariant to a constant factor per parameter, so training is barely affected; L2 weighs half as
     * much on those parameters. If this test fails, DL4J fixed it: gradient-check the whole body instead.
     */
    @Test
    void dl4jSameDiffLayersReturnTwiceTheGradient() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(3)
                    .dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER).graphBuilder()
                    .addInputs("in").setInputTypes(InputType.recurrent(3, 4, RNNFormat.NCW))
                    .addLayer("norm", new LayerNormalization(3), "in")
                    .addLayer("out", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(2)
                            .activation(Activation.SOFTMAX).dataFormat(RNNFormat.NCW).build(), "norm")
                    .setOutputs("out").build());
            g.init();
            g.getLayer("norm").getParam("gain").assign(Nd4j.rand(DataType.DOUBLE, 1, 3, 1).addi(0.5));
            INDArray labels = Nd4j.zeros(DataType.DOUBLE, 5, 2, 4);
            for (int i = 0; i < 5; i++) {
                for (int t = 0; t < 4; t++) {
                    labels.putScalar(new int[] {i, (i + t) % 2, t}, 1);
                }
            }
            MultiDataSet data = new MultiDataSet(Nd4j.randn(7, new long[] {5, 3, 4}), labels);
            g.setInputs(data.getFeatures());
            g.setLabels(data.getLabels());
            g.computeGradientAndScore();
            Map<String, INDArray> analytic = g.gradient().gradientForVariable();
            for (String param : List.of("out_b", "norm_bias", "norm_gain")) {
                INDArray p = g.getParam(param);
                double v = p.getDouble(1);
                p.putScalar(1, v + 1e-6);
                double plus = g.score(data, true);
                p.putScalar(1, v - 1e-6);
                double minus = g.score(data, true);
                p.putScalar(1, v);
                // DL4J's parameter gradient is the minibatch sum, its score the minibatch mean
                double numeric = 5 * (plus - minus) / 2e-6;
                double factor = param.startsWith("norm") ? 2 : 1;
                assertEquals(factor * numeric, analytic.get(param).getDouble(1), 1e-6 * Math.max(1, Math.abs(numeric)),
                        param);
            }
        } finally {
            Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        }
    }

    @Test
    void configurationErrorsNameTheKey() {
        ConfigException heads = assertThrows(ConfigException.class, () -> Plugins.create(Teacher.class,
                PluginContractTest.section("{type: transformer, model_size: 6, heads: 4}")));
        assertTrue(heads.getMessage().contains("heads") && heads.getMessage().contains("multiple"),
                heads.getMessage());
        ConfigException readout = assertThrows(ConfigException.class, () -> Plugins.create(Teacher.class,
                PluginContractTest.section("{type: transformer, readout: first}")));
        assertTrue(readout.getMessage().contains("readout") && readout.getMessage().contains("[mean, last]"),
                readout.getMessage());
        ConfigException blocks = assertThrows(ConfigException.class, () -> Plugins.create(Teacher.class,
                PluginContractTest.section("{type: transformer, blocks: 0}")));
        assertTrue(blocks.getMessage().contains("blocks"), blocks.getMessage());
        ConfigException unknown = assertThrows(ConfigException.class, () -> Plugins.create(Teacher.class,
                PluginContractTest.section("{type: transformer, d_model: 8}")));
        assertTrue(unknown.getMessage().contains("d_model"), unknown.getMessage());
    }

    @Test
    void featureLayersAreTheBlocksAndTheReadout() {
        assertEquals(List.of("projection", "block_0", "block_1", "block_2", "pool"),
                new TransformerNetwork(8, 2, 3, 8, "relu", 0, "mean").featureLayers());
        assertEquals(List.of("projection", "block_0", "last"),
                new TransformerNetwork(8, 2, 1, 8, "relu", 0, "last").featureLayers());
    }
}
