package io.distill4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Linear CKA against the kernel (HSIC) form written here with plain loops, hand values and its invariances. */
class CkaTest {
    private static double[][] random(Random r, int n, int p) {
        double[][] x = new double[n][p];
        for (double[] row : x) {
            for (int k = 0; k < p; k++) {
                row[k] = r.nextGaussian();
            }
        }
        return x;
    }

    /** HSIC(K, L) = tr(K H L H) with Gram matrices K = X X^T and the centring matrix H = I - 11^T / n. */
    private static double hsic(double[][] x, double[][] y) {
        int n = x.length;
        double[][] k = gram(x);
        double[][] l = gram(y);
        double[][] kc = centre(k);
        double[][] lc = centre(l);
        double trace = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                trace += kc[i][j] * lc[j][i];
            }
        }
        return trace;
    }

    private static double[][] gram(double[][] x) {
        int n = x.length;
        double[][] g = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < x[0].length; k++) {
                    g[i][j] += x[i][k] * x[j][k];
                }
            }
        }
        return g;
    }

    /** H G H, written out as G minus row and column means plus the grand mean. */
    private static double[][] centre(double[][] g) {
        int n = g.length;
        double[] row = new double[n];
        double[] col = new double[n];
        double all = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                row[i] += g[i][j] / n;
                col[j] += g[i][j] / n;
                all += g[i][j] / (n * (double) n);
            }
        }
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                out[i][j] = g[i][j] - row[i] - col[j] + all;
            }
        }
        return out;
    }

    private static double reference(double[][] x, double[][] y) {
        return hsic(x, y) / Math.sqrt(hsic(x, x) * hsic(y, y));
    }

    @Test
    void matchesTheKernelFormOnLayersOfDifferentWidths() {
        Random r = new Random(1);
        double[][] x = random(r, 30, 7);
        double[][] y = random(r, 30, 3);
        for (int i = 0; i < 30; i++) {
            y[i][0] += 2 * x[i][0] - x[i][3]; // some shared structure
        }
        double expected = reference(x, y);
        assertTrue(expected > 0.05 && expected < 0.95, "fixture should be in between: " + expected);
        assertEquals(expected, Cka.linear(Nd4j.createFromArray(x), Nd4j.createFromArray(y)), 1e-10);
        assertEquals(expected, Cka.linear(Nd4j.createFromArray(y), Nd4j.createFromArray(x)), 1e-10);
        assertEquals(expected, Cka.linear(Nd4j.createFromArray(x).castTo(DataType.FLOAT),
                Nd4j.createFromArray(y).castTo(DataType.FLOAT)), 1e-5);
    }

    /** A prepared layer compared with several others gives each pair's value, against the independent kernel form. */
    @Test
    void aPreparedLayerServesEveryPair() {
        Random r = new Random(2);
        double[][] x = random(r, 25, 6);
        double[][] y = random(r, 25, 4);
        double[][] z = random(r, 25, 2);
        for (int i = 0; i < 25; i++) {
            y[i][1] += x[i][2];
            z[i][0] -= 3 * x[i][0];
        }
        Cka.Layer prepared = Cka.layer(Nd4j.createFromArray(x));
        for (int round = 0; round < 2; round++) { // using a prepared layer leaves it as it was
            assertEquals(reference(x, y), Cka.linear(prepared, Cka.layer(Nd4j.createFromArray(y))), 1e-10);
            assertEquals(reference(x, z), Cka.linear(prepared, Cka.layer(Nd4j.createFromArray(z))), 1e-10);
            assertEquals(reference(x, x), Cka.linear(prepared, prepared), 1e-10);
        }
    }

    /** By hand: centred x = (-1, 0, 1) and centred y = (1/3, -2/3, 1/3) are orthogonal; y = x is identical. */
    @Test
    void handValues() {
        INDArray x = Nd4j.createFromArray(new double[][] {{1}, {2}, {3}});
        assertEquals(0, Cka.linear(x, Nd4j.createFromArray(new double[][] {{1}, {0}, {1}})), 1e-12);
        assertEquals(1, Cka.linear(x, x), 1e-12);
        assertEquals(1, Cka.linear(x, x.mul(-3).add(7)), 1e-12);
        assertTrue(Double.isNaN(Cka.linear(x, Nd4j.ones(DataType.DOUBLE, 3, 2))), "a constant layer has no CKA");
        assertThrows(IllegalArgumentException.class, () -> Cka.linear(x, Nd4j.ones(DataType.DOUBLE, 4, 1)));
    }

    /** Invariant to an orthogonal transform and isotropic scaling of one side (Kornblith et al., sec. 2). */
    @Test
    void invariantToRotationAndScale() {
        Random r = new Random(2);
        INDArray x = Nd4j.createFromArray(random(r, 40, 2));
        INDArray y = Nd4j.createFromArray(random(r, 40, 4)).addi(Nd4j.hstack(x, x));
        double theta = 0.7;
        INDArray rotation = Nd4j.createFromArray(new double[][] {
            {Math.cos(theta), -Math.sin(theta)}, {Math.sin(theta), Math.cos(theta)}});
        assertEquals(Cka.linear(x, y), Cka.linear(x.mmul(rotation).muli(4.5), y), 1e-10);
    }

    /** A sequence layer [n, width, time] counts as [n, width * time]. */
    @Test
    void sequenceLayersAreFlattenedOverTime() {
        Random r = new Random(3);
        INDArray seq = Nd4j.createFromArray(random(r, 20, 6)).reshape('c', 20, 2, 3);
        INDArray y = Nd4j.createFromArray(random(r, 20, 2));
        double[][] flat = seq.reshape('c', 20, 6).toDoubleMatrix();
        assertEquals(reference(flat, y.toDoubleMatrix()), Cka.linear(seq, y), 1e-10);
    }

    @Test
    void meanCosineByHand() {
        INDArray a = Nd4j.createFromArray(new double[][] {{1, 0}, {1, 1}, {0, 0}});
        INDArray b = Nd4j.createFromArray(new double[][] {{2, 0}, {-1, -1}, {1, 0}});
        assertEquals((1 - 1 + 0) / 3.0, Cka.meanCosine(a, b), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Cka.meanCosine(a, Nd4j.ones(3, 3)));
    }

    @Test
    void similarityMetricsAndCsv() {
        var s = new FeatureSimilarity(List.of("hidden_0", "logits"), List.of("hidden_0", "logits"),
                new double[][] {{0.5, 0.25}, {Double.NaN, 1}}, Map.of("hint_hidden_0", 0.75));
        assertEquals(0.25, s.metrics().get("cka.hidden_0.logits"));
        assertEquals(0.75, s.metrics().get("cosine.hint_hidden_0"));
        assertEquals("teacher_layer,hidden_0,logits\nhidden_0,0.500000,0.250000\nlogits,,1.000000\n", s.ckaCsv());
        assertThrows(IllegalArgumentException.class, () -> new FeatureSimilarity(List.of("a"), List.of("b"),
                new double[][] {{1, 2}}, Map.of()));
    }
}
