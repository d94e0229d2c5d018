package io.distill4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
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
 * {@link DirectPositionEncodingLayer} computes DL4J's {@link SinusoidalPositionEncoding} layer bit for bit: a
 * projection, the encoding and pooling as DL4J runs them against the same graph with the direct layer in the
 * encoding's place (nothing else replaced), for outputs, the projection's gradient (which passes through the
 * encoding's backward pass, DL4J's factor of 2 included) and training steps, at two window lengths.
 */
class DirectPositionEncodingLayerTest {

    private static ComputationGraph graph(int features, int channels, int steps) {
        return SoftmaxHeadGraphs.withSoftmaxHead(new NeuralNetConfiguration.Builder().seed(2).dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER).updater(new Adam(0.01)).graphBuilder().addInputs("input")
                .setInputTypes(InputType.recurrent(features, steps))
                .addLayer("projection", new Convolution1DLayer.Builder().kernelSize(1).nIn(features).nOut(channels)
                        .activation(Activation.TANH).build(), "input")
                .addLayer("position", new SinusoidalPositionEncoding(channels), "projection")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "position"),
                "pool", channels);
    }

    @Test
    void encodesAndTrainsAsDl4jsLayerBitForBit() {
        for (int steps : new int[] {16, 5}) {
            ComputationGraph plain = graph(4, 7, steps);
            ComputationGraph direct = graph(4, 7, steps);
            DirectPositionEncodingLayer layer = new DirectPositionEncodingLayer(direct.getLayer("position").conf(),
                    DataType.FLOAT);
            ((org.deeplearning4j.nn.graph.vertex.impl.LayerVertex) direct.getVertex("position")).setLayer(layer);
            for (int step = 0; step < 5; step++) {
                Nd4j.getRandom().setSeed(40 + step);
                INDArray x = Nd4j.randn(DataType.FLOAT, 12, 4, steps).muli(30); // large arguments for the sine too
                INDArray classes = Nd4j.zeros(DataType.FLOAT, 12, 3);
                for (int i = 0; i < 12; i++) {
                    classes.putScalar(i, (i + step) % 3, 1);
                }
                plain.fit(new MultiDataSet(x, classes));
                direct.fit(new MultiDataSet(x, classes));
                assertEquals(plain.score(), direct.score(), 0.0);
                assertArrayEquals(plain.params().toFloatVector(), direct.params().toFloatVector(), "step " + step);
                assertArrayEquals(plain.feedForward(x, false).get("position").data().asFloat(),
                        direct.feedForward(x, false).get("position").dup('c').data().asFloat());
            }
            assertEquals(10, layer.passes()); // 5 training steps, 5 inference passes
        }
    }
}
