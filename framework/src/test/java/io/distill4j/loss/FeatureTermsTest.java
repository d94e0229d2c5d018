package io.distill4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.InputShape;
import io.distill4j.api.Student;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.config.ConfigNode;
import io.distill4j.config.StudyFileReader;
import io.distill4j.model.LstmNetwork;
import io.distill4j.model.MlpNetwork;
import io.distill4j.model.Networks;
import io.distill4j.plugin.Plugins;
import io.distill4j.train.TrainingSettings;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * The feature terms: golden values worked out by hand on tiny inputs, finite differences of every loss function with
 * respect to its input, DL4J gradient checks through each kind of projection head, and one training step with only
 * the term that must move both the student's trunk and the term's projection head.
 */
class FeatureTermsTest {
    private static final ActivationIdentity ID = new ActivationIdentity();

    private static INDArray m(double[][] a) {
        return Nd4j.createFromArray(a);
    }

    private static double score(ILossFunction f, double[][] out, double[][] labels) {
        return f.computeScore(m(labels), m(out), ID, null, true);
    }

    // ---- golden values, by hand ------------------------------------------------------------------

    /** Activation matching: weight * 1/D * sum (r - h)^2; rows (1,-1) vs (0,1) and (2,0) vs (2,2). */
    @Test
    void activationGolden() {
        double first = (1 + 4) / 2.0;
        double second = (0 + 4) / 2.0;
        assertEquals(0.5 * (first + second) / 2, score(new HintLossFunction(0.5, true),
                new double[][] {{1, -1}, {2, 0}}, new double[][] {{0, 1}, {2, 2}}), 1e-12);
    }

    /**
     * Similarity-preserving: S = (1,0),(1,1) has Gram [[1,1],[1,2]], rows normalised (1,1)/sqrt2 and (1,2)/sqrt5;
     * T = (1,0),(0,1) has Gram I; B = sum of squared differences / n^2.
     */
    @Test
    void similarityGolden() {
        double expected = handWorkedSimilarity();
        assertEquals(2 * expected, score(new SimilarityLossFunction(2), new double[][] {{1, 0}, {1, 1}},
                new double[][] {{1, 0}, {0, 1}}), 1e-12);
        // widths may differ: a 3-wide teacher with the same Gram pattern as the student scores 0
        assertEquals(0, score(new SimilarityLossFunction(1), new double[][] {{1, 0}, {1, 1}},
                new double[][] {{2, 0, 0}, {2, 2, 0}}), 1e-12);
    }

    /** The similarity loss of S = (1,0),(1,1) against T = (1,0),(0,1), worked out above. */
    static double handWorkedSimilarity() {
        double r2 = Math.sqrt(2);
        double r5 = Math.sqrt(5);
        return (Math.pow(1 / r2 - 1, 2) + Math.pow(1 / r2, 2) + Math.pow(1 / r5, 2) + Math.pow(2 / r5 - 1, 2)) / 4;
    }

    /**
     * Similarity-preserving KD on a random minibatch (40 rows, widths 5 and 7) against its definition written out
     * here entry by entry: Gram matrices, rows L2-normalised, mean squared difference over the n^2 entries; in double
     * and, within float rounding, on float arrays (as in training).
     */
    @Test
    void similarityMatchesDefinitionOnARandomBatch() {
        Random random = new Random(11);
        double[][] s = gaussian(random, 40, 5).toDoubleMatrix();
        double[][] t = gaussian(random, 40, 7).toDoubleMatrix();
        double[][] gs = normalisedGram(s);
        double[][] gt = normalisedGram(t);
        double sum = 0;
        for (int i = 0; i < s.length; i++) {
            for (int j = 0; j < s.length; j++) {
                sum += (gs[i][j] - gt[i][j]) * (gs[i][j] - gt[i][j]);
            }
        }
        double expected = 0.7 * sum / (40.0 * 40.0);
        assertEquals(expected, score(new SimilarityLossFunction(0.7), s, t), 1e-12);
        double single = new SimilarityLossFunction(0.7).computeScore(m(t).castTo(DataType.FLOAT),
                m(s).castTo(DataType.FLOAT), ID, null, true);
        assertEquals(expected, single, 1e-5 * expected);
    }

    private static double[][] normalisedGram(double[][] a) {
        double[][] g = new double[a.length][a.length];
        for (int i = 0; i < a.length; i++) {
            double norm = 0;
            for (int j = 0; j < a.length; j++) {
                g[i][j] = dot(a[i], a[j]);
                norm += g[i][j] * g[i][j];
            }
            for (int j = 0; j < a.length; j++) {
                g[i][j] /= Math.sqrt(norm);
            }
        }
        return g;
    }

    /**
     * A batch loss keeps the label side (the teacher's pair matrices) of the minibatches it scores, by the labels'
     * values: scoring other labels of the same shape, or the same labels again after others, gives what a fresh
     * instance gives.
     */
    @Test
    void scoredLabelSidesAreKeyedByValue() {
        Random random = new Random(12);
        INDArray out = gaussian(random, 12, 3);
        INDArray first = gaussian(random, 12, 4);
        INDArray second = first.dup();
        second.putScalar(5, 2, second.getDouble(5, 2) + 0.5);
        for (java.util.function.Supplier<ILossFunction> make : List.<java.util.function.Supplier<ILossFunction>>of(
                () -> new SimilarityLossFunction(1), () -> new RelationalLossFunction(1, 1, 2))) {
            ILossFunction f = make.get();
            double a = f.computeScore(first, out, ID, null, true);
            double b = f.computeScore(second, out, ID, null, true);
            assertEquals(make.get().computeScore(second, out, ID, null, true), b, 0.0, f.toString());
            assertNotEquals(a, b, f.toString());
            assertEquals(a, f.computeScore(first.dup(), out, ID, null, true), 0.0, f.toString());
        }
    }

    /**
     * Relational KD on a triangle: student (0,0),(1,0),(0,1), teacher (0,0),(1,0),(0,2). Distances: student 1, 1,
     * sqrt2; teacher 1, 2, sqrt5, each over its mean. Angles: cosines at the three vertices, student 0, 1/sqrt2,
     * 1/sqrt2, teacher 0, 1/sqrt5, 2/sqrt5; each vertex gives two ordered (i, k) pairs, over n^3 = 27 triples. All
     * differences are below 1 (the quadratic part of the smooth L1).
     */
    @Test
    void relationalGolden() {
        double[][] s = {{0, 0}, {1, 0}, {0, 1}};
        double[][] t = {{0, 0}, {1, 0}, {0, 2}};
        double[] ds = {1, 1, Math.sqrt(2)};
        double[] dt = {1, 2, Math.sqrt(5)};
        double muS = (ds[0] + ds[1] + ds[2]) / 3;
        double muT = (dt[0] + dt[1] + dt[2]) / 3;
        double distance = 0;
        for (int k = 0; k < 3; k++) {
            double x = ds[k] / muS - dt[k] / muT;
            distance += 2 * (Math.abs(x) <= 1 ? x * x / 2 : Math.abs(x) - 0.5);
        }
        distance /= 6;
        double[] cs = {0, 1 / Math.sqrt(2), 1 / Math.sqrt(2)};
        double[] ct = {0, 1 / Math.sqrt(5), 2 / Math.sqrt(5)};
        double angle = 0;
        for (int j = 0; j < 3; j++) {
            angle += 2 * Math.pow(cs[j] - ct[j], 2) / 2;
        }
        angle /= 27;
        assertEquals(distance, score(new RelationalLossFunction(1, 1, 0), s, t), 1e-12);
        assertEquals(angle, score(new RelationalLossFunction(1, 0, 1), s, t), 1e-12);
        assertEquals(0.5 * (3 * distance + 4 * angle), score(new RelationalLossFunction(0.5, 3, 4), s, t), 1e-12);
        // a scaled copy keeps every distance ratio and angle
        assertEquals(0, score(new RelationalLossFunction(1, 1, 2), s, new double[][] {{0, 0}, {3, 0}, {0, 3}}),
                1e-12);
    }

    /**
     * Contrastive: p = (2,0),(1,1) normalise to (1,0),(1,1)/sqrt2; teacher (1,0),(0,3) to (1,0),(0,1); tau 0.5 gives
     * logits [[2, 0], [sqrt2, sqrt2]]; B = mean of -log softmax of the diagonal.
     */
    @Test
    void contrastiveGolden() {
        double r2 = Math.sqrt(2);
        double first = Math.log(Math.exp(2) + 1) - 2;
        double second = Math.log(2 * Math.exp(r2)) - r2;
        assertEquals((first + second) / 2, score(new ContrastiveLossFunction(1, 0.5),
                new double[][] {{2, 0}, {1, 1}}, new double[][] {{1, 0}, {0, 3}}), 1e-12);
    }

    /**
     * The memory bank (K = 1): a first training minibatch with teacher rows (0,2), (2,0) enters the bank at the next
     * training step; fifo keeps the last, (1,0); momentum 0.5 keeps normalise(0.5 (0,1) + 0.5 (1,0)) = (1,1)/sqrt2.
     * Then the contrastive golden case above has one more negative per row: z_1 = (1,0), z_2 = (1,1)/sqrt2, tau 0.5.
     */
    @Test
    void contrastiveMemoryBankGolden() {
        double r2 = Math.sqrt(2);
        double[][] p = {{2, 0}, {1, 1}};
        double[][] t = {{1, 0}, {0, 3}};
        // fifo bank (1,0): the extra logits are 2 (row 1) and sqrt2 (row 2)
        double fifo = ((Math.log(Math.exp(2) + 1 + Math.exp(2)) - 2)
                + (Math.log(3 * Math.exp(r2)) - r2)) / 2;
        // momentum bank (1,1)/sqrt2: the extra logits are sqrt2 (row 1) and 2 (row 2)
        double momentum = ((Math.log(Math.exp(2) + 1 + Math.exp(r2)) - 2)
                + (Math.log(2 * Math.exp(r2) + Math.exp(2)) - r2)) / 2;
        var bankUpdates = Map.of(ContrastiveLossFunction.BankUpdate.FIFO, fifo,
                ContrastiveLossFunction.BankUpdate.MOMENTUM, momentum);
        for (var e : bankUpdates.entrySet()) {
            var f = new ContrastiveLossFunction(1, 0.5, 1, e.getKey(), 0.5);
            f.computeGradient(m(new double[][] {{0, 2}, {2, 0}}), m(new double[][] {{0, 1}, {1, 0}}), ID, null);
            assertEquals(0, f.bankFilled(), "a minibatch joins the bank only at the next training step");
            f.computeGradient(m(t), m(p), ID, null);
            assertEquals(1, f.bankFilled());
            assertEquals(e.getValue(), score(f, p, t), 1e-12, e.getKey().name());
            // scoring only reads the bank: a second score is the same
            assertEquals(e.getValue(), score(f, p, t), 1e-12, e.getKey().name());
        }
    }

    /** With a filled bank the bank's negatives enter the gradient too: central differences against it. */
    @Test
    void contrastiveMemoryBankGradientMatchesFiniteDifferences() {
        Random random = new Random(5);
        for (var update : ContrastiveLossFunction.BankUpdate.values()) {
            var f = new ContrastiveLossFunction(0.7, 0.3, 7, update, 0.5);
            for (int warm = 0; warm < 3; warm++) {
                f.computeGradient(gaussian(random, 5, 3), gaussian(random, 5, 3), ID, null);
            }
            INDArray out = gaussian(random, 5, 3);
            INDArray labels = gaussian(random, 5, 3);
            INDArray gradient = f.computeGradient(labels, out, ID, null);
            assertEquals(7, f.bankFilled());
            INDArray withoutBank = new ContrastiveLossFunction(0.7, 0.3).computeGradient(labels, out, ID, null);
            assertFalse(withoutBank.equalsWithEps(gradient, 1e-6), "the bank did not change the gradient");
            assertMatchesFiniteDifferences(f, labels, out, gradient, update.name());
        }
    }

    /**
     * Attention transfer: A = [[1,0,2],[1,1,0]] (2 channels, 3 steps) gives Q = (2, 1, 4), q = Q/sqrt21; against
     * q_T = (1, 0, 0), L = 1/3 sum (q - q_T)^2.
     */
    @Test
    void attentionGolden() {
        double r = Math.sqrt(21);
        double expected = (Math.pow(2 / r - 1, 2) + Math.pow(1 / r, 2) + Math.pow(4 / r, 2)) / 3;
        assertEquals(expected, score(new AttentionTransferLossFunction(1, 2),
                new double[][] {{1, 0, 2, 1, 1, 0}}, new double[][] {{1, 0, 0}}), 1e-12);
        // p = 1: Q = (2, 1, 2), q = Q/3
        double p1 = (Math.pow(2.0 / 3 - 1, 2) + Math.pow(1.0 / 3, 2) + Math.pow(2.0 / 3, 2)) / 3;
        assertEquals(p1, score(new AttentionTransferLossFunction(1, 1),
                new double[][] {{1, 0, 2, 1, 1, 0}}, new double[][] {{1, 0, 0}}), 1e-12);
    }

    /** The adaptors on a teacher sequence [1, 2, 5]: channel 0 = 0..4, channel 1 = 10 * that. */
    @Test
    void teacherPoolingGolden() {
        INDArray h = Nd4j.createFromArray(new double[][][] {{{0, 1, 2, 3, 4}, {0, 10, 20, 30, 40}}});
        assertEquals(m(new double[][] {{4, 40}}), FeatureTerm.pool(h, FeatureTerm.Pooling.LAST, 1));
        assertEquals(m(new double[][] {{2, 20}}), FeatureTerm.pool(h, FeatureTerm.Pooling.MEAN, 1));
        // 2 bins over 5 steps: [0, 3) and [2, 5), channel-major
        assertEquals(m(new double[][] {{1, 3, 10, 30}}), FeatureTerm.pool(h, FeatureTerm.Pooling.ADAPTIVE, 2));
        var hint = new FitNetsHint(new FeatureTerm.Spec("hidden_0", "t", "teacher", FeatureTerm.Projection.LINEAR,
                FeatureTerm.Pooling.MEAN, 1), 1);
        assertEquals(m(new double[][] {{2, 20}}), hint.labels(Nd4j.zeros(DataType.DOUBLE, 1, 3),
                new TeacherOutputs(Nd4j.zeros(DataType.DOUBLE, 1, 3), Map.of("t", h))));
        var vector = new TeacherOutputs(Nd4j.zeros(1, 3), Map.of("t", Nd4j.zeros(1, 4)));
        var e = assertThrows(IllegalArgumentException.class, () -> hint.labels(Nd4j.zeros(1, 3), vector));
        assertTrue(e.getMessage().contains("teacher_pooling needs a sequence teacher layer"), e.getMessage());
        var at = new AttentionTransfer("lstm_0", "t", "teacher", 1, 2);
        var noTime = assertThrows(IllegalArgumentException.class, () -> at.labels(Nd4j.zeros(1, 3), vector));
        assertTrue(noTime.getMessage().contains("needs a teacher layer with a time axis"), noTime.getMessage());
    }

    // ---- finite differences of each loss function ---------------------------------------------------

    static List<ILossFunction> functions() {
        return List.of(new HintLossFunction(0.7), new HintLossFunction(0.7, true), new SimilarityLossFunction(0.7),
                new RelationalLossFunction(0.7, 1, 2), new RelationalLossFunction(0.7, 1, 2, 2),
                new ContrastiveLossFunction(0.7, 0.3),
                new AttentionTransferLossFunction(0.7, 2), new AttentionTransferLossFunction(0.7, 3));
    }

    /** Central differences of the summed score against computeGradient, at random outputs. */
    @Test
    void everyLossFunctionsGradientMatchesFiniteDifferences() {
        Random random = new Random(3);
        for (ILossFunction f : functions()) {
            int n = 5;
            boolean attention = f instanceof AttentionTransferLossFunction;
            boolean sameWidth = f instanceof HintLossFunction || f instanceof ContrastiveLossFunction;
            INDArray out = gaussian(random, n, attention ? 8 : 3);
            INDArray labels = attention ? Nd4j.rand(DataType.DOUBLE, n, 4) : gaussian(random, n, sameWidth ? 3 : 4);
            INDArray gradient = f.computeGradient(labels, out, ID, null);
            assertMatchesFiniteDifferences(f, labels, out, gradient, f.toString());
            assertTrue(gradient.norm2Number().doubleValue() > 0, f + ": zero gradient");
        }
    }

    /**
     * RKD's angle term against its definition computed the direct way (unit difference vectors and their dot
     * products over all n^3 triples), at widely spread outputs (differences beyond 1: the linear part of the smooth
     * L1) with a repeated student row and a repeated teacher row (degenerate angles on one side only); and its
     * gradient there against finite differences.
     */
    @Test
    void relationalAngleMatchesDefinitionWithRepeatedRows() {
        Random random = new Random(11);
        int n = 9;
        double[][] s = DoubleRows.of(gaussian(random, n, 3).muli(4));
        double[][] t = DoubleRows.of(gaussian(random, n, 5));
        s[4] = s[1].clone();
        t[7] = t[2].clone();
        double expected = java.util.Arrays.stream(angleByVertex(s, t)).sum() / ((double) n * n * n);
        var angle = new RelationalLossFunction(1, 0, 1);
        assertEquals(expected, score(angle, s, t), 1e-12);
        INDArray out = Nd4j.createFromArray(s);
        INDArray labels = Nd4j.createFromArray(t);
        INDArray gradient = angle.computeGradient(labels, out, ID, null);
        // not at the repeated rows themselves: there the angle is not differentiable
        assertMatchesFiniteDifferences(angle, labels, out, gradient, "rkd angle", Set.of(1, 4));
    }

    /**
     * RKD's angle term over 3 anchors of 9 examples: the angles with vertex j = 0, 3, 6 (evenly spaced), computed the
     * direct way and averaged over those 3 x 81 triples; 9 or more anchors are the exact term; and the anchored
     * gradient against finite differences.
     */
    @Test
    void relationalAngleAnchorsMatchDefinition() {
        Random random = new Random(13);
        int n = 9;
        double[][] s = DoubleRows.of(gaussian(random, n, 3).muli(2));
        double[][] t = DoubleRows.of(gaussian(random, n, 5));
        double[] byVertex = angleByVertex(s, t);
        double anchored = byVertex[0] + byVertex[3] + byVertex[6];
        double all = java.util.Arrays.stream(byVertex).sum();
        var three = new RelationalLossFunction(1, 0, 1, 3);
        assertEquals(anchored / (3.0 * n * n), score(three, s, t), 1e-12);
        assertEquals(all / ((double) n * n * n), score(new RelationalLossFunction(1, 0, 1, 9), s, t), 1e-12);
        assertEquals(all / ((double) n * n * n), score(new RelationalLossFunction(1, 0, 1, 50), s, t), 1e-12);
        INDArray out = Nd4j.createFromArray(s);
        INDArray labels = Nd4j.createFromArray(t);
        assertMatchesFiniteDifferences(three, labels, out, three.computeGradient(labels, out, ID, null),
                "rkd angle, 3 anchors");
    }

    /**
     * For each vertex j, the sum over all i, k of the smooth-L1 angle difference, from unit difference vectors and
     * their dot products (the definition, computed the direct way).
     */
    private static double[] angleByVertex(double[][] s, double[][] t) {
        int n = s.length;
        double[] sums = new double[n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < n; k++) {
                    double x = dot(unit(s, i, j), unit(s, k, j)) - dot(unit(t, i, j), unit(t, k, j));
                    sums[j] += Math.abs(x) <= 1 ? x * x / 2 : Math.abs(x) - 0.5;
                }
            }
        }
        return sums;
    }

    private static double[] unit(double[][] a, int i, int j) {
        double[] e = new double[a[i].length];
        double norm = 0;
        for (int m = 0; m < e.length; m++) {
            e[m] = a[i][m] - a[j][m];
            norm += e[m] * e[m];
        }
        for (int m = 0; m < e.length; m++) {
            e[m] = norm > 0 ? e[m] / Math.sqrt(norm) : 0;
        }
        return e;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int m = 0; m < a.length; m++) {
            sum += a[m] * b[m];
        }
        return sum;
    }

    /** Central differences of the summed score at {@code out}, entry by entry, against {@code gradient}. */
    private static void assertMatchesFiniteDifferences(ILossFunction f, INDArray labels, INDArray out,
            INDArray gradient, String what) {
        assertMatchesFiniteDifferences(f, labels, out, gradient, what, Set.of());
    }

    /** As above, skipping the rows in {@code skipped}. */
    private static void assertMatchesFiniteDifferences(ILossFunction f, INDArray labels, INDArray out,
            INDArray gradient, String what, Set<Integer> skipped) {
        for (int i = 0; i < out.size(0); i++) {
            if (skipped.contains(i)) {
                continue;
            }
            for (int k = 0; k < out.size(1); k++) {
                double x = out.getDouble(i, k);
                double h = 1e-6;
                out.putScalar(i, k, x + h);
                double up = f.computeScore(labels, out, ID, null, false);
                out.putScalar(i, k, x - h);
                double down = f.computeScore(labels, out, ID, null, false);
                out.putScalar(i, k, x);
                double numeric = (up - down) / (2 * h);
                assertEquals(numeric, gradient.getDouble(i, k), 1e-6 * Math.max(1, Math.abs(numeric)),
                        what + " at (" + i + ", " + k + ")");
            }
        }
    }

    // ---- gradient checks through projection heads -------------------------------------------------

    /** Each term with a projection head, on an MLP or LSTM student: the DL4J gradient check of every parameter. */
    @ParameterizedTest
    @ValueSource(strings = {
            "{type: hint, student_layer: hidden_0, teacher_layer: t, projection: mlp}",
            "{type: activation, student_layer: hidden_1, teacher_layer: t}",
            "{type: similarity, student_layer: hidden_0, teacher_layer: t, projection: linear}",
            "{type: rkd, student_layer: hidden_0, teacher_layer: t, projection: mlp}",
            "{type: crd, student_layer: hidden_0, teacher_layer: seq, teacher_pooling: adaptive, bins: 2}",
            "{type: crd, student_layer: hidden_0, teacher_layer: t, memory_bank: {size: 5, update: momentum}}",
            "{type: similarity, student_layer: hidden_0, teacher_layer: t, projection: linear, group_size: 3}",
            "{type: rkd, student_layer: hidden_0, teacher_layer: t, projection: mlp, group_size: 4}",
            "{type: crd, student_layer: hidden_0, teacher_layer: t, group_size: 2, memory_bank: {size: 5}}",
            "{type: hint, student_layer: lstm_0, teacher_layer: seq, projection: conv}",
            "{type: activation, student_layer: lstm_1, teacher_layer: seq, teacher_pooling: last}",
            "{type: attention, student_layer: lstm_0, teacher_layer: seq}"})
    void dl4jGradientCheckThroughTheHead(String section) {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            Fixture f = Fixture.of(section, 6, DataType.DOUBLE);
            ComputationGraph graph = Networks.assemble(new NeuralNetConfiguration.Builder().seed(3)
                    .dataType(DataType.DOUBLE).updater(new NoOp()), f.student, f.losses, f.shape, f.widths);
            graph.fit(f.data); // fills a memory bank, if any (no-op updater: the parameters stay)
            graph.fit(f.data);
            if (f.losses.get(0).lossFunction() instanceof ContrastiveLossFunction c && c.bankSize() > 0) {
                assertEquals(c.bankSize(), c.bankFilled(), section);
            }
            assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(graph)
                    .inputs(f.data.getFeatures()).labels(f.data.getLabels()).epsilon(1e-6).maxRelError(1e-3)
                    .minAbsoluteError(1e-8)), section + ": DL4J gradient check failed");
        } finally {
            Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        }
    }

    // ---- a training step really trains ------------------------------------------------------------

    /**
     * One step with the term alone (the logits head at weight 0): the student's first layer (its trunk, below the
     * layer the term reads) and the term's projection head both change; the deployable student has no head layer.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "{type: hint, student_layer: hidden_1, teacher_layer: t, projection: mlp}",
            "{type: activation, student_layer: hidden_1, teacher_layer: t}",
            "{type: similarity, student_layer: hidden_1, teacher_layer: t, projection: linear}",
            "{type: rkd, student_layer: hidden_1, teacher_layer: t, projection: linear}",
            "{type: crd, student_layer: hidden_1, teacher_layer: seq, teacher_pooling: mean}",
            "{type: crd, student_layer: hidden_1, teacher_layer: t, memory_bank: {size: 64, update: fifo}}",
            "{type: hint, student_layer: lstm_0, teacher_layer: seq, projection: conv}",
            "{type: attention, student_layer: lstm_0, teacher_layer: seq}"})
    void oneStepWithTheTermAloneMovesTrunkAndHead(String section) {
        Fixture f = Fixture.of(section, 32, DataType.FLOAT);
        DistillationLoss term = f.losses.get(0);
        ComputationGraph graph = Networks.build(f.student, f.losses, f.shape, new TrainingSettings(1, 32, 0.01, 0, 0),
                5, f.widths);
        String trunk = f.student instanceof LstmNetwork ? "lstm_0" : "hidden_0";
        INDArray trunkBefore = graph.getLayer(trunk).params().dup();
        String projection = term.headName() + "_projection";
        boolean hasHead = graph.getConfiguration().getVertices().containsKey(projection);
        assertEquals(!(term instanceof AttentionTransfer), hasHead, section);
        INDArray headBefore = hasHead ? graph.getLayer(projection).params().dup() : null;
        INDArray logitsBefore = graph.getLayer("logits").params().dup();

        graph.fit(f.data);

        assertFalse(trunkBefore.equalsWithEps(graph.getLayer(trunk).params(), 1e-7),
                section + ": the term's gradient did not reach the student's trunk");
        if (hasHead) {
            assertFalse(headBefore.equalsWithEps(graph.getLayer(projection).params(), 1e-7),
                    section + ": the projection head did not train");
        }
        assertTrue(logitsBefore.equalsWithEps(graph.getLayer("logits").params(), 0),
                section + ": logits moved without a loss on them");
        ComputationGraph deployable = Networks.deployable(graph);
        for (String vertex : deployable.getConfiguration().getVertices().keySet()) {
            assertFalse(vertex.startsWith(term.headName()), section + ": head vertex in deployable: " + vertex);
        }
        assertEquals(Networks.parameterCount(graph), deployable.numParams());
    }

    @Test
    void wrongShapesGiveClearErrors() {
        var vectorStudent = assertThrows(IllegalArgumentException.class, () -> Fixture.build(
                "{type: attention, student_layer: hidden_0, teacher_layer: seq}"));
        assertTrue(vectorStudent.getMessage().contains("needs a student layer with a time axis"),
                vectorStudent.getMessage());
        var conv = assertThrows(IllegalArgumentException.class, () -> Fixture.build(
                "{type: hint, student_layer: hidden_0, teacher_layer: t, projection: conv}"));
        assertTrue(conv.getMessage().contains("projection: conv needs a sequence layer"), conv.getMessage());
        var linear = assertThrows(IllegalArgumentException.class, () -> Fixture.build(
                "{type: hint, student_layer: lstm_0, teacher_layer: seq}"));
        assertTrue(linear.getMessage().contains("needs projection: conv"), linear.getMessage());
    }

    /** A term, a student for it, a teacher with a vector layer {@code t} and a sequence layer {@code seq}. */
    private record Fixture(Student student, List<DistillationLoss> losses, InputShape shape, Map<String, Long> widths,
            MultiDataSet data) {
        static Fixture of(String section, int n, DataType type) {
            DistillationLoss term = Plugins.create(DistillationLoss.class, section(section));
            boolean sequence = term.inputVertex().startsWith("lstm");
            InputShape shape = new InputShape(3, 4, 3);
            Student student = sequence ? new LstmNetwork(List.of(3, 2), 0) : new MlpNetwork(List.of(5, 4), "tanh", 0);
            Random random = new Random(11);
            INDArray x = sequence ? gaussian(random, n, 12).reshape(n, 3, 4) : gaussian(random, n, 3);
            INDArray y = Nd4j.zeros(DataType.DOUBLE, n, 3);
            for (int i = 0; i < n; i++) {
                y.putScalar(i, random.nextInt(3), 1);
            }
            var teacher = new TeacherOutputs(gaussian(random, n, 3), Map.of("t", gaussian(random, n, 3),
                    "seq", gaussian(random, n, 8).reshape(n, 2, 4)));
            var zero = new HardLabelCrossEntropy(0);
            INDArray labels = term.labels(y, teacher);
            MultiDataSet data = new MultiDataSet(new INDArray[] {x.castTo(type)},
                    new INDArray[] {labels.castTo(type), zero.labels(y, null).castTo(type)});
            return new Fixture(student, List.of(term, zero), shape, Map.of(term.headName(), labels.size(1)), data);
        }

        static ComputationGraph build(String section) {
            Fixture f = of(section, 4, DataType.FLOAT);
            return Networks.build(f.student, f.losses, f.shape, new TrainingSettings(1, 4, 0.01, 0, 0), 5, f.widths);
        }
    }

    static ConfigNode section(String yaml) {
        return ConfigNode.root("test.yaml", StudyFileReader.parse("test.yaml", yaml));
    }

    static INDArray gaussian(Random random, int rows, int cols) {
        return FitNetsHintTest.gaussian(random, rows, cols);
    }
}
