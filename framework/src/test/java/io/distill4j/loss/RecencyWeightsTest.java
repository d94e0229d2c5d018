package io.distill4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.InputShape;
import io.distill4j.loss.RegressionKdLossFunction.LabelLoss;
import io.distill4j.model.MlpNetwork;
import io.distill4j.model.Networks;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * Recency weights: the weights themselves (by hand), and that they change the Hinton and regression losses exactly
 * as documented (golden values independent of the weighted code path), with finite differences and DL4J's gradient
 * check of the weighted losses.
 */
class RecencyWeightsTest {
    private static final IActivation ID = new ActivationIdentity();
    /** The two-row batch of HintonKdLossFunctionTest and its NumPy golden values. */
    private static final INDArray Z = Nd4j.createFromArray(new double[][] {{1.0, -0.5, 0.25}, {0.3, 2.0, -1.0}});
    private static final INDArray LABELS = Nd4j.createFromArray(new double[][] {
        {0, 0, 1, 0.5, 0.1, 1.5}, {0, 1, 0, -1.0, 3.0, 0.0}});
    /** Per-row cross-entropy (T = 1, alpha = 1) and full score at T = 4, alpha = 0.5 (NumPy). */
    private static final double[] CE = {1.2779757438553099, 0.20902076654506024};
    private static final double[] T4_HALF = {0.7776039487218936, 0.3401919338077454};

    private static INDArray withTerms(INDArray labels, double[] soft, double[] hard) {
        double[][] w = new double[soft.length][];
        for (int i = 0; i < soft.length; i++) {
            w[i] = new double[] {soft[i], hard[i]};
        }
        return Nd4j.hstack(labels, Nd4j.createFromArray(w));
    }

    @Test
    void weightsHalveEveryHalfLifeAndAverageOne() {
        // bars 10, 12, 15, 20 and H = 5: ages 10, 8, 5, 0 -> 2^-2, 2^-1.6, 2^-1, 1, over their mean
        double[] raw = {0.25, Math.pow(2, -1.6), 0.5, 1};
        double mean = (raw[0] + raw[1] + raw[2] + raw[3]) / 4;
        double[] w = new RecencyWeights(5, RecencyWeights.ApplyTo.SOFT).weights(new int[] {10, 12, 15, 20});
        for (int i = 0; i < 4; i++) {
            assertEquals(raw[i] / mean, w[i], 1e-12);
        }
        assertEquals(0.5, w[2] / w[3], 1e-12); // H bars older weighs half
        assertEquals(1, (w[0] + w[1] + w[2] + w[3]) / 4, 1e-12);
        // order does not matter: the age is measured from the last bar of the split
        double[] shuffled = new RecencyWeights(5, RecencyWeights.ApplyTo.SOFT).weights(new int[] {20, 10, 15, 12});
        assertEquals(w[3], shuffled[0], 1e-12);
        assertEquals(w[0], shuffled[1], 1e-12);

        INDArray soft = new RecencyWeights(5, RecencyWeights.ApplyTo.SOFT).termColumns(new int[] {10, 20});
        INDArray both = new RecencyWeights(5, RecencyWeights.ApplyTo.BOTH).termColumns(new int[] {10, 20});
        assertEquals(0.25 / 0.625, soft.getDouble(0, 0), 1e-6);
        assertEquals(1, soft.getDouble(0, 1), 0);
        assertEquals(1 / 0.625, both.getDouble(1, 1), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> new RecencyWeights(0, RecencyWeights.ApplyTo.SOFT));
    }

    @Test
    void hintonTermWeightsMultiplyEachTermOfEachRow() {
        var loss = new HintonKdLossFunction(4, 0.5);
        double[] softPart = {T4_HALF[0] - 0.5 * CE[0], T4_HALF[1] - 0.5 * CE[1]};
        // soft only: h = 1
        INDArray scores = loss.computeScoreArray(withTerms(LABELS, new double[] {2, 0.5}, new double[] {1, 1}), Z,
                ID, null);
        assertEquals(0.5 * CE[0] + 2 * softPart[0], scores.getDouble(0), 1e-12);
        assertEquals(0.5 * CE[1] + 0.5 * softPart[1], scores.getDouble(1), 1e-12);
        // both: the whole row scaled
        scores = loss.computeScoreArray(withTerms(LABELS, new double[] {2, 0.5}, new double[] {2, 0.5}), Z, ID,
                null);
        assertEquals(2 * T4_HALF[0], scores.getDouble(0), 1e-12);
        assertEquals(0.5 * T4_HALF[1], scores.getDouble(1), 1e-12);
        // unit weights change nothing
        assertEquals(loss.computeScore(LABELS, Z, ID, null, false), loss.computeScore(withTerms(LABELS,
                new double[] {1, 1}, new double[] {1, 1}), Z, ID, null, false), 1e-12);
    }

    @Test
    void regressionTermWeightsMultiplyEachTermOfEachRow() {
        // z = 0.3, y = 0.1, v = -0.2, alpha = 0.25: label term 0.25 * 0.04 = 0.01, soft 0.75 * 0.25 = 0.1875
        INDArray z = Nd4j.createFromArray(new double[][] {{0.3}});
        INDArray lab = Nd4j.createFromArray(new double[][] {{0.1, -0.2, 3, 1}});
        var loss = new RegressionKdLossFunction(0.25, 1, LabelLoss.MSE, 1);
        assertEquals(0.01 + 3 * 0.1875, loss.computeScore(lab, z, ID, null, false), 1e-12);
        // d/dz: 0.25 * 2 * 0.2 + 3 * 0.75 * 2 * 0.5
        assertEquals(0.1 + 2.25, loss.computeGradient(lab, z, ID, null).getDouble(0, 0), 1e-12);
        INDArray both = Nd4j.createFromArray(new double[][] {{0.1, -0.2, 3, 3}});
        assertEquals(3 * 0.1975, loss.computeScore(both, z, ID, null, false), 1e-12);
        assertEquals(3 * 0.85, loss.computeGradient(both, z, ID, null).getDouble(0, 0), 1e-12);
    }

    @Test
    void lossesWithoutTermWeightsRejectTheExtraColumns() {
        var dkd = new DkdLossFunction(4, 0.5, 1, 8, 1, false);
        INDArray weighted = withTerms(LABELS, new double[] {1, 1}, new double[] {1, 1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> dkd.computeScore(weighted, Z, ID, null, false));
        assertTrue(e.getMessage().contains("labels must be [n, 2C]"), e.getMessage());
    }

    /** Central finite differences of the weighted summed scores (identity and tanh outputs, with a mask). */
    @Test
    void weightedGradientsMatchFiniteDifferences() {
        Random r = new Random(17);
        int n = 5;
        int c = 3;
        INDArray z = Nd4j.zeros(DataType.DOUBLE, n, c);
        INDArray lab = Nd4j.zeros(DataType.DOUBLE, n, 2 * c + 2);
        INDArray zr = Nd4j.zeros(DataType.DOUBLE, n, 1);
        INDArray labR = Nd4j.zeros(DataType.DOUBLE, n, 4);
        for (int i = 0; i < n; i++) {
            lab.putScalar(i, r.nextInt(c), 1.0);
            for (int k = 0; k < c; k++) {
                z.putScalar(i, k, r.nextGaussian() * 2);
                lab.putScalar(i, c + k, r.nextGaussian() * 3);
            }
            lab.putScalar(i, 2 * c, 0.2 + 2 * r.nextDouble());
            lab.putScalar(i, 2 * c + 1, 0.2 + 2 * r.nextDouble());
            zr.putScalar(i, 0, r.nextGaussian());
            labR.putScalar(i, 0, r.nextGaussian());
            labR.putScalar(i, 1, r.nextGaussian());
            labR.putScalar(i, 2, 0.2 + 2 * r.nextDouble());
            labR.putScalar(i, 3, 0.2 + 2 * r.nextDouble());
        }
        INDArray mask = Nd4j.createFromArray(new double[][] {{1}, {0}, {1}, {1}, {1}});
        List<Object[]> cases = List.of(
                new Object[] {new HintonKdLossFunction(3, 0.4), z, lab},
                new Object[] {new HintonKdLossFunction(2, 0.7, 1.5, true), z, lab},
                new Object[] {new RegressionKdLossFunction(0.3, 1, LabelLoss.MSE, 1), zr, labR},
                new Object[] {new RegressionKdLossFunction(0.6, 2, LabelLoss.HUBER, 0.4), zr, labR});
        for (Object[] kase : cases) {
            LogitLossFunction loss = (LogitLossFunction) kase[0];
            INDArray x = (INDArray) kase[1];
            INDArray y = (INDArray) kase[2];
            for (IActivation activation : List.of(ID, new ActivationTanH())) {
                for (INDArray m : java.util.Arrays.asList(null, mask)) {
                    FiniteDifferences.assertGradient(loss, y, x, activation, m, 1e-6, loss.toString());
                }
            }
        }
    }

    /** DL4J's gradient check through a student graph whose KD head reads recency-weighted labels. */
    @Test
    void dl4jGradientCheckOfTheWeightedLosses() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            Random random = new Random(3);
            int n = 6;
            int[] bars = {3, 9, 20, 21, 40, 41};
            for (var head : List.of(new HintonKd(3.0, 0.4), new RegressionKd(0.3, 1, LabelLoss.MSE, 1))) {
                int c = head instanceof HintonKd ? 3 : 1;
                ComputationGraph graph = Networks.assemble(new NeuralNetConfiguration.Builder().seed(7)
                        .dataType(DataType.DOUBLE).updater(new NoOp()), new MlpNetwork(List.of(5), "tanh", 0),
                        List.of(head), new InputShape(4, 1, c));
                INDArray x = Nd4j.zeros(DataType.DOUBLE, n, 4);
                INDArray y = Nd4j.zeros(DataType.DOUBLE, n, 2 * c);
                for (int i = 0; i < n; i++) {
                    for (int k = 0; k < 4; k++) {
                        x.putScalar(i, k, random.nextGaussian());
                    }
                    y.putScalar(i, random.nextInt(c), 1);
                    for (int k = 0; k < c; k++) {
                        y.putScalar(i, c + k, random.nextGaussian() * 2);
                    }
                }
                INDArray labels = Nd4j.hstack(y, new RecencyWeights(10, RecencyWeights.ApplyTo.BOTH)
                        .termColumns(bars).castTo(DataType.DOUBLE));
                boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(graph)
                        .inputs(new INDArray[] {x}).labels(new INDArray[] {labels}).epsilon(1e-6)
                        .maxRelError(1e-3).minAbsoluteError(1e-8));
                assertTrue(ok, head.describe() + ": DL4J gradient check failed");
            }
        } finally {
            Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        }
    }
}
