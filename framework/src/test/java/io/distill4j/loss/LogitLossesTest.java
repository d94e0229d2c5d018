package io.distill4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.InputShape;
import io.distill4j.model.MlpNetwork;
import io.distill4j.model.Networks;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * DKD, DIST and logit standardisation: golden values from straightforward re-computations written here (plain
 * probabilities and loops, no code of the losses), identities from the papers, finite-difference gradients and DL4J's
 * gradient check.
 */
class LogitLossesTest {
    private static final IActivation ID = new ActivationIdentity();

    // ---- independent reference computations -------------------------------------------------------

    private static double[] softmax(double[] x, double t) {
        double[] e = new double[x.length];
        double s = 0;
        for (int k = 0; k < x.length; k++) {
            e[k] = Math.exp(x[k] / t);
            s += e[k];
        }
        for (int k = 0; k < x.length; k++) {
            e[k] /= s;
        }
        return e;
    }

    private static double ce(double[] y, double[] z) {
        double[] p = softmax(z, 1);
        double out = 0;
        for (int k = 0; k < z.length; k++) {
            out -= y[k] * Math.log(p[k]);
        }
        return out;
    }

    private static int target(double[] y) {
        int t = 0;
        for (int k = 1; k < y.length; k++) {
            t = y[k] > y[t] ? k : t;
        }
        return t;
    }

    /** DKD as mdistiller writes it: binary masses from probabilities, non-target softmax after masking the target. */
    private static double dkdRow(double[] y, double[] z, double[] v, double t, double alpha, double a, double b) {
        int gt = target(y);
        double[] p = softmax(z, t);
        double[] q = softmax(v, t);
        double tckd = q[gt] * Math.log(q[gt] / p[gt]) + (1 - q[gt]) * Math.log((1 - q[gt]) / (1 - p[gt]));
        double[] zm = z.clone();
        double[] vm = v.clone();
        zm[gt] -= 1000 * t;
        vm[gt] -= 1000 * t;
        double[] ph = softmax(zm, t);
        double[] qh = softmax(vm, t);
        double nckd = 0;
        for (int k = 0; k < z.length; k++) {
            if (k != gt) {
                nckd += qh[k] * Math.log(qh[k] / ph[k]);
            }
        }
        return alpha * ce(y, z) + (1 - alpha) * t * t * (a * tckd + b * nckd);
    }

    private static double pearson(double[] x, double[] y) {
        int m = x.length;
        double mx = 0;
        double my = 0;
        for (int k = 0; k < m; k++) {
            mx += x[k] / m;
            my += y[k] / m;
        }
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int k = 0; k < m; k++) {
            sxy += (x[k] - mx) * (y[k] - my);
            sxx += (x[k] - mx) * (x[k] - mx);
            syy += (y[k] - my) * (y[k] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    /** The mean DIST loss of a batch, straight from the paper's definition. */
    private static double distMean(double[][] y, double[][] z, double[][] v, double t, double alpha, double beta,
            double gamma) {
        int n = z.length;
        int c = z[0].length;
        double[][] p = new double[n][];
        double[][] q = new double[n][];
        double ceMean = 0;
        double inter = 0;
        for (int i = 0; i < n; i++) {
            p[i] = softmax(z[i], t);
            q[i] = softmax(v[i], t);
            inter += (1 - pearson(p[i], q[i])) / n;
            ceMean += ce(y[i], z[i]) / n;
        }
        double intra = 0;
        for (int k = 0; k < c; k++) {
            double[] pk = new double[n];
            double[] qk = new double[n];
            for (int i = 0; i < n; i++) {
                pk[i] = p[i][k];
                qk[i] = q[i][k];
            }
            intra += (1 - pearson(pk, qk)) / c;
        }
        return alpha * ceMean + (1 - alpha) * t * t * (beta * inter + gamma * intra);
    }

    /** z-score with the sample standard deviation, eps 1e-7 (Sun et al.'s code). */
    private static double[] zscore(double[] x) {
        double m = 0;
        for (double v : x) {
            m += v / x.length;
        }
        double ss = 0;
        for (double v : x) {
            ss += (v - m) * (v - m);
        }
        double sd = Math.sqrt(ss / (x.length - 1));
        double[] out = new double[x.length];
        for (int k = 0; k < x.length; k++) {
            out[k] = (x[k] - m) / (sd + 1e-7);
        }
        return out;
    }

    private static double klRow(double[] z, double[] v, double t) {
        double[] p = softmax(z, t);
        double[] q = softmax(v, t);
        double kl = 0;
        for (int k = 0; k < z.length; k++) {
            kl += q[k] * Math.log(q[k] / p[k]);
        }
        return kl;
    }

    // ---- fixtures ---------------------------------------------------------------------------------

    private record Batch(double[][] y, double[][] z, double[][] v) {
        static Batch random(long seed, int n, int c) {
            Random r = new Random(seed);
            double[][] y = new double[n][c];
            double[][] z = new double[n][c];
            double[][] v = new double[n][c];
            for (int i = 0; i < n; i++) {
                y[i][r.nextInt(c)] = 1;
                for (int k = 0; k < c; k++) {
                    z[i][k] = r.nextGaussian() * 2;
                    v[i][k] = r.nextGaussian() * 3;
                }
            }
            return new Batch(y, z, v);
        }

        INDArray logits() {
            return Nd4j.createFromArray(z);
        }

        INDArray labels() {
            int n = z.length;
            int c = z[0].length;
            double[][] l = new double[n][2 * c];
            for (int i = 0; i < n; i++) {
                System.arraycopy(y[i], 0, l[i], 0, c);
                System.arraycopy(v[i], 0, l[i], c, c);
            }
            return Nd4j.createFromArray(l);
        }
    }

    // ---- DKD --------------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({"4.0, 0.5, 1.0, 8.0", "1.0, 0.0, 1.0, 1.0", "2.0, 0.3, 0.5, 4.0", "8.0, 1.0, 2.0, 2.0"})
    void dkdMatchesTheReferenceComputation(double t, double alpha, double a, double b) {
        Batch batch = Batch.random(5, 6, 4);
        var loss = new DkdLossFunction(t, alpha, a, b, 1.0, false);
        INDArray scores = loss.computeScoreArray(batch.labels(), batch.logits(), ID, null);
        double sum = 0;
        for (int i = 0; i < 6; i++) {
            double expected = dkdRow(batch.y()[i], batch.z()[i], batch.v()[i], t, alpha, a, b);
            assertEquals(expected, scores.getDouble(i, 0), 1e-9 * Math.max(1, expected), "row " + i);
            sum += expected;
        }
        assertEquals(sum / 6, loss.computeScore(batch.labels(), batch.logits(), ID, null, true), 1e-9);
    }

    /** Hand-computed: logits [0, 0, 0] (uniform), teacher [ln 2, 0, 0], target 0, T 1, alpha 0. */
    @Test
    void dkdByHand() {
        INDArray z = Nd4j.createFromArray(new double[][] {{0, 0, 0}});
        INDArray labels = Nd4j.createFromArray(new double[][] {{1, 0, 0, Math.log(2), 0, 0}});
        // q = [1/2, 1/4, 1/4], p = [1/3, 1/3, 1/3]; TCKD = 1/2 ln(3/2) + 1/2 ln(3/4); q^ = p^ = [1/2, 1/2]: NCKD = 0
        double tckd = 0.5 * Math.log(1.5) + 0.5 * Math.log(0.75);
        var loss = new DkdLossFunction(1, 0, 2, 8, 1, false);
        assertEquals(2 * tckd, loss.computeScore(labels, z, ID, null, false), 1e-12);
        var nckdOnly = new DkdLossFunction(1, 0, 0, 8, 1, false);
        assertEquals(0, nckdOnly.computeScore(labels, z, ID, null, false), 1e-12);
    }

    /** The paper's eq. 1: KD = TCKD + (1 - q_t) NCKD, so DKD with beta_dkd = 1 - q_t is Hinton KD on one row. */
    @Test
    void dkdDecomposesHintonKd() {
        Batch batch = Batch.random(9, 1, 5);
        double t = 3;
        double qt = softmax(batch.v()[0], t)[target(batch.y()[0])];
        double dkd = new DkdLossFunction(t, 0, 1, 1 - qt, 1, false)
                .computeScore(batch.labels(), batch.logits(), ID, null, false);
        double kd = new HintonKdLossFunction(t, 0).computeScore(batch.labels(), batch.logits(), ID, null, false);
        assertEquals(kd, dkd, 1e-10);
        assertEquals(t * t * klRow(batch.z()[0], batch.v()[0], t), kd, 1e-10);
    }

    // ---- DIST -------------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({"1.0, 0.5, 1.0, 1.0", "4.0, 0.0, 2.0, 2.0", "2.0, 0.3, 1.0, 0.0", "1.0, 1.0, 1.0, 1.0"})
    void distMatchesTheReferenceComputation(double t, double alpha, double beta, double gamma) {
        Batch batch = Batch.random(7, 8, 3);
        var loss = new DistLossFunction(t, alpha, beta, gamma, 1.0);
        double expected = distMean(batch.y(), batch.z(), batch.v(), t, alpha, beta, gamma);
        assertEquals(expected, loss.computeScore(batch.labels(), batch.logits(), ID, null, true), 1e-9);
        assertEquals(8 * expected, loss.computeScore(batch.labels(), batch.logits(), ID, null, false), 1e-8);
    }

    /** A student equal to its teacher has correlation 1 everywhere: DIST is 0; an affine map of it too (Pearson). */
    @Test
    void distIsZeroForTheTeacherItself() {
        Batch batch = Batch.random(3, 5, 3);
        Batch same = new Batch(batch.y(), batch.v(), batch.v());
        var loss = new DistLossFunction(2, 0, 1, 1, 1);
        assertEquals(0, loss.computeScore(same.labels(), same.logits(), ID, null, true), 1e-12);
        assertTrue(loss.computeScore(batch.labels(), batch.logits(), ID, null, true) > 0.01);
    }

    /** The intra-class term is a statistic of the minibatch: a masked row leaves it out of the batch too. */
    @Test
    void distMaskDropsRowsFromTheBatchStatistic() {
        Batch batch = Batch.random(11, 6, 3);
        var loss = new DistLossFunction(1, 0, 0, 1, 1);
        INDArray mask = Nd4j.createFromArray(new double[][] {{1}, {1}, {1}, {1}, {0}, {0}});
        double masked = loss.computeScore(batch.labels(), batch.logits(), ID, mask, false);
        Batch first = new Batch(java.util.Arrays.copyOf(batch.y(), 4), java.util.Arrays.copyOf(batch.z(), 4),
                java.util.Arrays.copyOf(batch.v(), 4));
        assertEquals(4 * distMean(first.y(), first.z(), first.v(), 1, 0, 0, 1), masked, 1e-10);
        INDArray grad = loss.computeGradient(batch.labels(), batch.logits(), ID, mask);
        assertEquals(0, grad.getRow(4).norm1Number().doubleValue());
        assertTrue(grad.getRow(0).norm1Number().doubleValue() > 0);
    }

    // ---- logit standardisation -----------------------------------------------------------------

    /** Standardised Hinton KD = plain KD on z-scored logits for the soft term, CE on the raw logits. */
    @ParameterizedTest
    @CsvSource({"2.0, 0.0", "4.0, 0.5", "1.0, 0.9"})
    void standardisedHintonMatchesTheReferenceComputation(double t, double alpha) {
        Batch batch = Batch.random(13, 5, 4);
        var loss = new HintonKdLossFunction(t, alpha, 1, true);
        INDArray scores = loss.computeScoreArray(batch.labels(), batch.logits(), ID, null);
        for (int i = 0; i < 5; i++) {
            double expected = alpha * ce(batch.y()[i], batch.z()[i])
                    + (1 - alpha) * t * t * klRow(zscore(batch.z()[i]), zscore(batch.v()[i]), t);
            assertEquals(expected, scores.getDouble(i, 0), 1e-9, "row " + i);
        }
    }

    @Test
    void standardisedDkdMatchesTheReferenceComputation() {
        Batch batch = Batch.random(17, 5, 4);
        var loss = new DkdLossFunction(2, 0.3, 1, 4, 1, true);
        INDArray scores = loss.computeScoreArray(batch.labels(), batch.logits(), ID, null);
        for (int i = 0; i < 5; i++) {
            double soft = dkdRow(batch.y()[i], zscore(batch.z()[i]), zscore(batch.v()[i]), 2, 0, 1, 4);
            double expected = 0.3 * ce(batch.y()[i], batch.z()[i]) + 0.7 * soft;
            assertEquals(expected, scores.getDouble(i, 0), 1e-9, "row " + i);
        }
    }

    /** The paper's point: the soft term ignores the logits' shift and scale (a student need not match magnitudes). */
    @Test
    void standardisedSoftTermIgnoresShiftAndScale() {
        Batch batch = Batch.random(19, 4, 3);
        INDArray labels = batch.labels();
        INDArray z = batch.logits();
        var loss = new HintonKdLossFunction(3, 0, 1, true);
        double base = loss.computeScore(labels, z, ID, null, true);
        assertEquals(base, loss.computeScore(labels, z.mul(5).add(2), ID, null, true), 1e-6);
        var plain = new HintonKdLossFunction(3, 0, 1, false);
        assertTrue(Math.abs(plain.computeScore(labels, z, ID, null, true)
                - plain.computeScore(labels, z.mul(5).add(2), ID, null, true)) > 0.01);
    }

    // ---- gradients ------------------------------------------------------------------------------

    static List<LogitLossFunction> gradientCases() {
        return List.of(new DkdLossFunction(4, 0.5, 1, 8, 1, false), new DkdLossFunction(1, 0, 2, 1, 0.7, false),
                new DkdLossFunction(2, 0.2, 1, 3, 1, true), new DistLossFunction(1, 0.5, 1, 1, 1),
                new DistLossFunction(4, 0, 2, 3, 1), new DistLossFunction(2, 0.1, 0, 1, 1),
                new HintonKdLossFunction(3, 0.4, 1, true), new HintonKdLossFunction(1, 0, 2, true));
    }

    /** Central finite differences of the summed score against the analytic gradient (identity and tanh output). */
    @Test
    void gradientsMatchFiniteDifferences() {
        Batch batch = Batch.random(23, 5, 4);
        INDArray labels = batch.labels();
        INDArray z = batch.logits();
        INDArray mask = Nd4j.createFromArray(new double[][] {{1}, {1}, {0}, {1}, {1}});
        for (LogitLossFunction loss : gradientCases()) {
            for (IActivation activation : List.of(ID, new ActivationTanH())) {
                for (INDArray m : java.util.Arrays.asList(null, mask)) {
                    FiniteDifferences.assertGradient(loss, labels, z, activation, m, 2e-7,
                            loss + " mask " + (m != null));
                }
            }
        }
    }

    /** DL4J's gradient check through a student graph with each new head (double precision). */
    @Test
    void dl4jGradientCheckThroughStudentGraph() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            List<DistillationLoss> heads = List.of(new Dkd(3, 0.4, 1, 4, 1, true), new Dist(2, 0.3, 1, 2, 1),
                    new HintonKd("kd", 3, 0.4, 1, DistillationLoss.DEFAULT_TEACHER, true));
            for (DistillationLoss head : heads) {
                ComputationGraph graph = Networks.assemble(new NeuralNetConfiguration.Builder().seed(7)
                        .dataType(DataType.DOUBLE).updater(new NoOp()), new MlpNetwork(List.of(5), "tanh", 0),
                        List.of(head), new InputShape(4, 1, 3));
                Random random = new Random(3);
                int n = 6;
                INDArray x = Nd4j.zeros(DataType.DOUBLE, n, 4);
                Batch batch = Batch.random(29, n, 3);
                for (int i = 0; i < n; i++) {
                    for (int k = 0; k < 4; k++) {
                        x.putScalar(i, k, random.nextGaussian());
                    }
                }
                boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(graph)
                        .inputs(new INDArray[] {x}).labels(new INDArray[] {batch.labels()}).epsilon(1e-6)
                        .maxRelError(1e-3).minAbsoluteError(1e-8));
                assertTrue(ok, head.describe() + ": DL4J gradient check failed");
            }
        } finally {
            Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        }
    }

    // ---- parameters and persistence ----------------------------------------------------------------

    @Test
    void rejectsBadParameters() {
        assertThrows(IllegalArgumentException.class, () -> new DkdLossFunction(0, 0.5, 1, 8, 1, false));
        assertThrows(IllegalArgumentException.class, () -> new DkdLossFunction(4, 1.5, 1, 8, 1, false));
        assertThrows(IllegalArgumentException.class, () -> new DkdLossFunction(4, 0.5, -1, 8, 1, false));
        assertThrows(IllegalArgumentException.class, () -> new DistLossFunction(1, 0.5, 1, Double.NaN, 1));
        var dkd = new Dkd(4, 0.5, 1, 8, 1, false);
        assertEquals(Dkd.TERM_WEIGHT_DOMAIN, dkd.domain(Dkd.BETA_DKD));
        assertThrows(IllegalArgumentException.class, () -> dkd.setParameter(Dkd.BETA_DKD, -2));
        assertThrows(IllegalArgumentException.class, () -> new Dist(1, 0.5, 1, 1, 1).domain("beta_dkd"));
    }

    /** Graphs with DKD and DIST heads save and restore with ModelSerializer, parameters included. */
    @Test
    void headsRoundTripThroughModelSerializer(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        for (DistillationLoss head : List.<DistillationLoss>of(new Dkd(3, 0.25, 2, 5, 0.5, true),
                new Dist(2, 0.25, 3, 4, 0.5))) {
            ComputationGraph graph = Networks.build(new MlpNetwork(List.of(5), "relu", 0), List.of(head),
                    new InputShape(4, 1, 3), new io.distill4j.train.TrainingSettings(1, 8, 1e-3, 0, 0), 7);
            var zip = dir.resolve(head.headName() + head.hashCode() + ".zip").toFile();
            org.deeplearning4j.util.ModelSerializer.writeModel(graph, zip, true);
            ComputationGraph restored = org.deeplearning4j.util.ModelSerializer.restoreComputationGraph(zip, true);
            var fn = ((org.deeplearning4j.nn.conf.layers.LossLayer) ((org.deeplearning4j.nn.conf.graph.LayerVertex)
                    restored.getConfiguration().getVertices().get("kd")).getLayerConf().getLayer()).getLossFn();
            assertEquals(head.lossFunction().name(), fn.name());
        }
    }
}
