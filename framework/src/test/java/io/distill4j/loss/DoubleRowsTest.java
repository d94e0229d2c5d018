package io.distill4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Bulk copies between ND4J and the Java heap: every layout reads as its row-major values, read independently. */
class DoubleRowsTest {
    private static final double[][] M = {{1, 2, 3}, {4, 5, 6}};

    @Test
    void everyLayoutReadsRowMajor() {
        INDArray c = Nd4j.createFromArray(M); // a whole row-major double array: read from its own buffer
        INDArray f = c.dup('f');
        INDArray single = c.castTo(DataType.FLOAT);
        INDArray transposedView = Nd4j.createFromArray(new double[][] {{1, 4}, {2, 5}, {3, 6}}).transpose();
        INDArray rowView = Nd4j.createFromArray(new double[][] {{0, 0, 0}, {1, 2, 3}, {4, 5, 6}})
                .get(NDArrayIndex.interval(1, 3), NDArrayIndex.all());
        for (INDArray a : new INDArray[] {c, f, single, transposedView, rowView}) {
            assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, DoubleRows.flat(a), 0.0, a.shapeInfoToString());
            double[][] rows = DoubleRows.of(a);
            assertArrayEquals(M[0], rows[0], 0.0);
            assertArrayEquals(M[1], rows[1], 0.0);
        }
        // the copy is a copy: changing it leaves the array as it was
        DoubleRows.flat(c)[0] = 99;
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, DoubleRows.flat(c), 0.0);
    }

    @Test
    void matrixWritesRowMajorInTheAskedType() {
        INDArray m = DoubleRows.matrix(new double[] {1, 2, 3, 4, 5, 6}, 2, 3, DataType.FLOAT);
        assertArrayEquals(new long[] {2, 3}, m.shape());
        assertArrayEquals(new float[] {4, 5, 6}, m.getRow(1).toFloatVector(), 0f);
        assertArrayEquals(M[0], DoubleRows.matrix(DoubleRows.flat(Nd4j.createFromArray(M)), 2, 3, DataType.DOUBLE)
                .getRow(0).toDoubleVector(), 0.0);
        INDArray fromRows = DoubleRows.matrix(M, DataType.FLOAT); // the inverse of of()
        assertArrayEquals(new long[] {2, 3}, fromRows.shape());
        assertArrayEquals(new float[] {(float) M[1][0], (float) M[1][1], (float) M[1][2]},
                fromRows.getRow(1).toFloatVector(), 0f);
    }

    @Test
    void writeRefillsAnArrayInPlaceAndRefusesViewsAndOtherShapes() {
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            INDArray target = Nd4j.zeros(type, 2, 3);
            double[] values = {0.1, -2, 3.25, 1e-3, 5, -6.5};
            assertSame(target, DoubleRows.write(target, values));
            for (int i = 0; i < 6; i++) { // the value castTo gives, at its row-major place
                assertEquals(type == DataType.FLOAT ? (double) (float) values[i] : values[i],
                        target.getDouble(i / 3, i % 3), 0.0);
            }
            // a row of a bigger matrix is contiguous: written where it lies, the other rows untouched
            INDArray big = Nd4j.zeros(type, 3, 3);
            DoubleRows.write(big.getRow(1), new double[] {7, 8, 9});
            assertArrayEquals(new double[] {0, 0, 0, 7, 8, 9, 0, 0, 0}, expected(big), 0.0);
            assertThrows(IllegalArgumentException.class, () -> DoubleRows.write(Nd4j.zeros(type, 3, 2).dup('f'),
                    values));
            assertThrows(IllegalArgumentException.class, () -> DoubleRows.write(big.getColumn(0), new double[3]));
            assertThrows(IllegalArgumentException.class, () -> DoubleRows.write(Nd4j.zeros(type, 2, 2), values));
        }
        assertThrows(IllegalArgumentException.class, () -> DoubleRows.write(Nd4j.zeros(DataType.INT, 2, 3),
                new double[6]));
    }

    /** The row-major values of {@code a}, read element by element (independent of the bulk copy under test). */
    private static double[] expected(INDArray a) {
        long rows = a.size(0);
        long cols = a.length() / rows;
        double[] out = new double[(int) a.length()];
        INDArray m = a.rank() == 2 ? a : a.reshape('c', rows, cols);
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < cols; k++) {
                out[(int) (i * cols + k)] = m.getDouble(i, k);
            }
        }
        return out;
    }

    @Test
    void copiesArraysAndViewsOfEveryLayoutInRowMajorOrder() {
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            INDArray a = Nd4j.rand(DataType.DOUBLE, 9, 6).muli(10).subi(5).castTo(type);
            List<INDArray> cases = List.of(
                    a,
                    a.get(NDArrayIndex.interval(3, 7), NDArrayIndex.all()), // a row interval: offset 18
                    a.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 4)), // a column interval: not contiguous
                    a.get(NDArrayIndex.point(4), NDArrayIndex.all()).reshape(1, 6), // one row
                    a.transpose(), // column-major view
                    a.dup('f'), // column-major copy
                    a.reshape(3, 3, 6).get(NDArrayIndex.interval(1, 3), NDArrayIndex.all(), NDArrayIndex.all()));
            for (INDArray c : cases) {
                String what = type + " " + java.util.Arrays.toString(c.shape()) + " " + c.ordering();
                double[] want = expected(c);
                double[] got = DoubleRows.flat(c);
                assertArrayEquals(want, got, 0.0, what);
            }
        }
    }

    @Test
    void floatsAreReadAndWrittenWithoutWidening() {
        INDArray wide = Nd4j.rand(DataType.FLOAT, 6, 5).subi(0.5f);
        INDArray rows = wide.get(NDArrayIndex.interval(1, 4), NDArrayIndex.all()); // contiguous rows of a view
        for (INDArray a : List.of(wide, rows, wide.dup('f'), wide.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 3)))) {
            float[] expected = new float[(int) a.length()];
            for (int i = 0; i < a.rows(); i++) {
                for (int j = 0; j < a.columns(); j++) {
                    expected[(int) (i * a.columns() + j)] = a.getFloat(i, j);
                }
            }
            assertArrayEquals(expected, DoubleRows.flatFloats(a));
        }
        assertNull(DoubleRows.flatFloats(Nd4j.rand(DataType.DOUBLE, 2, 2)), "not a float array");
        INDArray target = Nd4j.zeros(DataType.FLOAT, 2, 3);
        DoubleRows.write(target, new float[] {1, -2, 3.5f, 4, 5, -0.0f});
        assertArrayEquals(new float[] {1, -2, 3.5f}, target.getRow(0).toFloatVector());
        assertArrayEquals(new float[] {4, 5, -0.0f}, target.getRow(1).toFloatVector());
        assertThrows(IllegalArgumentException.class, () -> DoubleRows.write(target, new float[5]));
        assertThrows(IllegalArgumentException.class, () -> DoubleRows.write(target.dup('f'), new float[6]));
    }
}
