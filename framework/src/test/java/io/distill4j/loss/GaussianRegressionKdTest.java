package io.distill4j.loss;

import static io.distill4j.loss.RegressionKdTest.column;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.TeacherOutputs;
import io.distill4j.loss.RegressionKdLossFunction.LabelLoss;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code regression_kd soft: gaussian}: the precision weights and the loss against a direct Gaussian negative
 * log-likelihood computed here, finite differences and DL4J's gradient check through a student graph.
 */
class GaussianRegressionKdTest {
    private static final IActivation ID = new ActivationIdentity();

    /** An ensemble's outputs: the mean of the members' one-column predictions, and each member's. */
    private static TeacherOutputs ensemble(double[]... members) {
        Map<String, INDArray> named = new LinkedHashMap<>();
        double[] mean = new double[members[0].length];
        for (int m = 0; m < members.length; m++) {
            named.put("m" + m, column(members[m]));
            for (int i = 0; i < mean.length; i++) {
                mean[i] += members[m][i] / members.length;
            }
        }
        return new TeacherOutputs(column(mean), Map.of(), named);
    }

    @Test
    void goldenValuesAgainstTheGaussianNll() {
        // members a = [0, 1], b = [2, 1.5]: mu = [1, 1.25], variances [1, 0.0625], mean variance 0.53125
        TeacherOutputs t = ensemble(new double[] {0, 1}, new double[] {2, 1.5});
        double floor = 1e-3 * 0.53125 + 1e-12;
        double[] s2 = {1 + floor, 0.0625 + floor};
        double meanPrecision = (1 / s2[0] + 1 / s2[1]) / 2;
        double[] z = {0.5, 0.5};
        double[] y = {0, 0};
        double[] mu = {1, 1.25};
        // the Gaussian NLL of z under N(mu, s2) without its constant, scaled by 2 / mean precision
        double nll = 0;
        double labelTerm = 0;
        for (int i = 0; i < 2; i++) {
            nll += Math.pow(z[i] - mu[i], 2) / (2 * s2[i]);
            labelTerm += Math.pow(z[i] - y[i], 2);
        }
        double alpha = 0.2;
        double expected = alpha * labelTerm + (1 - alpha) * nll * 2 / meanPrecision;
        RegressionKd kd = new RegressionKd(alpha, 1, LabelLoss.MSE, 1, true);
        INDArray labels = kd.labels(column(y), t);
        assertEquals(4, labels.size(1));
        assertEquals(1 / s2[0] / meanPrecision, labels.getDouble(0, 2), 1e-5);
        assertEquals(1 / s2[1] / meanPrecision, labels.getDouble(1, 2), 1e-5);
        assertEquals(1.25, labels.getDouble(1, 1), 1e-6);
        assertEquals(expected, kd.lossFunction().computeScore(labels, column(z), ID, null, false), 1e-5);
        // by hand: precisions 0.999469, 15.865146; mean 8.432308; weights 0.118529, 1.881471
        assertEquals(0.118529, labels.getDouble(0, 2), 1e-5);
        assertEquals(1.881471, labels.getDouble(1, 2), 1e-5);
        // the weights have mean 1 and the confident row (small spread) weighs more
        assertEquals(2, labels.getColumn(2).sumNumber().doubleValue(), 1e-5);
        assertTrue(labels.getDouble(1, 2) > labels.getDouble(0, 2));
        // soft: mse leaves [y | mu]
        assertEquals(2, new RegressionKd(alpha, 1, LabelLoss.MSE, 1).labels(column(y), t).size(1));
        assertEquals("regression_kd(alpha=0.2,soft=gaussian)", kd.describe());
    }

    @Test
    void equalSpreadsGiveThePlainSoftTerm() {
        TeacherOutputs t = ensemble(new double[] {0, 3, -1}, new double[] {1, 4, 0});
        INDArray w = new RegressionKd(0.5, 1, LabelLoss.MSE, 1, true).labels(column(0, 0, 0), t).getColumn(2);
        for (int i = 0; i < 3; i++) {
            assertEquals(1, w.getDouble(i), 1e-6);
        }
    }

    @Test
    void aSingleTeacherIsRefused() {
        TeacherOutputs single = new TeacherOutputs(column(1, 2), Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RegressionKd(0.5, 1, LabelLoss.MSE, 1, true).labels(column(0, 0), single));
        assertTrue(e.getMessage().contains("at least two members, got 0"), e.getMessage());
    }

    private static TeacherOutputs randomEnsemble(Random r, int n) {
        double[][] members = new double[3][n];
        for (double[] m : members) {
            for (int i = 0; i < n; i++) {
                m[i] = r.nextGaussian();
            }
        }
        return ensemble(members);
    }

    /** Central finite differences of the summed score against the analytic gradient (identity and tanh output). */
    @Test
    void gradientsMatchFiniteDifferences() {
        Random r = new Random(17);
        int n = 6;
        double[] y = new double[n];
        double[] zs = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextGaussian();
            zs[i] = r.nextGaussian();
        }
        TeacherOutputs t = randomEnsemble(r, n);
        INDArray z = column(zs);
        for (RegressionKd kd : List.of(new RegressionKd(0.3, 1, LabelLoss.MSE, 1, true),
                new RegressionKd(0, 2, LabelLoss.HUBER, 0.4, true))) {
            INDArray lab = kd.labels(column(y), t).castTo(DataType.DOUBLE);
            for (IActivation activation : List.of(ID, new ActivationTanH())) {
                FiniteDifferences.assertGradient(kd.lossFunction(), lab, z, activation, null, 2e-7, kd.describe());
            }
        }
    }

    /** DL4J's gradient check through a student graph with a width-1 output and the Gaussian labels. */
    @Test
    void dl4jGradientCheckThroughStudentGraph() {
        RegressionKd head = new RegressionKd(0.3, 1, LabelLoss.MSE, 1, true);
        RegressionKdTest.assertRegressionGraphGradients(head,
                (y, random) -> head.labels(column(y), randomEnsemble(random, y.length)));
    }
}
