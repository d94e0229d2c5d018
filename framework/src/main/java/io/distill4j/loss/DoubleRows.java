package io.distill4j.loss;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

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
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    /** The rows of a matrix {@code [n, width]} as {@code double[n][width]}. */
    public static double[][] of(INDArray matrix) {
        if (matrix.rank() != 2) {
            throw new IllegalArgumentException("expected a matrix [n, width], got shape "
                    + Arrays.toString(matrix.shape()));
        }
        int n = (int) matrix.size(0);
        int width = (int) matrix.size(1);
        double[] flat = flat(matrix);
        double[][] rows = new double[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = Arrays.copyOfRange(flat, i * width, (i + 1) * width);
        }
        return rows;
    }
}
