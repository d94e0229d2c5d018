package io.distill4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class DirectGemmTest {
    /** A [rows, columns] matrix of the given order, or (view) the top-left block of a wider one, random values. */
    private static INDArray matrix(DataType type, char order, boolean view, long rows, long columns, long seed) {
        Nd4j.getRandom().setSeed(seed);
        if (!view) {
            return Nd4j.rand(type, rows, columns).subi(0.5).dup(order);
        }
        INDArray wide = Nd4j.rand(type, rows + 3, columns + 5).subi(0.5).dup(order);
        return wide.get(NDArrayIndex.interval(1, rows + 1), NDArrayIndex.interval(2, columns + 2));
    }

    /** The product by plain loops, in double. */
    private static double[][] loops(INDArray a, boolean ta, INDArray b, boolean tb) {
        INDArray x = ta ? a.transpose() : a;
        INDArray y = tb ? b.transpose() : b;
        double[][] out = new double[(int) x.rows()][(int) y.columns()];
        for (int i = 0; i < x.rows(); i++) {
            for (int j = 0; j < y.columns(); j++) {
                for (int k = 0; k < x.columns(); k++) {
                    out[i][j] += x.getDouble(i, k) * y.getDouble(k, j);
                }
            }
        }
        return out;
    }

    @Test
    void everyLayoutAndTransposeGivesTheProduct() {
        long m = 7;
        long n = 5;
        long k = 9;
        int cases = 0;
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (char orderA : new char[] {'c', 'f'}) {
                for (char orderB : new char[] {'c', 'f'}) {
                    for (char orderC : new char[] {'c', 'f'}) {
                        for (boolean ta : new boolean[] {false, true}) {
                            for (boolean tb : new boolean[] {false, true}) {
                                boolean view = (cases % 3) == 1;
                                INDArray a = matrix(type, orderA, view, ta ? k : m, ta ? m : k, cases);
                                INDArray b = matrix(type, orderB, !view, tb ? n : k, tb ? k : n, cases + 100);
                                INDArray c = matrix(type, orderC, view, m, n, cases + 200);
                                String what = type + " a" + orderA + (ta ? "T" : "") + " b" + orderB + (tb ? "T" : "")
                                        + " c" + orderC + (view ? " views" : "");
                                assertTrue(DirectGemm.multiply(a, ta, b, tb, c), what);
                                double[][] expected = loops(a, ta, b, tb);
                                double tolerance = type == DataType.FLOAT ? 1e-5 : 1e-12;
                                for (int i = 0; i < m; i++) {
                                    assertArrayEquals(expected[i], c.getRow(i).toDoubleVector(), tolerance, what);
                                }
                                INDArray nd4j = Nd4j.create(type, new long[] {m, n}, orderC);
                                Nd4j.gemm(a, b, nd4j, ta, tb, 1.0, 0.0);
                                assertArrayEquals(flat(nd4j), flat(c),
                                        0.0, what + " against Nd4j.gemm");
                                cases++;
                            }
                        }
                    }
                }
            }
        }
        assertTrue(cases == 64);
    }

    private static double[] flat(INDArray x) {
        return x.dup('c').reshape(x.length()).toDoubleVector();
    }

    @Test
    void declinesWhatItCannotAddress() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 4, 3);
        INDArray b = Nd4j.rand(DataType.FLOAT, 3, 2);
        assertFalse(DirectGemm.multiply(a, false, b.castTo(DataType.DOUBLE), false, Nd4j.create(DataType.FLOAT, 4, 2)),
                "mixed types");
        assertFalse(DirectGemm.multiply(a, false, b, false, Nd4j.create(DataType.HALF, 4, 2)), "half precision");
        assertFalse(DirectGemm.multiply(a, false, Nd4j.rand(DataType.FLOAT, 3, 1), false,
                Nd4j.create(DataType.FLOAT, 4, 1)), "a column vector");
        assertFalse(DirectGemm.multiply(a, false, b, false, Nd4j.create(DataType.FLOAT, 4, 3)), "shapes that disagree");
        INDArray strided = Nd4j.rand(DataType.FLOAT, 8, 6).get(NDArrayIndex.interval(0, 2, 8),
                NDArrayIndex.interval(0, 2, 6));
        assertFalse(DirectGemm.multiply(strided, false, Nd4j.rand(DataType.FLOAT, 3, 2), false,
                Nd4j.create(DataType.FLOAT, 4, 2)), "no unit stride");
        INDArray c = Nd4j.zeros(DataType.FLOAT, 4, 2);
        assertFalse(DirectGemm.multiply(a, true, b, false, c), "op(a) of the wrong shape");
        assertArrayEquals(new float[8], c.reshape(8).toFloatVector(), "c untouched when declined");
    }
}
