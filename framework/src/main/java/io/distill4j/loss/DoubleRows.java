package io.distill4j.loss;

import java.nio.DoubleBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Copies of ND4J arrays on the Java heap in double precision, made with one bulk copy. ND4J's own
 * {@code toDoubleMatrix()} fetches one row view at a time (a native call per row), which made per-epoch metrics
 * and batch-level losses over thousands of rows the slowest part of a small student's training.
 */
public final class DoubleRows {
    private DoubleRows() {
    }

    /** A row-major copy of any array (views included) as one {@code double[]}. */
    public static double[] flat(INDArray a) {
        double[] out = new double[Math.toIntExact(a.length())];
        doubles(a).get(out);
        return out;
    }

    /**
     * The values of {@code a} in row-major order as a buffer to read in bulk ({@code DataBuffer.asDouble()} reads
     * element by element): its own buffer when it already is a whole row-major double array (e.g. a product's
     * result), else that of a row-major double copy.
     */
    private static DoubleBuffer doubles(INDArray a) {
        boolean direct = a.dataType() == DataType.DOUBLE && a.ordering() == 'c' && !a.isView()
                && a.data().offset() == 0 && Shape.hasDefaultStridesForShape(a);
        return (direct ? a : a.castTo(DataType.DOUBLE).dup('c')).data().asNioDouble();
    }

    /**
     * A new {@code [rows, width]} array of {@code type} holding {@code flat} (row-major), written in one bulk copy
     * ({@code Nd4j.createFromArray} writes element by element).
     */
    public static INDArray matrix(double[] flat, int rows, int width, DataType type) {
        if (flat.length != (long) rows * width) {
            throw new IllegalArgumentException(flat.length + " values for a " + rows + " x " + width + " matrix");
        }
        INDArray d = Nd4j.createUninitialized(DataType.DOUBLE, rows, width);
        d.data().asNioDouble().put(flat);
        return type == DataType.DOUBLE ? d : d.castTo(type);
    }

    /** The rows of a matrix {@code [n, width]} as {@code double[n][width]}. */
    public static double[][] of(INDArray matrix) {
        if (matrix.rank() != 2) {
            throw new IllegalArgumentException("expected a matrix [n, width], got shape "
                    + Arrays.toString(matrix.shape()));
        }
        int n = (int) matrix.size(0);
        int width = (int) matrix.size(1);
        DoubleBuffer data = doubles(matrix);
        double[][] rows = new double[n][width];
        for (double[] row : rows) {
            data.get(row);
        }
        return rows;
    }
}
