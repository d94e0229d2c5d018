package io.distill4j.eval;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Linear centred kernel alignment (Kornblith, Norouzi, Lee, Hinton, "Similarity of Neural Network Representations
 * Revisited", ICML 2019, eq. for linear CKA in the feature-space form):
 *
 * <pre>
 *   CKA(X, Y) = || Y'^T X' ||_F^2 / ( || X'^T X' ||_F  || Y'^T Y' ||_F )
 * </pre>
 *
 * with {@code X} ({@code [n, p]}) and {@code Y} ({@code [n, q]}) the activations of two layers for the same
 * {@code n} samples and {@code X'}, {@code Y'} their column-centred copies. Widths may differ: the full matrices are
 * compared, never truncated to the smaller width. It is invariant to orthogonal transforms and isotropic scaling of
 * either side, lies in [0, 1], and is 1 for identical representations. A sequence activation {@code [n, width, time]}
 * is flattened to {@code [n, width * time]} (every time step a feature, so the order over time counts); a layer
 * whose activations are constant over the samples has CKA {@code NaN} with everything. Computed in double precision.
 */
public final class Cka {
    private Cka() {
    }

    /** Linear CKA between two layers' activations for the same samples. */
    public static double linear(INDArray x, INDArray y) {
        return linear(layer(x), layer(y));
    }

    /**
     * One layer's activations prepared for CKA: column-centred, in double precision, with {@code ||X'^T X'||_F}. A
     * layer compared with several others (every teacher layer x every student layer) is prepared once.
     */
    public static final class Layer {
        private final INDArray centred;
        private final double selfNorm;

        private Layer(INDArray centred) {
            this.centred = centred;
            this.selfNorm = Math.sqrt(squaredFrobenius(centred.transpose().mmul(centred)));
        }
    }

    /** {@code x} ({@code [n, p]}, or a sequence {@code [n, width, time]}) prepared for {@link #linear(Layer, Layer)}. */
    public static Layer layer(INDArray x) {
        return new Layer(centred(x));
    }

    /** Linear CKA between two prepared layers of the same samples. */
    public static double linear(Layer x, Layer y) {
        INDArray a = x.centred;
        INDArray b = y.centred;
        if (a.size(0) != b.size(0)) {
            throw new IllegalArgumentException("CKA needs the same samples on both sides, got " + a.size(0) + " and "
                    + b.size(0));
        }
        double cross = squaredFrobenius(b.transpose().mmul(a));
        return x.selfNorm == 0 || y.selfNorm == 0 ? Double.NaN : cross / (x.selfNorm * y.selfNorm);
    }

    /**
     * The mean over samples of the cosine similarity of two rows of the same width, e.g. a projected student layer
     * and the teacher layer it imitates (rows with a zero norm count as 0).
     */
    public static double meanCosine(INDArray x, INDArray y) {
        INDArray a = matrix(x);
        INDArray b = matrix(y);
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException("cosine similarity needs equal shapes, got "
                    + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()));
        }
        INDArray dot = a.mul(b).sum(1);
        INDArray norms = a.norm2(1).muli(b.norm2(1));
        double sum = 0;
        for (long i = 0; i < a.size(0); i++) {
            double n = norms.getDouble(i);
            sum += n == 0 ? 0 : dot.getDouble(i) / n;
        }
        return sum / a.size(0);
    }

    /** Activations as a double {@code [n, features]} matrix (sequence layers flattened over time). */
    static INDArray matrix(INDArray x) {
        INDArray d = x.castTo(DataType.DOUBLE);
        return d.rank() == 2 ? d : d.dup('c').reshape('c', d.size(0), d.length() / d.size(0));
    }

    private static INDArray centred(INDArray x) {
        INDArray m = matrix(x).dup();
        return m.subiRowVector(m.mean(0));
    }

    private static double squaredFrobenius(INDArray m) {
        double n = m.norm2Number().doubleValue();
        return n * n;
    }
}
