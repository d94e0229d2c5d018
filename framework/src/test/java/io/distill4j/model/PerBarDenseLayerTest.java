package io.distill4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * {@link PerBarDenseLayer} computes DL4J's kernel-1 {@code Convolution1DLayer} bit for bit: a projection, a ReLU
 * layer with dropout on its input and an identity layer (the transformer's per-bar layers) as DL4J runs them, against
 * the same graph with {@link TrainingLayers} installed, for scores, parameters after every training step and
 * inference outputs, at several minibatch and window sizes.
 */
class PerBarDenseLayerTest {

    private static ComputationGraph graph(int features, int steps) {
        return SoftmaxHeadGraphs.withSoftmaxHead(new NeuralNetConfiguration.Builder().seed(4).dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER).updater(new Adam(0.01)).l2(1e-3).graphBuilder().addInputs("input")
                .setInputTypes(InputType.recurrent(features, steps))
                .addLayer("projection", AttentionNetwork.perBar(features, 16, Activation.IDENTITY, 0), "input")
                .addLayer("ff_1", AttentionNetwork.perBar(16, 24, Activation.RELU, 0.2), "projection")
                .addLayer("ff_2", AttentionNetwork.perBar(24, 16, Activation.IDENTITY, 0), "ff_1")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "ff_2"), "pool", 16);
    }

    @Test
    void trainsAsDl4jsConvolutionBitForBit() {
        for (int[] c : new int[][] {{64, 12, 16}, {17, 5, 9}, {3, 12, 1}, {1, 4, 7}}) {
            int n = c[0];
            ComputationGraph plain = graph(c[1], c[2]);
            ComputationGraph direct = graph(c[1], c[2]);
            assertEquals(4, TrainingLayers.install(direct)); // three convolutions and the logits
            for (int step = 0; step < 4; step++) {
                Nd4j.getRandom().setSeed(60 + step);
                INDArray x = Nd4j.randn(DataType.FLOAT, n, c[1], c[2]);
                INDArray classes = Nd4j.zeros(DataType.FLOAT, n, 3);
                for (int i = 0; i < n; i++) {
                    classes.putScalar(i, (i + step) % 3, 1);
                }
                Nd4j.getRandom().setSeed(7 + step);
                plain.fit(new MultiDataSet(x, classes));
                Nd4j.getRandom().setSeed(7 + step);
                direct.fit(new MultiDataSet(x, classes));
                String where = java.util.Arrays.toString(c) + " step " + step;
                assertEquals(plain.score(), direct.score(), 0.0, where);
                assertArrayEquals(plain.params().toFloatVector(), direct.params().toFloatVector(), where);
                assertArrayEquals(plain.output(false, x)[0].toFloatMatrix(), direct.output(false, x)[0].toFloatMatrix(),
                        where);
            }
            assertEquals(n * c[2] > 1 ? 8 : 0, ((PerBarDenseLayer) direct.getLayer("ff_1")).passes());
        }
    }

    /** One network through minibatches of changing sizes, its working memory grown once and then reused. */
    @Test
    void trainsBitForBitAcrossChangingMinibatchSizes() {
        ComputationGraph plain = graph(12, 16);
        ComputationGraph direct = graph(12, 16);
        TrainingLayers.install(direct);
        int[] sizes = {64, 17, 150, 3, 64, 2, 64};
        for (int step = 0; step < sizes.length; step++) {
            int n = sizes[step];
            Nd4j.getRandom().setSeed(90 + step);
            INDArray x = Nd4j.randn(DataType.FLOAT, n, 12, 16);
            INDArray classes = Nd4j.zeros(DataType.FLOAT, n, 3);
            for (int i = 0; i < n; i++) {
                classes.putScalar(i, (i * 5 + step) % 3, 1);
            }
            Nd4j.getRandom().setSeed(30 + step); // the same dropout masks on both sides
            plain.fit(new MultiDataSet(x, classes));
            Nd4j.getRandom().setSeed(30 + step);
            direct.fit(new MultiDataSet(x, classes));
            assertArrayEquals(plain.params().toFloatVector(), direct.params().toFloatVector(), "step " + step);
            INDArray wider = Nd4j.randn(DataType.FLOAT, 2 * n + 1, 12, 16); // inference between steps
            assertArrayEquals(plain.output(false, wider)[0].toFloatMatrix(),
                    direct.output(false, wider)[0].toFloatMatrix(), "step " + step);
        }
    }
}
