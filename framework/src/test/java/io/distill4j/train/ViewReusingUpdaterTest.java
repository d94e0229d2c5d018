package io.distill4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import io.distill4j.model.SoftmaxHeadGraphs;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;

/**
 * The view-reusing updater trains exactly as DL4J's own: the same graph, from the same weights and minibatches, ends
 * every step with bit-identical parameters and updater state, through several updater blocks (two optimisers), L2
 * (applied before the optimiser) and weight decay (after it), and a layer without parameters.
 */
class ViewReusingUpdaterTest {

    private static ComputationGraph graph(DataType type) {
        return SoftmaxHeadGraphs.withSoftmaxHead(new NeuralNetConfiguration.Builder().seed(5).dataType(type)
                .weightInit(WeightInit.XAVIER).updater(new Adam(0.01)).l2(1e-3).graphBuilder()
                .addInputs("input").setInputTypes(InputType.feedForward(7))
                .addLayer("hidden_0", new DenseLayer.Builder().nIn(7).nOut(9).activation(Activation.RELU).build(),
                        "input")
                .addLayer("hidden_1", new DenseLayer.Builder().nIn(9).nOut(6).activation(Activation.TANH)
                        .updater(new Nesterovs(0.05, 0.9)).weightDecay(1e-2).build(), "hidden_0"), "hidden_1", 6);
    }

    private static MultiDataSet batch(int step, DataType type) {
        Nd4j.getRandom().setSeed(500 + step);
        INDArray x = Nd4j.randn(type, 16 + step % 3, 7);
        INDArray classes = Nd4j.zeros(type, x.size(0), 3);
        for (int i = 0; i < x.size(0); i++) {
            classes.putScalar(i, (i * 5 + step) % 3, 1);
        }
        return new MultiDataSet(x, classes);
    }

    private static void sameAfterEveryStep(DataType type, int stepsBeforeInstall) {
        ComputationGraph dl4j = graph(type);
        ComputationGraph reusing = graph(type);
        for (int step = 0; step < 25; step++) {
            if (step == stepsBeforeInstall) {
                ViewReusingUpdater.install(reusing);
            }
            dl4j.fit(batch(step, type));
            reusing.fit(batch(step, type));
            assertArrayEquals(dl4j.params().toDoubleVector(), reusing.params().toDoubleVector(), 0.0,
                    "parameters after step " + step);
            assertArrayEquals(dl4j.getUpdater().getStateViewArray().toDoubleVector(),
                    reusing.getUpdater().getStateViewArray().toDoubleVector(), 0.0, "updater state after step " + step);
            assertEquals(dl4j.score(), reusing.score(), 0.0, "score of step " + step);
        }
        ViewReusingUpdater updater = assertInstanceOf(ViewReusingUpdater.class, reusing.getUpdater());
        assertEquals(25 - stepsBeforeInstall, updater.ownSteps(), "steps through the updater's own views");
    }

    @Test
    void trainsBitIdenticallyToDl4jsUpdaterInFloat() {
        sameAfterEveryStep(DataType.FLOAT, 0);
    }

    @Test
    void trainsBitIdenticallyToDl4jsUpdaterInDouble() {
        sameAfterEveryStep(DataType.DOUBLE, 0);
    }

    @Test
    void takesOverTheStateOfTheUpdaterItReplaces() {
        sameAfterEveryStep(DataType.FLOAT, 7);
    }

    @Test
    void installingTwiceKeepsTheFirst() {
        ComputationGraph g = graph(DataType.FLOAT);
        ViewReusingUpdater.install(g);
        var first = g.getUpdater();
        ViewReusingUpdater.install(g);
        assertEquals(first, g.getUpdater());
        ComputationGraph other = graph(DataType.FLOAT);
        ViewReusingUpdater.install(other);
        assertNotSame(first, other.getUpdater());
    }
}
