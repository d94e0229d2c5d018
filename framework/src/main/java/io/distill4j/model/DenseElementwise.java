package io.distill4j.model;

import io.distill4j.loss.DoubleRows;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The element-wise steps of a dense layer done in one pass of Java over the arrays' own memory (CPU backend, 32-bit
 * floats, arrays without gaps): the bias addition with the ReLU of the forward pass, the ReLU's gradient and the
 * bias gradient of the backward pass, inverted dropout and its gradient, and the fused students' block-diagonal
 * mask. Each ND4J operation costs about 35 µs on these machines whatever its size (its op context, shape buffers and
 * bookkeeping), against 4 µs for this pass over a student's 256 x 16 activation (README, "Third sitting"). ReLU and
 * its gradient go without a branch, on the values' bit patterns: a branch on data about half negative is mispredicted
 * about half the time, which made the earlier Java loops and ND4J's own operations several times slower on real
 * activations ("Fourth sitting").
 *
 * <p>The values are ND4J's bit for bit: {@code z + b} is the same float addition, ReLU is ND4J's {@code z < 0 ? 0 : z}
 * (which keeps {@code -0.0} and NaN), its gradient from the activation is ND4J's {@code a > 0 ? epsilon : 0}, the
 * column sums add the rows in order as ND4J's sum along rows does, the masks are the same float multiplications, and
 * dropout draws what ND4J's random operation draws. Each method returns false, having written nothing, where it does
 * not apply.
 */
public final class DenseElementwise {
    private static final boolean ON = DirectGemm.ENABLED && !Boolean.getBoolean("distill4j.elementwise.nd4j");
    /**
     * The most elements the mask pass takes on: above it ND4J's vectorised operation wins back its fixed cost (README,
     * "Third sitting"). The bias-and-ReLU pass and ReLU's gradient have no limit: without a branch
     * they beat ND4J's operations at every size ("Fourth sitting").
     */
    static final long MOST_ELEMENTS = 1 << 15;
    /**
     * The most elements the column sums take on. They read the array's memory directly (no heap copy) and beat ND4J's
     * strided sum along rows at every size measured on these 2 cores (45 against 110 µs on 256 x 256, 0.6 against
     * 7.4 ms on 1024 x 1024; README, "Seventh sitting"); above this, ND4J spreads the columns over every core it is
     * given, which could win on a machine with more cores.
     */
    static final long MOST_COLUMN_SUMS = 1 << 20;
    /**
     * The most elements the dropout pass takes on: above it ND4J's random operation, which uses every core ND4J is
     * given, could win on a machine with more cores (on these 2 cores the pass won at every size measured: 3.6 against
     * 6.5 ms on 1024 x 1024, 17 against 22 ms on 4096 x 1024).
     */
    static final long MOST_DROPOUT = 1 << 20;

    private DenseElementwise() {
    }

    /**
     * {@code z += b} on every row (when {@code bias} is not null), then {@code z = relu(z)} when {@code relu}, at any
     * size, without a branch: the addition over a heap copy of {@code z}, then ReLU on the sums' bit patterns, where
     * {@code z < 0} (a negative value that is neither {@code -0.0} nor NaN) is
     * {@code bits(-min) <= bits <= bits(-inf)} as signed integers, those elements becoming {@code +0.0} as in ND4J.
     * On 256 x 80 (five fused students' first layer) this takes 21 µs against 79 µs for ND4J's two operations and
     * 119 µs for a branching loop, whose branch is mispredicted on data about half negative; on 256 x 256, 66 µs
     * against ND4J's 143 µs (README, "Fourth sitting").
     * The two loops go through the array's memory between them (floats out, bits back in) because one loop that
     * reinterprets each sum in place ({@code Float.floatToRawIntBits}) is not vectorised: 92 against 82 µs on
     * 256 x 256, 32 against 24 µs on 256 x 80.
     */
    static boolean addBiasThenRelu(INDArray z, INDArray bias, boolean relu) {
        if (!ON || !denseRows(z) || bias != null && !denseVector(bias, z.columns())) {
            return false;
        }
        int rows = (int) z.rows();
        int columns = (int) z.columns();
        int n = rows * columns;
        if (bias != null) {
            float[] b = new float[columns];
            DoubleRows.floats(bias).get(b);
            float[] values = Scratch.mine(n).floats;
            var memory = DoubleRows.floats(z);
            memory.get(values, 0, n);
            for (int r = 0, at = 0; r < rows; r++) {
                for (int c = 0; c < columns; c++, at++) {
                    values[at] += b[c];
                }
            }
            memory.put(values, 0, n);
        }
        if (relu) {
            int[] v = Scratch.mine(n).ints;
            var memory = bits(z);
            memory.get(v, 0, n);
            for (int i = 0; i < n; i++) {
                int t = v[i] - (Integer.MIN_VALUE + 1); // in [0, 0x7F7FFFFF] exactly for -min .. -inf
                int negative = ~(t >> 31) & ((t - 0x7F800000) >> 31);
                v[i] &= ~negative;
            }
            memory.put(v, 0, n);
        }
        return true;
    }

    /**
     * {@code out = activation > 0 ? epsilon : 0}, element by element: ReLU's gradient taken from its output, at any
     * size. It runs on the values' bit patterns without a branch, which HotSpot vectorises: {@code a > 0} for a float
     * is {@code 0 < bits(a) <= bits(+inf)} as signed integers (this excludes {@code -0.0}, every negative value and
     * every NaN), and the result is {@code bits(epsilon)} masked by it, so a dropped element is {@code +0.0} as in
     * ND4J. On a 256 x 256 activation this takes 33 µs against 262 µs for ND4J's {@code relu_bp} (whose per-element
     * branch on data about half zeros is mispredicted) and 259 µs for a branching Java loop (README, "Fourth
     * sitting").
     */
    static boolean reluGradient(INDArray activation, INDArray epsilon, INDArray out) {
        if (!ON || !denseRows(activation) || !denseRows(epsilon) || !denseRows(out)
                || !java.util.Arrays.equals(activation.shape(), epsilon.shape())
                || !java.util.Arrays.equals(activation.shape(), out.shape())) {
            return false;
        }
        int n = (int) activation.length();
        Scratch scratch = Scratch.mine(n);
        int[] a = scratch.ints;
        int[] e = scratch.moreInts;
        bits(activation).get(a, 0, n);
        bits(epsilon).get(e, 0, n);
        for (int i = 0; i < n; i++) {
            int b = a[i];
            // all ones when 0 < b (b > 0 and b != 0) and b <= 0x7F800000 (+inf), else zero
            int positive = ~(b >> 31) & (-b >> 31) & ((b - 0x7F800001) >> 31);
            e[i] &= positive;
        }
        bits(out).put(e, 0, n);
        return true;
    }

    /**
     * DL4J's inverted dropout with a fixed retain probability {@code p} ({@code Dropout}'s forward pass) in one pass:
     * {@code mask[i] = u_i >= p ? 0 : 1/p} and {@code out[i] = in[i] * mask[i]}, where {@code u_i} is the uniform float
     * ND4J's {@code DropOutInverted} draws for element {@code i} from the calling thread's generator, which is then
     * moved on as that operation moves it ({@link NativeRandomState}). DL4J's three operations (a mask of ones, the
     * random operation, the product) become two vectorised loops without a branch, the mask's
     * ({@link NativeRandomState#keptBits}) and the product's. On 256 x 256 it takes about 60 µs against 356 µs for
     * DL4J's operations (README, "Fifth sitting" and "Seventh sitting"). The mask, the output and the generator's state
     * are DL4J's bit for bit ({@code DenseElementwiseTest}). {@code out} may be {@code in}.
     */
    static boolean invertedDropout(INDArray in, INDArray out, INDArray mask, double p) {
        if (!invertedDropoutApplies(in, p) || !denseRows(out) || !denseRows(mask)
                || !java.util.Arrays.equals(in.shape(), out.shape())
                || !java.util.Arrays.equals(in.shape(), mask.shape())) {
            return false;
        }
        NativeRandomState state = NativeRandomState.of(org.nd4j.linalg.factory.Nd4j.getRandom());
        if (state == null) {
            return false;
        }
        int n = (int) in.length();
        float retain = (float) p; // the operation's parameter, in the array's type
        int scaleBits = Float.floatToRawIntBits(1.0f / retain);
        Scratch scratch = Scratch.mine(n);
        float[] values = scratch.floats;
        int[] kept = scratch.ints;
        NativeRandomState.keptBits(state.root(), state.node(), retain, scaleBits, kept, n);
        DoubleRows.floats(in).get(values, 0, n);
        for (int i = 0; i < n; i++) {
            values[i] *= Float.intBitsToFloat(kept[i]);
        }
        bits(mask).put(kept, 0, n);
        DoubleRows.floats(out).put(values, 0, n);
        state.advance(n);
        return true;
    }

    /**
     * Whether {@link #invertedDropout} applies to input {@code in} with retain probability {@code p}, given an output
     * and a mask laid out as {@code in}: a caller checks before it allocates them.
     */
    static boolean invertedDropoutApplies(INDArray in, double p) {
        float retain = (float) p;
        return ON && retain > 0 && retain <= 1 && in.length() <= MOST_DROPOUT && denseRows(in)
                && NativeRandomState.readable(org.nd4j.linalg.factory.Nd4j.getRandom());
    }

    /**
     * {@code epsilon *= mask}, element by element (dropout's backward pass, DL4J's {@code MulOp} bit for bit) on two
     * float matrices of one shape stored row after row.
     */
    static boolean multiplyByMask(INDArray epsilon, INDArray mask) {
        if (!ON || !denseRows(epsilon) || !denseRows(mask) || !java.util.Arrays.equals(epsilon.shape(), mask.shape())) {
            return false;
        }
        int n = (int) epsilon.length();
        Scratch scratch = Scratch.mine(n);
        float[] values = scratch.floats;
        int[] m = scratch.ints;
        DoubleRows.floats(epsilon).get(values, 0, n);
        bits(mask).get(m, 0, n);
        for (int i = 0; i < n; i++) {
            values[i] *= Float.intBitsToFloat(m[i]);
        }
        DoubleRows.floats(epsilon).put(values, 0, n);
        return true;
    }

    /** A thread's heap copies of activations, grown to the largest seen (a teacher's: 256 KB each). */
    private static final class Scratch {
        private static final ThreadLocal<Scratch> PER_THREAD = ThreadLocal.withInitial(Scratch::new);
        private int[] ints = new int[0];
        private int[] moreInts = new int[0];
        private float[] floats = new float[0];

        /** This thread's arrays, each of at least {@code n} elements. */
        static Scratch mine(int n) {
            Scratch s = PER_THREAD.get();
            if (s.ints.length < n) {
                s.ints = new int[n];
                s.moreInts = new int[n];
                s.floats = new float[n];
            }
            return s;
        }
    }

    /** A float array's memory read as the bit patterns of its elements. */
    private static org.bytedeco.javacpp.IntPointer bits(INDArray x) {
        return new org.bytedeco.javacpp.IntPointer(DoubleRows.floats(x));
    }

    /**
     * {@code sums[c] = x[0][c] + x[1][c] + ...}, rows in order, in float: ND4J's {@code x.sum(sums, 0)} (a dense
     * layer's bias gradient) bit for bit.
     */
    static boolean columnSums(INDArray x, INDArray sums) {
        if (!ON || x.length() > MOST_COLUMN_SUMS || !denseRows(x) || !denseVector(sums, x.columns())) {
            return false;
        }
        int rows = (int) x.rows();
        int columns = (int) x.columns();
        float[] total = new float[columns];
        FloatBuffer in = buffer(x);
        for (int r = 0, at = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++, at++) {
                total[c] += in.get(at);
            }
        }
        DoubleRows.floats(sums).put(total);
        return true;
    }

    /**
     * {@code x[i] *= factors[i]} over {@code x}'s elements in storage order (a contiguous float array of either
     * layout, {@code factors} of its length): ND4J's {@code x.muli(y)} for a {@code y} of the same layout holding
     * {@code factors}, bit for bit (a fused student's block-diagonal mask, {@code BlockDiagonalConstraint}).
     */
    public static boolean multiplyInStorageOrder(INDArray x, float[] factors) {
        if (!ON || x.length() >= MOST_ELEMENTS || x.dataType() != DataType.FLOAT || factors.length != x.length()
                || x.elementWiseStride() != 1 || x.isEmpty()) {
            return false;
        }
        FloatBuffer values = buffer(x);
        for (int i = 0; i < factors.length; i++) {
            values.put(i, values.get(i) * factors[i]);
        }
        return true;
    }

    /** A float matrix stored row after row with no gaps. */
    private static boolean denseRows(INDArray x) {
        return x.dataType() == DataType.FLOAT && x.rank() == 2 && DoubleRows.isRowMajorContiguous(x);
    }

    /** A float vector of {@code length} contiguous elements (of either order: a bias is a column-major row). */
    private static boolean denseVector(INDArray x, long length) {
        return x.dataType() == DataType.FLOAT && x.length() == length && x.isVectorOrScalar()
                && (length == 1 || x.elementWiseStride() == 1);
    }

    private static FloatBuffer buffer(INDArray x) {
        return DoubleRows.floats(x).asBuffer();
    }
}
