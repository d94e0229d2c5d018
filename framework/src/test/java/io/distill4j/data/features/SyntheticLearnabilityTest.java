package io.distill4j.data.features;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.data.DataConfig;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The default synthetic dataset must be learnable: an MLP clearly beats chance, a linear model does less well. */
@Tag("slow")
class SyntheticLearnabilityTest {

    private static double accuracy(int hidden, PreparedData d, int epochs) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(1e-3))
                .weightInit(WeightInit.XAVIER).list();
        int in = 12;
        if (hidden > 0) {
            b.layer(new DenseLayer.Builder().nIn(12).nOut(hidden).activation(Activation.RELU).build());
            b.layer(new DenseLayer.Builder().nIn(hidden).nOut(hidden).activation(Activation.RELU).build());
            in = hidden;
        }
        MultiLayerConfiguration conf = b.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(in)
                .nOut(3).activation(Activation.SOFTMAX).build()).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        DataSet train = new DataSet(d.train().features(), d.train().labelsOneHot());
        for (int e = 0; e < epochs; e++) {
            train.shuffle(e);
            for (DataSet batch : train.batchBy(256)) {
                net.fit(batch);
            }
        }
        INDArray pred = net.output(d.test().features()).argMax(1);
        int[] y = d.test().labels();
        int ok = 0;
        for (int k = 0; k < y.length; k++) {
            ok += pred.getInt(k) == y[k] ? 1 : 0;
        }
        return (double) ok / y.length;
    }

    @Test
    void mlpBeatsChanceOnDefaultData() {
        PreparedData d = DatasetPreparer.prepare(DataConfig.defaults());
        double mlp = accuracy(64, d, 30);
        double linear = accuracy(0, d, 30);
        System.out.printf("default synthetic data: test accuracy MLP(64,64) %.3f, linear softmax %.3f; classes "
                + "sell/hold/buy train %s validation %s test %s; threshold %.5f%n", mlp, linear,
                java.util.Arrays.toString(d.train().classCounts()), java.util.Arrays.toString(d.validation().classCounts()),
                java.util.Arrays.toString(d.test().classCounts()), d.labelThreshold());
        assertTrue(mlp > 0.45, "MLP accuracy " + mlp);
    }
}
