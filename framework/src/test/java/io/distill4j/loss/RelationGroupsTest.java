package io.distill4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.DistillationLoss;
import io.distill4j.plugin.Plugins;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Relation groups of the batch-level losses ({@code group_size}): how a minibatch is split, golden values against
 * the losses' definitions written out here as plain loops over each group's rows, the size-weighted mean, the
 * gradient against finite differences, and that one group (0, or a size of at least the minibatch) is exactly the
 * ungrouped loss.
 */
class RelationGroupsTest {
    private static final ActivationIdentity ID = new ActivationIdentity();

    private static double score(BatchLossFunction f, double[][] out, double[][] labels) {
        return f.computeScore(Nd4j.createFromArray(labels), Nd4j.createFromArray(out), ID, null, true);
    }

    private static <T extends BatchLossFunction> T grouped(T f, int g) {
        f.setGroupSize(g);
        return f;
    }

    @Test
    void groupsAreConsecutiveAndALastSingleRowJoinsThePreviousGroup() {
        assertArrayEquals(new int[] {0, 4, 8, 10}, BatchLossFunction.groupBounds(10, 4));
        assertArrayEquals(new int[] {0, 4, 9}, BatchLossFunction.groupBounds(9, 4));
        assertArrayEquals(new int[] {0, 4, 8}, BatchLossFunction.groupBounds(8, 4));
        assertArrayEquals(new int[] {0, 2, 4, 7}, BatchLossFunction.groupBounds(7, 2));
        assertArrayEquals(new int[] {0, 64, 128, 192, 224}, BatchLossFunction.groupBounds(224, 64));
        assertArrayEquals(new int[] {0, 9}, BatchLossFunction.groupBounds(9, 0));
        assertArrayEquals(new int[] {0, 9}, BatchLossFunction.groupBounds(9, 9));
        assertArrayEquals(new int[] {0, 9}, BatchLossFunction.groupBounds(9, 50));
        assertThrows(IllegalArgumentException.class, () -> new SimilarityLossFunction(1).setGroupSize(1));
        assertThrows(IllegalArgumentException.class, () -> new SimilarityLossFunction(1).setGroupSize(-2));
    }

    /**
     * Similarity-preserving KD in groups of 3 over 7 rows (groups of 3 and 4, the single remainder row joining the
     * last): 3/7 of the first group's loss plus 4/7 of the second's, each from its definition (Gram matrix of the
     * group's rows, rows L2-normalised, mean squared difference over the group's n_k^2 entries).
     */
    @Test
    void similarityGolden() {
        Random random = new Random(21);
        double[][] s = FeatureTermsTest.gaussian(random, 7, 3).toDoubleMatrix();
        double[][] t = FeatureTermsTest.gaussian(random, 7, 5).toDoubleMatrix();
        double expected = 0.6 * (3.0 / 7 * similarity(s, t, 0, 3) + 4.0 / 7 * similarity(s, t, 3, 7));
        double grouped = score(grouped(new SimilarityLossFunction(0.6), 3), s, t);
        assertEquals(expected, grouped, 1e-12);
        assertNotEquals(score(new SimilarityLossFunction(0.6), s, t), grouped, 1e-3, "grouping changed nothing");
    }

    /**
     * Hand-worked: rows 0-1 and rows 2-3 in groups of 2; rows (1,0),(1,1) against (1,0),(0,1) as in FeatureTermsTest,
     * then a second group with the same similarity pattern on both sides.
     */
    @Test
    void similarityGoldenByHand() {
        double first = FeatureTermsTest.handWorkedSimilarity();
        // the second group: the same pattern on both sides scores 0
        double[][] s = {{1, 0}, {1, 1}, {3, 0}, {0, 2}};
        double[][] t = {{1, 0}, {0, 1}, {1, 0}, {0, 5}};
        assertEquals(0.5 * first, score(grouped(new SimilarityLossFunction(1), 2), s, t), 1e-12);
    }

    private static double similarity(double[][] s, double[][] t, int from, int to) {
        double[][] gs = normalisedGram(s, from, to);
        double[][] gt = normalisedGram(t, from, to);
        double sum = 0;
        for (int i = 0; i < gs.length; i++) {
            for (int j = 0; j < gs.length; j++) {
                sum += (gs[i][j] - gt[i][j]) * (gs[i][j] - gt[i][j]);
            }
        }
        return sum / ((double) gs.length * gs.length);
    }

    private static double[][] normalisedGram(double[][] a, int from, int to) {
        int n = to - from;
        double[][] g = new double[n][n];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int j = 0; j < n; j++) {
                g[i][j] = dot(a[from + i], a[from + j]);
                norm += g[i][j] * g[i][j];
            }
            for (int j = 0; j < n; j++) {
                g[i][j] /= Math.sqrt(norm);
            }
        }
        return g;
    }

    /**
     * RKD (distance 1, angle 2) in groups of 4 over 10 rows (4, 4, 2): each group's distance and angle terms from
     * their definition (pair distances over the group's mean distance, unit difference vectors), size-weighted.
     */
    @Test
    void relationalGolden() {
        Random random = new Random(22);
        double[][] s = FeatureTermsTest.gaussian(random, 10, 3).toDoubleMatrix();
        double[][] t = FeatureTermsTest.gaussian(random, 10, 4).toDoubleMatrix();
        int[] bounds = {0, 4, 8, 10};
        double expected = 0;
        for (int k = 0; k < 3; k++) {
            expected += (bounds[k + 1] - bounds[k]) / 10.0
                    * (rkdDistance(s, t, bounds[k], bounds[k + 1]) + 2 * rkdAngle(s, t, bounds[k], bounds[k + 1]));
        }
        assertEquals(0.8 * expected, score(grouped(new RelationalLossFunction(0.8, 1, 2), 4), s, t), 1e-12);
    }

    private static double rkdDistance(double[][] s, double[][] t, int from, int to) {
        int n = to - from;
        double muS = 0;
        double muT = 0;
        for (int i = from; i < to; i++) {
            for (int j = from; j < to; j++) {
                muS += Math.sqrt(squared(s[i], s[j]));
                muT += Math.sqrt(squared(t[i], t[j]));
            }
        }
        muS /= n * (n - 1.0);
        muT /= n * (n - 1.0);
        double sum = 0;
        for (int i = from; i < to; i++) {
            for (int j = from; j < to; j++) {
                if (i != j) {
                    sum += huber(Math.sqrt(squared(s[i], s[j])) / muS - Math.sqrt(squared(t[i], t[j])) / muT);
                }
            }
        }
        return sum / (n * (n - 1.0));
    }

    private static double rkdAngle(double[][] s, double[][] t, int from, int to) {
        int n = to - from;
        double sum = 0;
        for (int i = from; i < to; i++) {
            for (int j = from; j < to; j++) {
                for (int k = from; k < to; k++) {
                    sum += huber(dot(unit(s, i, j), unit(s, k, j)) - dot(unit(t, i, j), unit(t, k, j)));
                }
            }
        }
        return sum / ((double) n * n * n);
    }

    /**
     * Contrastive InfoNCE (tau 0.4) in groups of 3 over 8 rows (3, 3, 2): within a group, row i's softmax runs over
     * the group's teacher rows only; -log of its own row's probability, averaged over the group, size-weighted.
     */
    @Test
    void contrastiveGolden() {
        Random random = new Random(23);
        double[][] p = FeatureTermsTest.gaussian(random, 8, 3).toDoubleMatrix();
        double[][] t = FeatureTermsTest.gaussian(random, 8, 3).toDoubleMatrix();
        int[] bounds = {0, 3, 6, 8};
        double expected = 0;
        for (int k = 0; k < 3; k++) {
            double group = 0;
            for (int i = bounds[k]; i < bounds[k + 1]; i++) {
                double denominator = 0;
                for (int j = bounds[k]; j < bounds[k + 1]; j++) {
                    denominator += Math.exp(cosine(p[i], t[j]) / 0.4);
                }
                group += Math.log(denominator) - cosine(p[i], t[i]) / 0.4;
            }
            expected += (bounds[k + 1] - bounds[k]) / 8.0 * group / (bounds[k + 1] - bounds[k]);
        }
        assertEquals(expected, score(grouped(new ContrastiveLossFunction(1, 0.4), 3), p, t), 1e-12);
    }

    /** One group (size 0, the minibatch's size or more) is bit for bit the ungrouped loss and gradient. */
    @Test
    void oneGroupIsExactlyTheUngroupedLoss() {
        List<Supplier<BatchLossFunction>> functions = List.of(() -> new SimilarityLossFunction(0.7),
                () -> new RelationalLossFunction(0.7, 1, 2), () -> new RelationalLossFunction(0.7, 1, 2, 3),
                () -> new ContrastiveLossFunction(0.7, 0.3));
        Random random = new Random(24);
        int n = 9;
        for (Supplier<BatchLossFunction> make : functions) {
            INDArray out = FeatureTermsTest.gaussian(random, n, 3);
            INDArray labels = FeatureTermsTest.gaussian(random, n, 3);
            BatchLossFunction plain = make.get();
            double score = plain.computeScore(labels, out, ID, null, false);
            INDArray gradient = plain.computeGradient(labels, out, ID, null);
            for (int g : new int[] {n, n + 1, 1000}) {
                BatchLossFunction one = grouped(make.get(), g);
                assertEquals(score, one.computeScore(labels, out, ID, null, false), 0.0, one + " score");
                assertEquals(gradient, one.computeGradient(labels, out, ID, null), one + " gradient");
            }
            BatchLossFunction two = grouped(make.get(), n - 3);
            assertNotEquals(score, two.computeScore(labels, out, ID, null, false), two + ": no effect");
        }
    }

    /** Central differences of the summed score against the grouped gradient, for every batch loss. */
    @Test
    void groupedGradientsMatchFiniteDifferences() {
        List<BatchLossFunction> functions = List.of(grouped(new SimilarityLossFunction(0.7), 3),
                grouped(new RelationalLossFunction(0.7, 1, 2), 4), grouped(new RelationalLossFunction(0.7, 1, 2, 2), 3),
                grouped(new ContrastiveLossFunction(0.7, 0.3), 3));
        Random random = new Random(25);
        for (BatchLossFunction f : functions) {
            INDArray out = FeatureTermsTest.gaussian(random, 8, 3);
            INDArray labels = FeatureTermsTest.gaussian(random, 8, f instanceof ContrastiveLossFunction ? 3 : 4);
            FiniteDifferences.assertGradient(f, labels, out, ID, null, 1e-6, f.toString());
        }
    }

    /**
     * A memory bank with groups: each group's softmax also runs over the bank, the whole minibatch (every group) joins
     * the bank after its step, and the gradient matches finite differences with a filled bank.
     */
    @Test
    void memoryBankWithGroups() {
        Random random = new Random(26);
        var f = grouped(new ContrastiveLossFunction(0.7, 0.3, 20, ContrastiveLossFunction.BankUpdate.FIFO, 0.5), 3);
        f.computeGradient(FeatureTermsTest.gaussian(random, 8, 3), FeatureTermsTest.gaussian(random, 8, 3), ID, null);
        assertEquals(0, f.bankFilled(), "a minibatch joins the bank only at the next training step");
        f.computeGradient(FeatureTermsTest.gaussian(random, 8, 3), FeatureTermsTest.gaussian(random, 8, 3), ID, null);
        assertEquals(8, f.bankFilled(), "every group of the minibatch joined the bank");
        FiniteDifferences.assertGradient(f, FeatureTermsTest.gaussian(random, 8, 3),
                FeatureTermsTest.gaussian(random, 8, 3), ID, null, 1e-6, "crd bank, groups of 3");
        assertEquals(16, f.bankFilled());
    }

    /** {@code group_size} of a head: parsed onto the term's loss function and shown in its description. */
    @Test
    void groupSizeIsAHeadSetting() {
        DistillationLoss sp = Plugins.create(DistillationLoss.class, FeatureTermsTest.section(
                "{type: similarity, student_layer: hidden_1, teacher_layer: hidden_1, group_size: 64}"));
        assertEquals(64, ((BatchLossFunction) sp.lossFunction()).groupSize());
        assertTrue(sp.describe().contains(",group=64"), sp.describe());
        DistillationLoss rkd = Plugins.create(DistillationLoss.class, FeatureTermsTest.section(
                "{type: rkd, student_layer: hidden_1, teacher_layer: hidden_1}"));
        assertEquals(0, ((BatchLossFunction) rkd.lossFunction()).groupSize());
        DistillationLoss crd = Plugins.create(DistillationLoss.class, FeatureTermsTest.section(
                "{type: crd, student_layer: hidden_1, teacher_layer: hidden_1, group_size: 32, "
                        + "memory_bank: {size: 256}}"));
        assertEquals(32, ((BatchLossFunction) crd.lossFunction()).groupSize());
    }

    private static double huber(double x) {
        return Math.abs(x) <= 1 ? x * x / 2 : Math.abs(x) - 0.5;
    }

    private static double squared(double[] a, double[] b) {
        double sum = 0;
        for (int m = 0; m < a.length; m++) {
            sum += (a[m] - b[m]) * (a[m] - b[m]);
        }
        return sum;
    }

    private static double[] unit(double[][] a, int i, int j) {
        double[] e = new double[a[i].length];
        double norm = Math.sqrt(squared(a[i], a[j]));
        for (int m = 0; m < e.length; m++) {
            e[m] = norm > 0 ? (a[i][m] - a[j][m]) / norm : 0;
        }
        return e;
    }

    private static double cosine(double[] a, double[] b) {
        return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int m = 0; m < a.length; m++) {
            sum += a[m] * b[m];
        }
        return sum;
    }
}
