package io.distill4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.InputShape;
import io.distill4j.loss.RegressionKdLossFunction.LabelLoss;
import io.distill4j.model.MlpNetwork;
import io.distill4j.model.Networks;
import java.util.Arrays;
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
 * The regression distillation loss: golden values by hand and from a plain re-computation written here, finite
 * differences and DL4J's gradient check through a student graph with a width-1 output.
 */
class RegressionKdTest {
    private static final IActivation ID = new ActivationIdentity();

    /** Row labels {@code [y | v]} for one output column. */
    private static INDArray labels(double[] y, double[] v) {
        double[][] l = new double[y.length][];
        for (int i = 0; i < y.length; i++) {
            l[i] = new double[] {y[i], v[i]};
        }
        return Nd4j.createFromArray(l);
    }

    static INDArray column(double... z) {
        double[][] c = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            c[i] = new double[] {z[i]};
        }
        return Nd4j.createFromArray(c);
    }

    /** Textbook Huber (Huber 1964), unscaled: 0.5 r^2 inside delta, delta (|r| - delta / 2) outside. */
    private static double huber(double r, double delta) {
        return Math.abs(r) <= delta ? 0.5 * r * r : delta * (Math.abs(r) - delta / 2);
    }

    @Test
    void goldenValuesByHand() {
        // z = 0.3, y = 0.1, v = -0.2, alpha = 0.25: 0.25 * 0.2^2 + 0.75 * 0.5^2 = 0.01 + 0.1875
        INDArray lab = labels(new double[] {0.1}, new double[] {-0.2});
        INDArray z = column(0.3);
        var mse = new RegressionKdLossFunction(0.25, 1, LabelLoss.MSE, 1);
        assertEquals(0.1975, mse.computeScore(lab, z, ID, null, false), 1e-12);
        // huber, delta 0.1, |r| = 0.2 > delta: 2 * (0.1 * 0.2 - 0.005) = 0.03 -> 0.25 * 0.03 + 0.1875
        var huber = new RegressionKdLossFunction(0.25, 1, LabelLoss.HUBER, 0.1);
        assertEquals(0.195, huber.computeScore(lab, z, ID, null, false), 1e-12);
        // gradient: 0.25 * 2 * 0.2 + 0.75 * 2 * 0.5 = 0.85 (mse); 0.25 * 2 * 0.1 + 0.75 = 0.8 (huber, clipped)
        assertEquals(0.85, mse.computeGradient(lab, z, ID, null).getDouble(0, 0), 1e-12);
        assertEquals(0.8, huber.computeGradient(lab, z, ID, null).getDouble(0, 0), 1e-12);
        // weight 3 multiplies both
        var weighted = new RegressionKdLossFunction(0.25, 3, LabelLoss.MSE, 1);
        assertEquals(3 * 0.1975, weighted.computeScore(lab, z, ID, null, false), 1e-12);
    }

    @Test
    void matchesAPlainRecomputationOnARandomBatch() {
        Random r = new Random(5);
        int n = 9;
        double[] y = new double[n];
        double[] v = new double[n];
        double[] z = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextGaussian();
            v[i] = r.nextGaussian();
            z[i] = r.nextGaussian();
        }
        for (double alpha : new double[] {0, 0.3, 1}) {
            for (LabelLoss kind : LabelLoss.values()) {
                double delta = 0.7;
                double expected = 0;
                for (int i = 0; i < n; i++) {
                    double label = kind == LabelLoss.MSE ? Math.pow(z[i] - y[i], 2) : 2 * huber(z[i] - y[i], delta);
                    expected += alpha * label + (1 - alpha) * Math.pow(z[i] - v[i], 2);
                }
                var loss = new RegressionKdLossFunction(alpha, 1, kind, delta);
                assertEquals(expected, loss.computeScore(labels(y, v), column(z), ID, null, false), 1e-10,
                        kind + " alpha " + alpha);
                assertEquals(expected / n, loss.computeScore(labels(y, v), column(z), ID, null, true), 1e-10);
            }
        }
    }

    @Test
    void alphaOneIgnoresTheTeacherAndZeroIgnoresTheLabel() {
        INDArray z = column(0.5, -1);
        var hard = new RegressionKdLossFunction(1, 1, LabelLoss.MSE, 1);
        assertEquals(hard.computeScore(labels(new double[] {0.1, 0.2}, new double[] {9, 9}), z, ID, null, false),
                hard.computeScore(labels(new double[] {0.1, 0.2}, new double[] {-4, 3}), z, ID, null, false));
        var soft = new RegressionKdLossFunction(0, 1, LabelLoss.MSE, 1);
        assertEquals(0, soft.computeScore(labels(new double[] {7, 7}, new double[] {0.5, -1}), z, ID, null, false),
                1e-15);
    }

    /** Central finite differences of the summed score against the analytic gradient (identity and tanh output). */
    @Test
    void gradientsMatchFiniteDifferences() {
        Random r = new Random(11);
        int n = 6;
        double[] y = new double[n];
        double[] v = new double[n];
        double[] zs = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextGaussian();
            v[i] = r.nextGaussian();
            zs[i] = r.nextGaussian();
        }
        INDArray lab = labels(y, v);
        INDArray z = column(zs);
        INDArray mask = column(1, 1, 0, 1, 1, 1);
        for (var loss : List.of(new RegressionKdLossFunction(0.4, 1, LabelLoss.MSE, 1),
                new RegressionKdLossFunction(0.6, 2, LabelLoss.HUBER, 0.5),
                new RegressionKdLossFunction(0, 1, LabelLoss.HUBER, 0.5))) {
            for (IActivation activation : List.of(ID, new ActivationTanH())) {
                for (INDArray m : Arrays.asList(null, mask)) {
                    INDArray analytic = loss.computeGradient(lab, z, activation, m);
                    double eps = 1e-6;
                    for (int i = 0; i < n; i++) {
                        INDArray plus = z.dup();
                        plus.putScalar(i, 0, z.getDouble(i, 0) + eps);
                        INDArray minus = z.dup();
                        minus.putScalar(i, 0, z.getDouble(i, 0) - eps);
                        double numeric = (loss.computeScore(lab, plus, activation, m, false)
                                - loss.computeScore(lab, minus, activation, m, false)) / (2 * eps);
                        assertEquals(numeric, analytic.getDouble(i, 0), 2e-7, loss + " row " + i);
                    }
                }
            }
        }
    }

    /** DL4J's gradient check through a student graph with a width-1 output and a regression head. */
    @Test
    void dl4jGradientCheckThroughStudentGraph() {
        for (DistillationLoss head : List.<DistillationLoss>of(new RegressionKd(0.3, 1, LabelLoss.MSE, 1),
                new RegressionKd(0.7, 1, LabelLoss.HUBER, 0.2))) {
            assertRegressionGraphGradients(head, (y, random) -> {
                double[] v = new double[y.length];
                for (int i = 0; i < y.length; i++) {
                    v[i] = random.nextGaussian();
                }
                return labels(y, v);
            });
        }
    }

    /**
     * DL4J's gradient check, in double precision, through a tanh MLP student (4 inputs, 5 hidden, 1 output) whose only
     * head is {@code head}, on 6 random rows with random targets {@code y}; {@code labels} builds the head's labels
     * from {@code y} (drawing anything else from the random source it is given).
     */
    static void assertRegressionGraphGradients(DistillationLoss head,
            java.util.function.BiFunction<double[], Random, INDArray> labels) {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            ComputationGraph graph = Networks.assemble(new NeuralNetConfiguration.Builder().seed(7)
                    .dataType(DataType.DOUBLE).updater(new NoOp()), new MlpNetwork(List.of(5), "tanh", 0),
                    List.of(head), new InputShape(4, 1, 1));
            Random random = new Random(3);
            int n = 6;
            INDArray x = Nd4j.zeros(DataType.DOUBLE, n, 4);
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < 4; k++) {
                    x.putScalar(i, k, random.nextGaussian());
                }
                y[i] = random.nextGaussian();
            }
            INDArray lab = labels.apply(y, random).castTo(DataType.DOUBLE);
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(graph)
                    .inputs(new INDArray[] {x}).labels(new INDArray[] {lab}).epsilon(1e-6)
                    .maxRelError(1e-3).minAbsoluteError(1e-8));
            assertTrue(ok, head.describe() + ": DL4J gradient check failed");
        } finally {
            Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        }
    }

    @Test
    void describesRejectsAndBuildsLabels() {
        assertEquals("regression_kd(alpha=0.5)", new RegressionKd(0.5, 1, LabelLoss.MSE, 1).describe());
        assertEquals("regression_kd(alpha=0.5,weight=2,huber(delta=0.1))",
                new RegressionKd(0.5, 2, LabelLoss.HUBER, 0.1).describe());
        assertThrows(IllegalArgumentException.class, () -> new RegressionKdLossFunction(1.5, 1, LabelLoss.MSE, 1));
        assertThrows(IllegalArgumentException.class, () -> new RegressionKdLossFunction(0.5, 1, LabelLoss.HUBER, 0));
        assertThrows(IllegalArgumentException.class, () -> new RegressionKdLossFunction(0.5, -1, LabelLoss.MSE, 1));
        INDArray y = column(0.1, 0.2);
        INDArray hard = RegressionKd.labelsOnly(LabelLoss.MSE, 1).labels(y, null);
        assertEquals(0, hard.getColumn(1).sumNumber().doubleValue());
        assertEquals(0.2, hard.getDouble(1, 0), 1e-6);
    }
}
