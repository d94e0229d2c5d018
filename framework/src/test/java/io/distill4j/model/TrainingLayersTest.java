package io.distill4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.recurrent.LastTimeStepLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The LSTM layer that keeps its forward pass for the backward pass trains exactly as DL4J's LSTM: the same graph from
 * the same weights and minibatches, once with DL4J's layers and once with {@link TrainingLayers} installed, ends with
 * bit-identical parameters, scores and predictions.
 */
class TrainingLayersTest {

    /**
     * Input [n, 4, 6]: an LSTM returning the sequence, an LSTM in LastTimeStep (dropout on its input, masks fixed by
     * the step), dense logits, softmax loss.
     */
    private static ComputationGraph graph() {
        return SoftmaxHeadGraphs.withSoftmaxHead(new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER).updater(new Adam(0.01)).l2(1e-3).graphBuilder()
                .addInputs("input").setInputTypes(InputType.recurrent(4, 6))
                .addLayer("lstm_0", new LSTM.Builder().nIn(4).nOut(7).activation(Activation.TANH).build(), "input")
                .addLayer("lstm_1", new LastTimeStep(new LSTM.Builder().nIn(7).nOut(5).activation(Activation.TANH)
                        .dropOut(new ActivationReusingDenseLayerTest.FixedMaskDropout()).build()), "lstm_0"),
                "lstm_1", 5);
    }

    private static MultiDataSet batch(int step) {
        Nd4j.getRandom().setSeed(500 + step);
        INDArray x = Nd4j.randn(DataType.FLOAT, 16, 4, 6);
        INDArray classes = Nd4j.zeros(DataType.FLOAT, 16, 3);
        for (int i = 0; i < 16; i++) {
            classes.putScalar(i, (i * 5 + step) % 3, 1);
        }
        return new MultiDataSet(x, classes);
    }

    @Test
    void lstmTrainingMatchesDl4jsLstmBitForBit() {
        ComputationGraph plain = graph();
        ComputationGraph keeping = graph();
        assertEquals(3, TrainingLayers.install(keeping)); // two LSTMs (one wrapped) and the dense logits
        for (int step = 0; step < 8; step++) {
            plain.fit(batch(step));
            keeping.fit(batch(step));
            assertEquals(plain.score(), keeping.score(), 0.0, "score of step " + step);
            assertArrayEquals(plain.params().toFloatVector(), keeping.params().toFloatVector(),
                    "parameters after step " + step);
        }
        ForwardKeepingLstmLayer first = (ForwardKeepingLstmLayer) keeping.getLayer("lstm_0");
        ForwardKeepingLstmLayer last = (ForwardKeepingLstmLayer) ((LastTimeStepLayer) keeping.getLayer("lstm_1"))
                .getUnderlying();
        assertEquals(8, first.reusedBackwards());
        assertEquals(8, last.reusedBackwards());
        INDArray x = batch(99).getFeatures(0);
        assertArrayEquals(plain.output(false, x)[0].toFloatMatrix(), keeping.output(false, x)[0].toFloatMatrix());
        assertSame(org.deeplearning4j.nn.layers.recurrent.LSTM.class, keeping.clone().getLayer("lstm_0").getClass());
    }
}
