package io.distill4j.model;

import java.util.concurrent.atomic.LongAdder;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The matrix product {@code C = op(A) op(B)} as one call of OpenBLAS's {@code cblas_sgemm} / {@code cblas_dgemm} on
 * the arrays' own memory, for the CPU backend. ND4J M2.1 routes {@code Nd4j.gemm} and {@code mmuli} through its
 * {@code matmul} custom operation, whose context, shape buffers and bookkeeping cost 15-40 µs per call on these
 * machines, against 3-4 µs for the BLAS call itself on a student's 256 x 16 x 8 product and 135 µs against 176 µs on
 * a teacher's 256 x 256 x 128 (README, "Third sitting"). The product is OpenBLAS's either way: the same library, the
 * same operands; the layers that use this are checked bit for bit against DL4J's.
 *
 * <p>{@link #multiply} does the product only where it can address every operand directly: the CPU backend, all three
 * arrays {@code FLOAT} or all {@code DOUBLE}, each a matrix with a unit stride along one dimension (row- or
 * column-major, a view with a leading dimension is fine) and at least two rows and columns. Otherwise it returns
 * false and the caller takes ND4J's path.
 */
final class DirectGemm {
    /**
     * Whether the direct paths apply: ND4J runs on its CPU backend (whose arrays live in host memory OpenBLAS and Java
     * can read), and they are not switched off for a measurement by {@code -Ddistill4j.gemm.nd4j=true} (which also
     * switches off {@link DenseElementwise}).
     */
    static final boolean ENABLED = io.distill4j.loss.DoubleRows.hostMemory()
            && !Boolean.getBoolean("distill4j.gemm.nd4j");

    /** How many products went straight to OpenBLAS (for tests: the layers really take this path). */
    private static final LongAdder DIRECT = new LongAdder();

    private DirectGemm() {
    }

    static long directProducts() {
        return DIRECT.sum();
    }

    /**
     * {@code c = op(a) op(b)}, with {@code op} a transpose where asked; returns false (and leaves {@code c} untouched)
     * where the operands cannot be addressed directly (see the class comment).
     */
    static boolean multiply(INDArray a, boolean transposeA, INDArray b, boolean transposeB, INDArray c) {
        if (!ENABLED) {
            return false;
        }
        DataType type = c.dataType();
        if (type != DataType.FLOAT && type != DataType.DOUBLE || a.dataType() != type || b.dataType() != type) {
            return false;
        }
        if (!plainMatrix(a) || !plainMatrix(b) || !plainMatrix(c)) {
            return false;
        }
        long m = c.rows();
        long n = c.columns();
        long k = transposeA ? a.rows() : a.columns();
        if ((transposeA ? a.columns() : a.rows()) != m || (transposeB ? b.rows() : b.columns()) != n
                || (transposeB ? b.columns() : b.rows()) != k) {
            return false;
        }
        // In the layout of c (row-major when c's rows are contiguous, else column-major), an operand stored in the
        // other layout is read as its transpose.
        boolean rowMajor = c.stride(1) == 1;
        int layout = rowMajor ? openblas_nolapack.CblasRowMajor : openblas_nolapack.CblasColMajor;
        int opA = transpose(transposeA ^ (rowMajor != (a.stride(1) == 1)));
        int opB = transpose(transposeB ^ (rowMajor != (b.stride(1) == 1)));
        long lda = leading(a);
        long ldb = leading(b);
        long ldc = leading(c);
        if (type == DataType.FLOAT) {
            openblas_nolapack.cblas_sgemm(layout, opA, opB, (int) m, (int) n, (int) k, 1f,
                    (FloatPointer) a.data().addressPointer(), (int) lda, (FloatPointer) b.data().addressPointer(),
                    (int) ldb, 0f, (FloatPointer) c.data().addressPointer(), (int) ldc);
        } else {
            openblas_nolapack.cblas_dgemm(layout, opA, opB, (int) m, (int) n, (int) k, 1.0,
                    (DoublePointer) a.data().addressPointer(), (int) lda, (DoublePointer) b.data().addressPointer(),
                    (int) ldb, 0.0, (DoublePointer) c.data().addressPointer(), (int) ldc);
        }
        DIRECT.increment();
        return true;
    }

    /**
     * {@code C = op(A) op(B) + beta C} on column-major float matrices given by their memory ({@code a}, {@code b} and
     * {@code c} at their pointers' positions, leading dimensions {@code lda}, {@code ldb}, {@code ldc}), {@code C}
     * being {@code m x n} and the sum running over {@code k}: OpenBLAS's {@code cblas_sgemm}, for callers that have
     * checked {@link #ENABLED} and address blocks of their own arrays (the LSTM recurrence's time steps and gates).
     */
    static void columnMajor(boolean transposeA, boolean transposeB, int m, int n, int k, FloatPointer a, int lda,
            FloatPointer b, int ldb, float beta, FloatPointer c, int ldc) {
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasColMajor, transpose(transposeA), transpose(transposeB),
                m, n, k, 1f, a, lda, b, ldb, beta, c, ldc);
        DIRECT.increment();
    }

    private static int transpose(boolean transpose) {
        return transpose ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
    }

    /** A rank-2 array of at least 2 x 2 with a unit stride along exactly one dimension, addressable from element 0. */
    private static boolean plainMatrix(INDArray x) {
        if (x.rank() != 2 || x.rows() < 2 || x.columns() < 2 || x.isEmpty() || x.offset() != x.data().offset()) {
            return false;
        }
        long s0 = x.stride(0);
        long s1 = x.stride(1);
        return s1 == 1 && s0 >= x.columns() && s0 <= Integer.MAX_VALUE
                || s0 == 1 && s1 >= x.rows() && s1 <= Integer.MAX_VALUE;
    }

    /** The distance between consecutive rows (row-major) or columns (column-major). */
    private static long leading(INDArray x) {
        return x.stride(1) == 1 ? x.stride(0) : x.stride(1);
    }
}
