package io.distill4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The dense layer that reuses its activation in the backward pass trains exactly as DL4J's own dense layer: the same
 * graph trained from the same weights, minibatches and dropout draws, once with DL4J's layers and once with this one,
 * ends with bit-identical parameters and scores.
 */
class ActivationReusingDenseLayerTest {

    /**
     * 6 inputs; hidden_0 (ReLU, dropout on its input, with masks fixed by the step), hidden_1 (tanh: DL4J's path), hidden_2 (ReLU), logits
     * (identity) with a softmax cross-entropy head, and a second head reading hidden_0 through an identity projection
     * (a layer with two consumers), L2 and Adam.
     */
    private static ComputationGraph graph() {
        return graph(new FixedMaskDropout(), null);
    }

    /** The graph above with {@code first} on hidden_0's input and {@code third} (or none) on hidden_2's. */
    private static ComputationGraph graph(org.deeplearning4j.nn.conf.dropout.IDropout first,
            org.deeplearning4j.nn.conf.dropout.IDropout third) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(11).dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER).updater(new Adam(0.01)).l2(1e-3).graphBuilder()
                .addInputs("input").setInputTypes(InputType.feedForward(6))
                .addLayer("hidden_0", new DenseLayer.Builder().nIn(6).nOut(8).activation(Activation.RELU)
                        .dropOut(first).build(), "input")
                .addLayer("hidden_1", new DenseLayer.Builder().nIn(8).nOut(5).activation(Activation.TANH).build(),
                        "hidden_0")
                .addLayer("hidden_2", new DenseLayer.Builder().nIn(5).nOut(4).activation(Activation.RELU)
                        .dropOut(third).build(), "hidden_1")
                .addLayer("logits", new DenseLayer.Builder().nIn(4).nOut(3).activation(Activation.IDENTITY).build(),
                        "hidden_2")
                .addLayer("out", new LossLayer.Builder().lossFunction(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).build(), "logits")
                .addLayer("projection", new DenseLayer.Builder().nIn(8).nOut(2).activation(Activation.IDENTITY)
                        .build(), "hidden_0")
                .addLayer("hint", new LossLayer.Builder().lossFunction(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "projection")
                .setOutputs("out", "hint").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    private static MultiDataSet batch(int step) {
        Nd4j.getRandom().setSeed(1000 + step);
        INDArray x = Nd4j.randn(DataType.FLOAT, 32, 6);
        INDArray classes = Nd4j.zeros(DataType.FLOAT, 32, 3);
        for (int i = 0; i < 32; i++) {
            classes.putScalar(i, (i * 7 + step) % 3, 1);
        }
        return new MultiDataSet(new INDArray[] {x}, new INDArray[] {classes, Nd4j.randn(DataType.FLOAT, 32, 2)});
    }

    /**
     * Inverted dropout (retain 3/4, kept inputs scaled by 4/3) with a mask that is a function of the step and the
     * element's position, so two networks draw the same masks (DL4J's own masks come from ND4J's native generator).
     */
    static final class FixedMaskDropout implements org.deeplearning4j.nn.conf.dropout.IDropout {
        private transient INDArray mask;

        @Override
        public INDArray applyDropout(INDArray in, INDArray result, int iteration, int epoch,
                org.deeplearning4j.nn.workspace.LayerWorkspaceMgr workspaceMgr) {
            try (var none = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) { // read again in the backward pass
                mask = Nd4j.create(in.dataType(), in.shape()); // any rank: by row-major position
                for (long k = 0; k < mask.length(); k++) {
                    mask.putScalar(k, (k * 7 + iteration) % 4 == 0 ? 0 : 4.0 / 3);
                }
            }
            return result.assign(in.mul(mask));
        }

        @Override
        public INDArray backprop(INDArray gradAtOutput, INDArray gradAtInput, int iteration, int epoch) {
            return gradAtInput.assign(gradAtOutput.mul(mask));
        }

        @Override
        public void clear() {
            mask = null;
        }

        @Override
        public FixedMaskDropout clone() {
            return new FixedMaskDropout();
        }
    }

    @Test
    void trainingMatchesDl4jsDenseLayerBitForBit() {
        ComputationGraph plain = graph();
        ComputationGraph reusing = graph();
        assertArrayEquals(plain.params().toFloatVector(), reusing.params().toFloatVector());
        assertEquals(5, TrainingLayers.install(reusing));
        long direct = DirectGemm.directProducts();
        for (int step = 0; step < 12; step++) {
            plain.fit(batch(step));
            reusing.fit(batch(step)); // a fresh copy: dropout on the first layer may work in place on the features
            assertEquals(plain.score(), reusing.score(), 0.0, "score of step " + step);
            assertArrayEquals(plain.params().toFloatVector(), reusing.params().toFloatVector(),
                    "parameters after step " + step);
        }
        // ReLU and identity layers took the new path at every step; tanh took DL4J's
        for (String layer : new String[] {"hidden_0", "hidden_2", "logits", "projection"}) {
            assertEquals(12, ((ActivationReusingDenseLayer) reusing.getLayer(layer)).reusedBackwards(), layer);
        }
        assertEquals(0, ((ActivationReusingDenseLayer) reusing.getLayer("hidden_1")).reusedBackwards());
        // the products went straight to OpenBLAS (DirectGemm): forward and weight gradient of all 5 layers, the
        // input gradient of the 3 ReLU / identity layers below another layer (the tanh layer takes DL4J's path)
        assertTrue(DirectGemm.directProducts() - direct >= 12 * (5 + 4), "direct products");
        // predictions agree, and a clone (what is saved and deployed) holds DL4J's plain layer
        INDArray x = batch(99).getFeatures(0);
        assertArrayEquals(plain.output(false, x)[0].toFloatMatrix(), reusing.output(false, x)[0].toFloatMatrix());
        for (int rows : new int[] {1, 2, 257}) { // one example, and more than a minibatch: the same outputs
            INDArray some = Nd4j.randn(DataType.FLOAT, rows, 6);
            assertArrayEquals(plain.output(false, some)[0].toFloatMatrix(),
                    reusing.output(false, some)[0].toFloatMatrix(), rows + " rows");
        }
        assertSame(org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer.class,
                reusing.clone().getLayer("hidden_0").getClass());
    }

    /**
     * With DL4J's own {@code Dropout} (retain 0.8 on the features, 0.6 on hidden_2's input) the layer draws its masks
     * in one Java pass from ND4J's generator ({@link DenseElementwise#invertedDropout}); the same masks as DL4J's
     * operations give the same parameters after every step.
     */
    @Test
    void trainingWithDl4jsDropoutMatchesBitForBit() {
        var dropout = new org.deeplearning4j.nn.conf.dropout.Dropout(0.8);
        ComputationGraph plain = graph(dropout, new org.deeplearning4j.nn.conf.dropout.Dropout(0.6));
        ComputationGraph reusing = graph(dropout.clone(), new org.deeplearning4j.nn.conf.dropout.Dropout(0.6));
        TrainingLayers.install(reusing);
        for (int step = 0; step < 12; step++) {
            plain.fit(batch(step)); // batch(step) seeds the generator: both graphs draw from the same state
            reusing.fit(batch(step));
            assertEquals(plain.score(), reusing.score(), 0.0, "score of step " + step);
            assertArrayEquals(plain.params().toFloatVector(), reusing.params().toFloatVector(),
                    "parameters after step " + step);
        }
        for (String layer : new String[] {"hidden_0", "hidden_2"}) {
            assertEquals(12, ((ActivationReusingDenseLayer) reusing.getLayer(layer)).ownDropouts(), layer);
        }
    }

    @Test
    void studentAndTeacherGraphsAreBuiltWithIt() {
        ComputationGraph g = Networks.build(new MlpNetwork(java.util.List.of(16, 8), "relu", 0),
                java.util.List.of(new io.distill4j.loss.HardLabelCrossEntropy()),
                new io.distill4j.api.InputShape(12, 1, 3), new io.distill4j.train.TrainingSettings(1, 32, 1e-3, 1e-4, 0), 3);
        for (String layer : new String[] {"hidden_0", "hidden_1", "logits"}) {
            assertTrue(g.getLayer(layer) instanceof ActivationReusingDenseLayer, layer);
        }
    }
}
