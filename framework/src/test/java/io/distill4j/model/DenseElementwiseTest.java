package io.distill4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class DenseElementwiseTest {
    /** Values where ReLU's edge cases live: signed zeros, NaN, infinities, the smallest magnitudes. */
    private static final float[] EDGES = {-0.0f, 0.0f, Float.NaN, -1f, 1f, Float.NEGATIVE_INFINITY,
        Float.POSITIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE, 3.5f, -2.25f, 1e-30f};

    private static int[] bits(INDArray x) {
        float[] v = x.dup('c').reshape(x.length()).toFloatVector();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Float.floatToRawIntBits(v[i]);
        }
        return out;
    }

    private static INDArray edges(int rows) {
        float[] v = new float[rows * EDGES.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = EDGES[(i * 7 + i / EDGES.length) % EDGES.length];
        }
        return Nd4j.create(v, new long[] {rows, EDGES.length}, 'c');
    }

    @Test
    void biasAndReluEqualNd4jsOperationsBitForBit() {
        INDArray z = edges(5);
        INDArray bias = Nd4j.create(new float[] {0f, -0.0f, 1f, 0.5f, -3.5f, 0f, 0f, 0f, 0f, -3.5f, 2.25f, 0f},
                new long[] {1, EDGES.length}, 'c');
        for (INDArray b : new INDArray[] {null, bias}) {
            for (boolean relu : new boolean[] {false, true}) {
                INDArray expected = z.dup();
                if (b != null) {
                    expected.addiRowVector(b);
                }
                if (relu) {
                    new ActivationReLU().getActivation(expected, true);
                }
                INDArray actual = z.dup();
                assertTrue(DenseElementwise.addBiasThenRelu(actual, b, relu));
                assertArrayEquals(bits(expected), bits(actual), "bias " + (b != null) + ", relu " + relu);
            }
        }
    }

    @Test
    void reluGradientEqualsNd4jsOperationBitForBit() {
        INDArray a = new ActivationReLU().getActivation(edges(4), true);
        INDArray epsilon = edges(4).muli(-1.5f).addi(0.25f);
        INDArray expected = Nd4j.getExecutioner().exec(new RectifiedLinearDerivative(a, epsilon, a.ulike(), 0.0))[0];
        INDArray actual = Nd4j.createUninitialized(DataType.FLOAT, a.shape());
        assertTrue(DenseElementwise.reluGradient(a, epsilon, actual));
        assertArrayEquals(bits(expected), bits(actual));
    }

    /**
     * The branch-free gradient against ND4J's {@code relu_bp} over bit patterns spread across all 2^32 (every
     * 65,521st, with the boundaries: both zeros, the smallest subnormals, both infinities, the first and last NaN of
     * each sign), and on a teacher-sized random activation (above the size limit of the other passes).
     */
    @Test
    void reluGradientEqualsNd4jsOperationOverBitPatterns() {
        int[] edges = {0, 1, -1, Integer.MIN_VALUE, Integer.MIN_VALUE + 1, Integer.MAX_VALUE, 0x7F800000, 0x7F800001,
            0x7F7FFFFF, 0xFF800000, 0xFF800001, 0x3F800000, 0xBF800000, 0x00800000, 0x807FFFFF};
        int count = (int) ((1L << 32) / 65521) + 1 + edges.length;
        float[] a = new float[count];
        float[] e = new float[count];
        long pattern = Integer.MIN_VALUE;
        for (int i = 0; i < count - edges.length; i++, pattern += 65521) {
            a[i] = Float.intBitsToFloat((int) pattern);
            e[i] = Float.intBitsToFloat((int) (pattern * 31 + 7));
        }
        for (int i = 0; i < edges.length; i++) {
            a[count - edges.length + i] = Float.intBitsToFloat(edges[i]);
            e[count - edges.length + i] = Float.intBitsToFloat(edges[(i + 3) % edges.length]);
        }
        INDArray activation = Nd4j.create(a, new long[] {1, count}, 'c');
        INDArray epsilon = Nd4j.create(e, new long[] {1, count}, 'c');
        INDArray expected = Nd4j.getExecutioner().exec(new RectifiedLinearDerivative(activation, epsilon,
                activation.ulike(), 0.0))[0];
        INDArray actual = Nd4j.createUninitialized(DataType.FLOAT, activation.shape());
        assertTrue(DenseElementwise.reluGradient(activation, epsilon, actual));
        assertArrayEquals(bits(expected), bits(actual));

        Nd4j.getRandom().setSeed(5);
        INDArray teacher = new ActivationReLU().getActivation(Nd4j.randn(DataType.FLOAT, 256, 256), true);
        INDArray gradient = Nd4j.randn(DataType.FLOAT, 256, 256);
        INDArray nd4j = Nd4j.getExecutioner().exec(new RectifiedLinearDerivative(teacher, gradient, teacher.ulike(),
                0.0))[0];
        INDArray ours = Nd4j.createUninitialized(DataType.FLOAT, 256, 256);
        assertTrue(DenseElementwise.reluGradient(teacher, gradient, ours));
        assertArrayEquals(bits(nd4j), bits(ours));
    }

    /**
     * The branch-free bias and ReLU against ND4J's broadcast addition and ReLU over bit patterns spread across all 2^32
     * (every 65,521st, with the boundaries), with and without a bias, and on a teacher-sized random activation.
     */
    @Test
    void biasAndReluEqualNd4jsOperationsOverBitPatterns() {
        int[] edges = {0, 1, -1, Integer.MIN_VALUE, Integer.MIN_VALUE + 1, Integer.MAX_VALUE, 0x7F800000, 0x7F800001,
            0x7F7FFFFF, 0xFF800000, 0xFF800001, 0xFF7FFFFF, 0x3F800000, 0xBF800000, 0x807FFFFF, 0x80000002};
        int columns = 16;
        int rows = (int) ((1L << 32) / 65521 / columns) + 2;
        float[] z = new float[rows * columns];
        long pattern = Integer.MIN_VALUE;
        for (int i = 0; i < z.length - edges.length; i++, pattern += 65521) {
            z[i] = Float.intBitsToFloat((int) pattern);
        }
        for (int i = 0; i < edges.length; i++) {
            z[z.length - edges.length + i] = Float.intBitsToFloat(edges[i]);
        }
        float[] b = new float[columns];
        for (int c = 0; c < columns; c++) {
            b[c] = c % 4 == 0 ? 0f : (c - 8) * 0.375f;
        }
        INDArray bias = Nd4j.create(b, new long[] {1, columns}, 'c');
        Nd4j.getRandom().setSeed(9);
        INDArray teacher = Nd4j.randn(DataType.FLOAT, 256, 256);
        INDArray teacherBias = Nd4j.randn(DataType.FLOAT, 1, 256).muli(0.1);
        for (INDArray[] input : new INDArray[][] {{Nd4j.create(z, new long[] {rows, columns}, 'c'), null},
            {Nd4j.create(z, new long[] {rows, columns}, 'c'), bias}, {teacher, teacherBias}}) {
            INDArray expected = input[0].dup();
            if (input[1] != null) {
                expected.addiRowVector(input[1]);
            }
            new ActivationReLU().getActivation(expected, true);
            INDArray actual = input[0].dup();
            assertTrue(DenseElementwise.addBiasThenRelu(actual, input[1], true));
            assertArrayEquals(bits(expected), bits(actual), java.util.Arrays.toString(input[0].shape()) + ", bias "
                    + (input[1] != null));
        }
    }

    @Test
    void columnSumsEqualNd4jsSumAlongRowsBitForBit() {
        for (long[] shape : new long[][] {{256, 16}, {55, 8}, {256, 3}, {256, 80}, {7, 5}, {256, 256}, {256, 128},
                {1024, 1024}}) {
            for (int scale = -2; scale <= 2; scale++) {
                Nd4j.getRandom().setSeed(shape[0] * 100 + shape[1] * 10 + scale);
                INDArray x = Nd4j.randn(DataType.FLOAT, shape).muli(Math.pow(10, scale));
                INDArray expected = Nd4j.create(DataType.FLOAT, 1, shape[1]);
                x.sum(expected, 0);
                INDArray gradients = Nd4j.zeros(DataType.FLOAT, 1, shape[1] + 4); // a view, as a bias gradient is
                INDArray actual = gradients.get(NDArrayIndex.point(0), NDArrayIndex.interval(2, shape[1] + 2))
                        .reshape(1, shape[1]);
                assertTrue(DenseElementwise.columnSums(x, actual));
                assertArrayEquals(bits(expected), bits(actual), java.util.Arrays.toString(shape) + " 1e" + scale);
                assertArrayEquals(new int[2], bits(gradients.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, 2))
                        .reshape(1, 2)), "nothing written before the view");
            }
        }
    }

    @Test
    void multiplyingByAMaskInStorageOrderEqualsNd4jsMultiplication() {
        for (char order : new char[] {'c', 'f'}) {
            INDArray w = edges(8).dup(order); // signed zeros, NaN and infinities times 0 and 1
            INDArray mask = Nd4j.create(DataType.FLOAT, 8, EDGES.length);
            for (int r = 0; r < 8; r++) {
                for (int c = 0; c < EDGES.length; c++) {
                    mask.putScalar(r, c, (r / 4) == (c / 6) ? 1f : 0f);
                }
            }
            INDArray expected = w.dup(order).muli(mask);
            assertTrue(DenseElementwise.multiplyInStorageOrder(w, mask.dup(order).data().asFloat()));
            assertArrayEquals(bits(expected), bits(w), "order " + order);
        }
        assertFalse(DenseElementwise.multiplyInStorageOrder(Nd4j.rand(DataType.FLOAT, 3, 4), new float[11]),
                "factors of another length");
    }

    /**
     * DL4J's {@code Dropout} (a mask of ones, ND4J's random {@code DropOutInverted}, a product; then the product with
     * the mask backwards) against the one pass, from the same generator state: the output, the gradient and the
     * generator's state after (the next values drawn) are the same, for inputs with every edge value, retain
     * probabilities that are not exact in float, in place and not.
     */
    @Test
    void invertedDropoutEqualsDl4jsDropoutBitForBit() {
        for (double p : new double[] {0.9, 0.5, 0.25, 1.0 / 3, 0.999, 1.0}) {
            for (int rows : new int[] {1, 7, 256}) {
                for (boolean inPlace : new boolean[] {false, true}) {
                    INDArray in = edges(rows).mul(1.5f).addi(edges(rows).transpose().reshape('c', rows, 12));
                    INDArray epsilon = edges(rows).reshape('c', rows, 12).mul(-0.75f);
                    String where = "p " + p + ", " + rows + " rows, in place " + inPlace;
                    long seed = 1000 + rows;

                    Nd4j.getRandom().setSeed(seed);
                    var dropout = new org.deeplearning4j.nn.conf.dropout.Dropout(p);
                    INDArray expectedIn = in.dup();
                    INDArray expectedOut = inPlace ? expectedIn : in.ulike();
                    INDArray expected = dropout.applyDropout(expectedIn, expectedOut, 0, 0,
                            org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
                    INDArray expectedGradient = epsilon.dup();
                    dropout.backprop(expectedGradient, expectedGradient, 0, 0);
                    int[] expectedNext = bits(Nd4j.rand(DataType.FLOAT, 1, 33));

                    Nd4j.getRandom().setSeed(seed);
                    INDArray actualIn = in.dup();
                    INDArray actualOut = inPlace ? actualIn : in.ulike();
                    INDArray mask = in.ulike();
                    assertTrue(DenseElementwise.invertedDropout(actualIn, actualOut, mask, p), where);
                    INDArray actualGradient = epsilon.dup();
                    assertTrue(DenseElementwise.multiplyByMask(actualGradient, mask), where);
                    int[] actualNext = bits(Nd4j.rand(DataType.FLOAT, 1, 33));

                    assertArrayEquals(bits(expected), bits(actualOut), "output, " + where);
                    assertArrayEquals(bits(expectedGradient), bits(actualGradient), "gradient, " + where);
                    assertArrayEquals(expectedNext, actualNext, "the generator after, " + where);
                }
            }
        }
    }

    @Test
    void invertedDropoutDropsAboutOneMinusPOfTheInputs() {
        Nd4j.getRandom().setSeed(5);
        INDArray in = Nd4j.ones(DataType.FLOAT, 256, 256);
        INDArray mask = in.ulike();
        assertTrue(DenseElementwise.invertedDropout(in, in.ulike(), mask, 0.8));
        double dropped = mask.eq(0).castTo(DataType.DOUBLE).meanNumber().doubleValue();
        assertEquals(0.2, dropped, 0.01, "share of the mask's zeros");
        assertEquals(1.25f, mask.maxNumber().floatValue(), "the kept inputs are scaled by 1/p");
    }

    @Test
    void aRowMajorViewIsWrittenInPlaceAndNothingAround() {
        INDArray wide = edges(6);
        INDArray before = wide.dup();
        INDArray rows = wide.get(NDArrayIndex.interval(2, 4), NDArrayIndex.all()); // contiguous rows 2-3
        assertTrue(DenseElementwise.addBiasThenRelu(rows, null, true));
        INDArray expected = before.dup();
        new ActivationReLU().getActivation(expected.get(NDArrayIndex.interval(2, 4), NDArrayIndex.all()), true);
        assertArrayEquals(bits(expected), bits(wide));
    }

    @Test
    void declinesWhatItCannotAddress() {
        assertFalse(DenseElementwise.addBiasThenRelu(Nd4j.rand(DataType.DOUBLE, 3, 4), null, true), "double");
        assertFalse(DenseElementwise.addBiasThenRelu(Nd4j.rand(DataType.FLOAT, 3, 4).dup('f'), null, true),
                "column-major");
        INDArray columns = Nd4j.rand(DataType.FLOAT, 3, 6).get(NDArrayIndex.all(), NDArrayIndex.interval(1, 4));
        assertFalse(DenseElementwise.addBiasThenRelu(columns, null, true), "a column slice (gaps between rows)");
        assertFalse(DenseElementwise.addBiasThenRelu(Nd4j.rand(DataType.FLOAT, 3, 4), Nd4j.rand(DataType.FLOAT, 1, 3),
                false), "a bias of the wrong width");
        INDArray large = Nd4j.create(DataType.FLOAT, 2, DenseElementwise.MOST_COLUMN_SUMS / 2 + 1);
        assertFalse(DenseElementwise.columnSums(large, Nd4j.create(DataType.FLOAT, 1, large.columns())),
                "column sums above the size limit");
        INDArray a = Nd4j.rand(DataType.FLOAT, 3, 4);
        assertFalse(DenseElementwise.reluGradient(a, Nd4j.rand(DataType.FLOAT, 4, 3), a.ulike()), "shapes differ");
        assertFalse(DenseElementwise.invertedDropout(a, a.ulike(), Nd4j.rand(DataType.FLOAT, 4, 3), 0.5), "mask shape");
        assertFalse(DenseElementwise.invertedDropout(a, a.ulike(), a.ulike(), 0.0), "retain nothing");
        assertFalse(DenseElementwise.invertedDropout(a.dup('f'), a.ulike(), a.ulike(), 0.5), "column-major");
        INDArray huge = Nd4j.create(DataType.FLOAT, 2, DenseElementwise.MOST_DROPOUT / 2 + 1);
        assertFalse(DenseElementwise.invertedDropout(huge, huge, huge.ulike(), 0.5), "above the size limit");
    }
}
