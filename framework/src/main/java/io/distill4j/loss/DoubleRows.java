package io.distill4j.loss;

import java.util.Arrays;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Copies of ND4J arrays on the Java heap in double precision, made with one bulk copy. ND4J's own
 * {@code toDoubleMatrix()} fetches one row view at a time (a native call per row), which made per-epoch metrics
 * and batch-level losses over thousands of rows the slowest part of a small student's training.
 */
public final class DoubleRows {
    private DoubleRows() {
    }

    /**
     * A row-major copy of any array (views included) as one {@code double[]}. A row-major contiguous array of floats
     * or doubles (a minibatch's logits or labels, a row interval of a matrix) is read from its buffer in one copy
     * without an ND4J operation (a float widens to the same double {@code castTo} gives); anything else is first made
     * a row-major double copy by ND4J ({@code DataBuffer.asDouble()} would read it element by element).
     */
    public static double[] flat(INDArray a) {
        if (isRowMajorContiguous(a)) {
            if (a.dataType() == DataType.FLOAT) {
                float[] f = flatFloats(a);
                double[] out = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    out[i] = f[i];
                }
                return out;
            }
            if (a.dataType() == DataType.DOUBLE) {
                double[] out = new double[(int) a.length()];
                new DoublePointer(a.data().addressPointer()).position(start(a)).get(out);
                return out;
            }
        }
        return flat(a.castTo(DataType.DOUBLE).dup('c')); // now contiguous doubles: one bulk copy
    }

    /**
     * A new {@code [rows, width]} array of {@code type} holding {@code flat} (row-major), written in one bulk copy
     * ({@code Nd4j.createFromArray} writes element by element).
     */
    public static INDArray matrix(double[] flat, int rows, int width, DataType type) {
        if (flat.length != (long) rows * width) {
            throw new IllegalArgumentException(flat.length + " values for a " + rows + " x " + width + " matrix");
        }
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            return matrix(flat, rows, width, DataType.DOUBLE).castTo(type);
        }
        return write(Nd4j.createUninitialized(type, rows, width), flat);
    }

    /** A new {@code [rows.length, width]} array of {@code type} holding {@code rows} (the inverse of {@link #of}). */
    public static INDArray matrix(double[][] rows, DataType type) {
        int width = rows[0].length;
        double[] flat = new double[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * width, width);
        }
        return matrix(flat, rows.length, width, type);
    }

    /**
     * Writes {@code flat} (row-major) into {@code target}, a row-major contiguous float or double array of as many
     * elements, in one bulk copy (a float target gets each value rounded to float, as {@code castTo} rounds it), and
     * returns {@code target}: how an array reused from one epoch to the next is refilled without a new native
     * allocation.
     */
    public static INDArray write(INDArray target, double[] flat) {
        checkWritable(target, flat.length, target.dataType() == DataType.DOUBLE);
        if (target.dataType() == DataType.DOUBLE) {
            new DoublePointer(target.data().addressPointer()).position(start(target)).put(flat);
            return target;
        }
        float[] f = new float[flat.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) flat[i];
        }
        return write(target, f);
    }

    /**
     * A row-major copy of a float array as one {@code float[]} (one bulk copy where it is row-major contiguous, like
     * {@link #flat}), or, for an array of another type, null: callers keep such data in double precision.
     */
    public static float[] flatFloats(INDArray a) {
        if (a.dataType() != DataType.FLOAT) {
            return null;
        }
        INDArray c = isRowMajorContiguous(a) ? a : a.dup('c');
        float[] out = new float[(int) c.length()];
        floats(c).get(out);
        return out;
    }

    /** Writes {@code flat} (row-major) into the row-major contiguous float array {@code target} in one bulk copy. */
    public static INDArray write(INDArray target, float[] flat) {
        checkWritable(target, flat.length, false);
        floats(target).put(flat);
        return target;
    }

    /** A row-major contiguous float or ({@code doubles}) double array of {@code length} elements, else an error. */
    private static void checkWritable(INDArray target, int length, boolean doubles) {
        if (!isRowMajorContiguous(target) || target.length() != length
                || target.dataType() != (doubles ? DataType.DOUBLE : DataType.FLOAT)) {
            throw new IllegalArgumentException("cannot write " + length + " values into a " + target.dataType()
                    + " array of shape " + Arrays.toString(target.shape()) + ", order " + target.ordering());
        }
    }

    /** Whether ND4J's arrays live in host memory Java can read and write through {@link #floats} (its CPU backend). */
    public static boolean hostMemory() {
        return HOST_MEMORY;
    }

    private static final boolean HOST_MEMORY = org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getSimpleName()
            .startsWith("Cpu");

    /**
     * A pointer to a float array's first element (a view's included) covering its {@code length()} elements, for
     * bulk copies and Java passes over its memory; the caller knows the layout ({@link #isRowMajorContiguous}).
     */
    public static FloatPointer floats(INDArray a) {
        FloatPointer p = new FloatPointer(a.data().addressPointer()).position(start(a));
        return p.limit(p.position() + a.length());
    }

    /** The native address of {@code a}'s first element (a view's included). */
    public static long address(INDArray a) {
        return a.data().addressPointer().address() + start(a) * a.data().getElementSize();
    }

    /** Where {@code a}'s first element lies from its buffer's address (a view's buffer starts at the view). */
    private static long start(INDArray a) {
        return a.offset() - a.data().offset();
    }

    /** Whether {@code a}'s elements are its buffer's {@code length} consecutive values from its offset, row-major. */
    public static boolean isRowMajorContiguous(INDArray a) {
        if (a.isEmpty() || a.ordering() != 'c' || a.length() > Integer.MAX_VALUE) {
            return false;
        }
        long[] shape = a.shape();
        long[] stride = a.stride();
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
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
