package io.distill4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.InputShape;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.model.MlpNetwork;
import io.distill4j.model.Networks;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/** Regime-conditional Hinton KD: per-sample alpha and T exactly as documented, and its gradient. */
class RegimeHintonKdTest {
    private static final double NAN = Double.NaN;
    // regime 0: alpha 0.8, T 2; regime 1: alpha from the loss (0.5), T 6; regime 2: alpha 0.2, T from the loss (4)
    private static final double[] ALPHAS = {0.8, NAN, 0.2};
    private static final double[] TEMPERATURES = {2, 6, NAN};

    private static RegimeHintonKdLossFunction loss() {
        return new RegimeHintonKdLossFunction(4, 0.5, 1, false, ALPHAS, TEMPERATURES);
    }

    private static double[] softmax(double[] x, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v / t);
        }
        double[] e = new double[x.length];
        double sum = 0;
        for (int k = 0; k < x.length; k++) {
            e[k] = Math.exp(x[k] / t - max);
            sum += e[k];
        }
        for (int k = 0; k < x.length; k++) {
            e[k] /= sum;
        }
        return e;
    }

    /** The documented per-sample formula, written out plainly. */
    private static double byHand(double[] z, int y, double[] v, double alpha, double t) {
        double ce = -Math.log(softmax(z, 1)[y]);
        double[] p = softmax(z, t);
        double[] q = softmax(v, t);
        double kl = 0;
        for (int k = 0; k < z.length; k++) {
            kl += q[k] * Math.log(q[k] / p[k]);
        }
        return alpha * ce + (1 - alpha) * t * t * kl;
    }

    private static final double[][] Z = {{1.0, -0.5, 0.25}, {0.3, 2.0, -1.0}, {-0.7, 0.1, 1.2}, {0.5, 0.5, -2}};
    private static final int[] Y = {2, 1, 0, 0};
    private static final double[][] V = {{0.5, 0.1, 1.5}, {-1.0, 3.0, 0.0}, {2.0, -1.0, 0.3}, {0.2, 1.0, 0.4}};
    private static final int[] R = {0, 1, 2, 0};

    private static INDArray labels() {
        INDArray l = Nd4j.zeros(DataType.DOUBLE, Z.length, 7);
        for (int i = 0; i < Z.length; i++) {
            l.putScalar(i, Y[i], 1);
            for (int k = 0; k < 3; k++) {
                l.putScalar(i, 3 + k, V[i][k]);
            }
            l.putScalar(i, 6, R[i]);
        }
        return l;
    }

    @Test
    void eachSampleUsesItsRegimesAlphaAndTemperature() {
        INDArray scores = loss().computeScoreArray(labels(), Nd4j.createFromArray(Z), new ActivationIdentity(), null);
        double[] alpha = {0.8, 0.5, 0.2, 0.8};
        double[] t = {2, 6, 4, 2};
        double sum = 0;
        for (int i = 0; i < Z.length; i++) {
            double expected = byHand(Z[i], Y[i], V[i], alpha[i], t[i]);
            assertEquals(expected, scores.getDouble(i), 1e-12, "row " + i);
            sum += expected;
        }
        assertEquals(sum, loss().computeScore(labels(), Nd4j.createFromArray(Z), new ActivationIdentity(), null,
                false), 1e-12);
        // a weight multiplies every row
        var weighted = new RegimeHintonKdLossFunction(4, 0.5, 0.25, false, ALPHAS, TEMPERATURES);
        assertEquals(0.25 * sum, weighted.computeScore(labels(), Nd4j.createFromArray(Z), new ActivationIdentity(),
                null, false), 1e-12);
    }

    /** Each row's score and gradient are those of the plain Hinton loss at that row's alpha and T. */
    @Test
    void eachRowIsThePlainHintonLossAtItsRegimesSettings() {
        INDArray z = Nd4j.createFromArray(Z);
        INDArray labels = labels();
        INDArray grad = loss().computeGradient(labels, z, new ActivationIdentity(), null);
        double[] alpha = {0.8, 0.5, 0.2, 0.8};
        double[] t = {2, 6, 4, 2};
        for (int i = 0; i < Z.length; i++) {
            var plain = new HintonKdLossFunction(t[i], alpha[i]);
            INDArray row = labels.getRow(i, true).get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 6));
            INDArray zi = z.getRow(i, true);
            assertEquals(plain.computeScore(row, zi, new ActivationIdentity(), null, false),
                    loss().computeScoreArray(labels, z, new ActivationIdentity(), null).getDouble(i), 1e-12);
            INDArray g = plain.computeGradient(row, zi, new ActivationIdentity(), null);
            for (int k = 0; k < 3; k++) {
                assertEquals(g.getDouble(0, k), grad.getDouble(i, k), 1e-12);
            }
        }
        // the same settings in every regime: exactly the plain loss
        var uniform = new RegimeHintonKdLossFunction(3, 0.4, 1, false, new double[] {NAN, NAN, NAN},
                new double[] {NAN, NAN, NAN});
        INDArray plainLabels = labels.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 6));
        assertEquals(new HintonKdLossFunction(3, 0.4).computeScore(plainLabels, z, new ActivationIdentity(), null,
                false), uniform.computeScore(labels, z, new ActivationIdentity(), null, false), 1e-12);
    }

    /** The loss's own alpha and T (a schedule moves them) drive only the regimes without values of their own. */
    @Test
    void theLossesOwnParametersHoldForRegimesWithoutTheirOwn() {
        var f = loss();
        f.setAlpha(0.1);
        f.setTemperature(9);
        assertEquals(0.8, f.alpha(0), 0.0);
        assertEquals(0.1, f.alpha(1), 0.0);
        assertEquals(2, f.temperature(0), 0.0);
        assertEquals(9, f.temperature(2), 0.0);
        INDArray scores = f.computeScoreArray(labels(), Nd4j.createFromArray(Z), new ActivationIdentity(), null);
        assertEquals(byHand(Z[1], Y[1], V[1], 0.1, 6), scores.getDouble(1), 1e-12);
        assertEquals(byHand(Z[2], Y[2], V[2], 0.2, 9), scores.getDouble(2), 1e-12);
        assertEquals(byHand(Z[0], Y[0], V[0], 0.8, 2), scores.getDouble(0), 1e-12);
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        Random random = new Random(42);
        int n = 9;
        int c = 3;
        INDArray z = Nd4j.zeros(DataType.DOUBLE, n, c);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, n, 2 * c + 1);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, random.nextInt(c), 1.0);
            labels.putScalar(i, 2 * c, i % 3);
            for (int k = 0; k < c; k++) {
                z.putScalar(i, k, random.nextGaussian() * 2);
                labels.putScalar(i, c + k, random.nextGaussian() * 3);
            }
        }
        for (boolean standardize : new boolean[] {false, true}) {
            var loss = new RegimeHintonKdLossFunction(4, 0.5, 1, standardize, ALPHAS, TEMPERATURES);
            for (var activation : List.of(new ActivationIdentity(), new ActivationTanH())) {
                FiniteDifferences.assertGradient(loss, labels, z, activation, null, 1e-7,
                        "standardize=" + standardize);
            }
        }
    }

    /** DL4J's own gradient check through a student graph with the regime-conditional head, in double precision. */
    @Test
    void dl4jGradientCheckThroughStudentGraph() {
        FiniteDifferences.assertGraphGradients(new RegimeHintonKd("kd", HintonKd.DEFAULT_TEACHER, 3.0, 0.4, 1, false,
                List.of("a", "b", "c"), ALPHAS, TEMPERATURES), true);
    }

    @Test
    void labelsCarryTheBoundRegimesOfTheirSplit() {
        var kd = RegimeHintonKd.of(new HintonKd(4, 0.5), List.of("high_vol", "trend", "mean_reversion"), ALPHAS,
                TEMPERATURES);
        INDArray hard = Nd4j.createFromArray(new float[][] {{1, 0, 0}, {0, 0, 1}});
        var teacher = new TeacherOutputs(Nd4j.createFromArray(new float[][] {{1, 2, 3}, {4, 5, 6}}), Map.of());
        var e = assertThrows(IllegalStateException.class, () -> kd.labels(hard, teacher));
        assertTrue(e.getMessage().contains("bind()"), e.getMessage());
        kd.bind(hard, new int[] {2, 0});
        INDArray labels = kd.labels(hard, teacher);
        assertEquals(Nd4j.createFromArray(new float[][] {{1, 0, 0, 1, 2, 3, 2}, {0, 0, 1, 4, 5, 6, 0}}), labels);
        // another array with equal contents is another split: not bound
        assertThrows(IllegalStateException.class, () -> kd.labels(hard.dup(), teacher));
        assertThrows(IllegalArgumentException.class, () -> kd.bind(hard, new int[] {3, 0}));
        assertEquals("hinton(T=4,alpha=0.5,high_vol:alpha=0.8/T=2,trend:alpha=0.5/T=6,mean_reversion:alpha=0.2/T=4)",
                kd.describe());
        // wrong regime index in the labels
        INDArray bad = labels();
        bad.putScalar(0, 6, 3);
        assertThrows(IllegalArgumentException.class, () -> loss().computeScore(bad, Nd4j.createFromArray(Z),
                new ActivationIdentity(), null, false));
    }

    /** A graph with the regime-conditional head saves and restores with ModelSerializer, per-regime values included. */
    @Test
    void graphRoundTripsThroughModelSerializer(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        var kd = new RegimeHintonKd("kd", HintonKd.DEFAULT_TEACHER, 3.0, 0.4, 1, false, List.of("a", "b", "c"),
                ALPHAS, TEMPERATURES);
        ComputationGraph graph = Networks.build(new MlpNetwork(List.of(5), "relu", 0), List.of(kd),
                new InputShape(4, 1, 3), new io.distill4j.train.TrainingSettings(1, 8, 1e-3, 0, 0), 7);
        var zip = dir.resolve("g.zip").toFile();
        org.deeplearning4j.util.ModelSerializer.writeModel(graph, zip, true);
        ComputationGraph restored = org.deeplearning4j.util.ModelSerializer.restoreComputationGraph(zip, true);
        var loss = (RegimeHintonKdLossFunction) ((org.deeplearning4j.nn.conf.layers.LossLayer) ((
                org.deeplearning4j.nn.conf.graph.LayerVertex) restored.getConfiguration().getVertices().get("kd"))
                .getLayerConf().getLayer()).getLossFn();
        assertEquals(0.8, loss.alpha(0), 0.0);
        assertEquals(0.4, loss.alpha(1), 0.0);
        assertEquals(6, loss.temperature(1), 0.0);
        assertEquals(3, loss.temperature(2), 0.0);
    }
}
