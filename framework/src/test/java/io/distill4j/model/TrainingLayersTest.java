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
 * The training LSTM layer ({@link ForwardKeepingLstmLayer}, through {@link LstmRecurrence}) trains exactly as DL4J's
 * LSTM: the same graph from the same weights and minibatches, once with DL4J's layers and once with
 * {@link TrainingLayers} installed, ends with bit-identical parameters, scores and predictions. The graphs stack two
 * LSTMs, so both of DL4J's layouts of a step's input are covered: row-major (the features) and column-major (an LSTM's
 * output).
 */
class TrainingLayersTest {

    private static ComputationGraph graph(int features, int firstUnits, int lastUnits, int steps) {
        return SoftmaxHeadGraphs.withSoftmaxHead(new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER).updater(new Adam(0.01)).l2(1e-3).graphBuilder()
                .addInputs("input").setInputTypes(InputType.recurrent(features, steps))
                .addLayer("lstm_0", new LSTM.Builder().nIn(features).nOut(firstUnits).activation(Activation.TANH)
                        .build(), "input")
                .addLayer("lstm_1", new LastTimeStep(new LSTM.Builder().nIn(firstUnits).nOut(lastUnits)
                        .activation(Activation.TANH).dropOut(new ActivationReusingDenseLayerTest.FixedMaskDropout())
                        .build()), "lstm_0"),
                "lstm_1", lastUnits);
    }

    private static MultiDataSet batch(int step, int n, int features, int steps) {
        Nd4j.getRandom().setSeed(500 + step);
        INDArray x = Nd4j.randn(DataType.FLOAT, n, features, steps);
        INDArray classes = Nd4j.zeros(DataType.FLOAT, n, 3);
        for (int i = 0; i < n; i++) {
            classes.putScalar(i, (i * 5 + step) % 3, 1);
        }
        return new MultiDataSet(x, classes);
    }

    /**
     * Input [n, 4, 6]: an LSTM returning the sequence, an LSTM in LastTimeStep (dropout on its input, masks fixed by
     * the step), dense logits, softmax loss; 16 samples a step.
     */
    @Test
    void lstmTrainingMatchesDl4jsLstmBitForBit() {
        trainsAsDl4j(16, 4, 7, 5, 6, 8);
    }

    /** The same at a teacher's scale: 64 samples of 12 features x 16 bars, LSTMs of 32 and 24 units. */
    @Test
    void lstmTrainingAtATeachersSizeMatchesDl4jsLstmBitForBit() {
        trainsAsDl4j(64, 12, 32, 24, 16, 4);
    }

    /**
     * Minibatches of uneven sizes, as an epoch's last one is: 2 to 100 samples through the Java recurrence, and a
     * single sample through DL4J's (a product with one row is a matrix-vector product to ND4J, which adds in another
     * order), all bit for bit.
     */
    @Test
    void lstmTrainingOnUnevenMinibatchesMatchesDl4jsLstmBitForBit() {
        ComputationGraph plain = graph(12, 32, 24, 16);
        ComputationGraph keeping = graph(12, 32, 24, 16);
        TrainingLayers.install(keeping);
        int[] sizes = {17, 1, 2, 100, 3};
        for (int step = 0; step < sizes.length; step++) {
            plain.fit(batch(step, sizes[step], 12, 16));
            keeping.fit(batch(step, sizes[step], 12, 16));
            assertEquals(plain.score(), keeping.score(), 0.0, "score of step " + step);
            assertArrayEquals(plain.params().toFloatVector(), keeping.params().toFloatVector(),
                    "parameters after a minibatch of " + sizes[step]);
        }
        assertEquals(sizes.length - 1, ((ForwardKeepingLstmLayer) keeping.getLayer("lstm_0")).javaPasses());
        assertEquals(sizes.length, ((ForwardKeepingLstmLayer) keeping.getLayer("lstm_0")).reusedBackwards());
    }

    private static void trainsAsDl4j(int n, int features, int firstUnits, int lastUnits, int steps, int fits) {
        ComputationGraph plain = graph(features, firstUnits, lastUnits, steps);
        ComputationGraph keeping = graph(features, firstUnits, lastUnits, steps);
        assertEquals(3, TrainingLayers.install(keeping)); // two LSTMs (one wrapped) and the dense logits
        for (int step = 0; step < fits; step++) {
            plain.fit(batch(step, n, features, steps));
            keeping.fit(batch(step, n, features, steps));
            assertEquals(plain.score(), keeping.score(), 0.0, "score of step " + step);
            assertArrayEquals(plain.params().toFloatVector(), keeping.params().toFloatVector(),
                    "parameters after step " + step);
        }
        ForwardKeepingLstmLayer first = (ForwardKeepingLstmLayer) keeping.getLayer("lstm_0");
        ForwardKeepingLstmLayer last = (ForwardKeepingLstmLayer) ((LastTimeStepLayer) keeping.getLayer("lstm_1"))
                .getUnderlying();
        assertEquals(fits, first.reusedBackwards());
        assertEquals(fits, last.reusedBackwards());
        assertEquals(fits, first.javaPasses());
        assertEquals(fits, last.javaPasses());
        INDArray x = batch(99, n, features, steps).getFeatures(0);
        assertArrayEquals(plain.output(false, x)[0].toFloatMatrix(), keeping.output(false, x)[0].toFloatMatrix());
        assertEquals(fits + 1, first.javaPasses()); // inference takes the Java recurrence too
        assertSame(org.deeplearning4j.nn.layers.recurrent.LSTM.class, keeping.clone().getLayer("lstm_0").getClass());
    }
}
