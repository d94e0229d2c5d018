package io.distill4j.model;

import io.distill4j.loss.DoubleRows;
import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The recurrence of DL4J's {@code LSTM} layer (sigmoid gates, tanh activation, no peepholes, no mask, the NCW
 * format, no state carried in) with its element-wise steps in Java, its matrix products straight to OpenBLAS
 * ({@link DirectGemm#columnMajor}) and only its transcendental functions left to ND4J. DL4J's {@code LSTMHelpers}
 * spends about 20 ND4J operations per time step forward and 30 backward, each costing 10-40 µs whatever its size; here
 * a step costs two products, three ND4J operations (tanh of the block input, sigmoid of the three gates, tanh of the
 * cell) and Java loops forward, and four products and Java loops backward.
 *
 * <p>With {@code z = x_t W + h_{t-1} R + b} split into the block input {@code i = tanh(z_i)} and the gates
 * {@code f, o, g = sigmoid(z_f, z_o, z_g)}, DL4J's LSTM computes {@code c_t = c_{t-1} f + g i} and
 * {@code h_t = tanh(c_t) o}. This class does DL4J's arithmetic in DL4J's order and precision, so every value is DL4J's
 * bit for bit: the same OpenBLAS products on the same operands (including DL4J's product with the zero state at the
 * first step, and its split products at the first step of the backward pass), the same float multiplications and
 * additions, tanh's derivative {@code 1 - t*t} from the forward pass's {@code t} (ND4J's {@code tanh_bp} computes the
 * same {@code t} again), the bias gradient's column sums row by row as ND4J's sum along rows adds them
 * ({@code TrainingLayersTest}).
 *
 * <p>A training forward pass keeps the gates, the cells and their tanh on the heap for the backward pass (one
 * instance per layer, its arrays reused while the shapes stay the same); at most {@link #MOST_KEPT} floats, above
 * which the layer takes DL4J's path.
 */
final class LstmRecurrence {
    /**
     * Whether the recurrence is used: on ND4J's CPU backend, unless switched off for a measurement by
     * {@code -Ddistill4j.lstm.dl4j=true} (the layers then take DL4J's recurrence, keeping its forward pass).
     */
    static final boolean ON = DirectGemm.ENABLED && !Boolean.getBoolean("distill4j.lstm.dl4j");
    /** The most floats kept per pass (gates: minibatch x 4 x units x steps); 64 MB of heap. */
    static final long MOST_KEPT = 1L << 24;
    private static final int TILE = 16;

    private int n;
    private int nIn;
    private int units;
    private int steps;
    /**
     * Step t's gates after their activations, column-major [n, 4 * units] at t * 4 * units * n: i, f, o, g (an
     * inference pass holds only the current step's, at 0).
     */
    private float[] gates = new float[0];
    /** Step t's cell state, column-major [n, units] at t * units * n (inference: steps alternate between two). */
    private float[] cells = new float[0];
    /** tanh of step t's cell state, laid out as {@link #gates} are (inference: the current step's). */
    private float[] cellTanh = new float[0];
    private float[] hidden = new float[0];
    /** One step's gate pre-activations as DL4J's row-major product leaves them. */
    private float[] rowMajorGates = new float[0];
    private float[] bias = new float[0];
    /** Backward pass: the gates' gradients of one step, the cell state's gradient now and one step later. */
    private float[] gateGradients = new float[0];
    private float[] cellGradient = new float[0];
    private float[] laterCellGradient = new float[0];
    private float[] outputGradient = new float[0];
    private float[] biasGradient = new float[0];

    /**
     * The forward pass's input, as {@link #stepBlocks} laid its steps out, and its output, held for the backward pass.
     */
    private INDArray keptInput;
    /** Whether the kept input's steps are row-major blocks (else column-major), see {@link #stepBlocks}. */
    private boolean rowMajorSteps;
    private INDArray keptOutput;
    private long passes;

    /**
     * Whether this recurrence computes DL4J's LSTM forward for these arrays: the CPU backend, floats, an input
     * {@code [n, nIn, steps]} row-major or with column-major steps, weights held column-major without gaps (DL4J's
     * parameter views), at least 2 samples, inputs and units, and at most {@link #MOST_KEPT} kept floats.
     */
    static boolean applies(INDArray input, INDArray inputWeights, INDArray recurrentWeights, INDArray bias) {
        if (!ON || input.rank() != 3 || input.dataType() != DataType.FLOAT
                || input.ordering() != 'c' && !columnMajorSequence(input)
                || !columnMajor(inputWeights) || !columnMajor(recurrentWeights) || !columnMajor(bias)
                || recurrentWeights.columns() != 4 * recurrentWeights.rows()
                || bias.length() != recurrentWeights.columns()
                || inputWeights.rows() != input.size(1) || inputWeights.columns() != recurrentWeights.columns()) {
            return false;
        }
        // a dimension of 1 makes one of DL4J's products a matrix-vector product, which ND4J hands to another BLAS
        // routine that adds in another order
        return input.size(0) > 1 && input.size(1) > 1 && recurrentWeights.rows() > 1
                && input.size(0) * recurrentWeights.columns() * input.size(2) <= MOST_KEPT;
    }

    /** Whether {@link #backward} can write into these gradient views (column-major without gaps). */
    static boolean gradientsApply(INDArray... gradients) {
        for (INDArray g : gradients) {
            if (g == null || !columnMajor(g)) {
                return false;
            }
        }
        return true;
    }

    /** A float matrix (or vector) stored column after column without gaps. */
    private static boolean columnMajor(INDArray x) {
        if (x.dataType() != DataType.FLOAT || x.isEmpty() || x.length() > Integer.MAX_VALUE) {
            return false;
        }
        if (x.isVectorOrScalar()) {
            return x.length() == 1 || x.elementWiseStride() == 1;
        }
        return x.rank() == 2 && x.stride(0) == 1 && x.stride(1) == x.rows();
    }

    /** A 3-dimensional array column-major without gaps ({@code [n, features, steps]} with each step a block). */
    private static boolean columnMajorSequence(INDArray x) {
        return x.stride(0) == 1 && x.stride(1) == x.size(0) && x.stride(2) == x.size(0) * x.size(1);
    }

    /**
     * {@code input [n, nIn, steps]} with each step's {@code [n, nIn]} block laid out as DL4J multiplies it: as it is
     * when each step is a column-major block (an LSTM's output), else, for a row-major input, copied into row-major
     * blocks (DL4J copies a step that is not a plain matrix in its own order). The layout matters: OpenBLAS adds a
     * product's terms in another order for another layout of its operands or its result, so {@link #rowMajorSteps}
     * says which this is, and the forward pass then also forms the gate pre-activations row-major, as ND4J's
     * {@code mmul} does for a row-major operand.
     */
    private INDArray stepBlocks(INDArray input, LayerWorkspaceMgr workspace, boolean keep) {
        rowMajorSteps = !columnMajorSequence(input);
        if (!rowMajorSteps) {
            return input;
        }
        return workspace.dup(keep ? ArrayType.ACTIVATIONS : ArrayType.FF_WORKING_MEM, input.permute(2, 0, 1), 'c');
    }

    /**
     * The forward pass: {@code [n, units, steps]} hidden states (column-major, in the workspace's activation memory)
     * for {@code input [n, nIn, steps]}, as DL4J's LSTM computes them. With {@code keep} the gates, the cells and the
     * input are held for {@link #backward}.
     */
    INDArray forward(INDArray input, INDArray inputWeights, INDArray recurrentWeights, INDArray biasRow,
            LayerWorkspaceMgr workspace, boolean keep) {
        shape((int) input.size(0), (int) input.size(1), (int) recurrentWeights.rows(), (int) input.size(2), keep);
        int hn = units * n;
        int gn = 4 * hn;
        INDArray x = stepBlocks(input, workspace, keep);
        INDArray output = workspace.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
                new long[] {n, units, steps}, 'f');
        // DL4J's gate pre-activations are row-major where its step input is (ND4J's mmul keeps column-major only for
        // two column-major operands), and the layout of a product's result decides how OpenBLAS adds the recurrent
        // product to it; the activations then work on a column-major copy, whose gates are contiguous blocks
        INDArray z = workspace.createUninitialized(ArrayType.FF_WORKING_MEM, DataType.FLOAT, new long[] {n, 4L * units},
                'f');
        INDArray rowMajorZ = rowMajorSteps ? workspace.createUninitialized(ArrayType.FF_WORKING_MEM, DataType.FLOAT,
                new long[] {n, 4L * units}, 'c') : null;
        INDArray blockInput = z.get(NDArrayIndex.all(), NDArrayIndex.interval(0, units));
        INDArray sigmoidGates = z.get(NDArrayIndex.all(), NDArrayIndex.interval(units, 4 * units));
        INDArray cell = workspace.createUninitialized(ArrayType.FF_WORKING_MEM, DataType.FLOAT, new long[] {n, units},
                'f');
        INDArray cellActivation = workspace.createUninitialized(ArrayType.FF_WORKING_MEM, DataType.FLOAT,
                new long[] {n, units}, 'f');
        INDArray zeroState = workspace.create(ArrayType.FF_WORKING_MEM, DataType.FLOAT, new long[] {n, units}, 'f');
        DoubleRows.floats(biasRow).get(bias, 0, 4 * units);
        FloatPointer xp = DoubleRows.floats(x);
        FloatPointer wp = DoubleRows.floats(inputWeights);
        FloatPointer rp = DoubleRows.floats(recurrentWeights);
        FloatPointer zp = DoubleRows.floats(z);
        FloatPointer rowMajorZp = rowMajorSteps ? DoubleRows.floats(rowMajorZ) : null;
        FloatPointer hp = DoubleRows.floats(output);
        FloatPointer cp = DoubleRows.floats(cell);
        FloatPointer ap = DoubleRows.floats(cellActivation);
        FloatPointer zeros = DoubleRows.floats(zeroState);
        for (int t = 0; t < steps; t++) {
            // z = x_t W, then z += h_{t-1} R (DL4J multiplies the zero state too), then z += b
            FloatPointer xt = at(xp, (long) t * n * nIn);
            FloatPointer previousHidden = t == 0 ? zeros : at(hp, (long) (t - 1) * hn);
            // a kept pass holds every step for the backward pass; inference only this step's gates and the last two
            // cell states
            int g0 = keep ? t * gn : 0;
            int c0 = keep ? t * hn : (t & 1) * hn;
            int previousCell = keep ? c0 - hn : hn - c0;
            int a0 = keep ? t * hn : 0;
            if (rowMajorSteps) {
                // z^T = W^T x_t^T + R^T h_{t-1}^T, column-major [4 * units, n]
                DirectGemm.columnMajor(true, false, 4 * units, n, nIn, wp, nIn, xt, nIn, 0f, rowMajorZp, 4 * units);
                DirectGemm.columnMajor(true, true, 4 * units, n, units, rp, units, previousHidden, n, 1f, rowMajorZp,
                        4 * units);
                rowMajorZp.get(rowMajorGates, 0, gn);
                transposeAddingBias(g0);
            } else {
                DirectGemm.columnMajor(false, false, n, 4 * units, nIn, xt, n, wp, nIn, 0f, zp, n);
                DirectGemm.columnMajor(false, false, n, 4 * units, units, previousHidden, n, rp, units, 1f, zp, n);
                zp.get(gates, g0, gn);
                for (int j = 0, k = g0; j < 4 * units; j++) {
                    float b = bias[j];
                    for (int r = 0; r < n; r++, k++) {
                        gates[k] += b;
                    }
                }
            }
            zp.put(gates, g0, gn);
            Nd4j.getExecutioner().exec(new Tanh(blockInput));
            Nd4j.getExecutioner().exec(new Sigmoid(sigmoidGates));
            zp.get(gates, g0, gn);
            for (int k = 0; k < hn; k++) {
                float previous = t == 0 ? 0f : cells[previousCell + k];
                cells[c0 + k] = previous * gates[g0 + hn + k] + gates[g0 + 3 * hn + k] * gates[g0 + k];
            }
            cp.put(cells, c0, hn);
            Nd4j.getExecutioner().exec(new Tanh(cell, cellActivation));
            ap.get(cellTanh, a0, hn);
            for (int k = 0; k < hn; k++) {
                hidden[k] = cellTanh[a0 + k] * gates[g0 + 2 * hn + k];
            }
            at(hp, (long) t * hn).put(hidden, 0, hn);
        }
        keptInput = keep ? x : null;
        keptOutput = keep ? output : null;
        passes++;
        return output;
    }

    /**
     * {@code gates[g0 + j * n + r] = rowMajorGates[r * 4 * units + j] + bias[j]}: the row-major pre-activations into
     * the column-major gates with the bias added, in tiles of 16 x 16, so that both sides are read and written a cache
     * line at a time (element by element, the column-major side is written with a stride of a whole column: about a
     * third of the forward pass by the profile).
     */
    private void transposeAddingBias(int g0) {
        int width = 4 * units;
        for (int r0 = 0; r0 < n; r0 += TILE) {
            int r1 = Math.min(n, r0 + TILE);
            for (int j0 = 0; j0 < width; j0 += TILE) {
                int j1 = Math.min(width, j0 + TILE);
                for (int j = j0; j < j1; j++) {
                    float b = bias[j];
                    int to = g0 + j * n;
                    for (int r = r0; r < r1; r++) {
                        gates[to + r] = rowMajorGates[r * width + j] + b;
                    }
                }
            }
        }
    }

    /** Whether {@link #forward} kept a pass for {@link #backward}. */
    boolean kept() {
        return keptInput != null;
    }

    /**
     * The backward pass of the kept forward pass for {@code epsilon [n, units, steps]}: writes the parameter gradients
     * into the three gradient views and returns the gradient with respect to the input, {@code [n, nIn, steps]} in
     * the workspace's activation-gradient memory, as DL4J's LSTM computes them.
     */
    INDArray backward(INDArray epsilon, INDArray inputWeights, INDArray recurrentWeights, INDArray inputWeightGradient,
            INDArray recurrentWeightGradient, INDArray biasGradientView, LayerWorkspaceMgr workspace) {
        INDArray x = keptInput;
        INDArray output = keptOutput;
        keptInput = null;
        keptOutput = null;
        int hn = units * n;
        int gn = 4 * hn;
        INDArray eps = columnMajorSequence(epsilon) ? epsilon : workspace.dup(ArrayType.BP_WORKING_MEM, epsilon, 'f');
        INDArray dz = workspace.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT,
                new long[] {n, 4L * units}, 'f');
        INDArray dh = workspace.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT, new long[] {n, units},
                'f');
        INDArray epsilonNext = workspace.create(ArrayType.ACTIVATION_GRAD, DataType.FLOAT,
                new long[] {n, nIn, steps}, 'f');
        inputWeightGradient.assign(0);
        recurrentWeightGradient.assign(0);
        java.util.Arrays.fill(biasGradient, 0f);
        FloatPointer xp = DoubleRows.floats(x);
        boolean transposeX = !rowMajorSteps;
        int ldx = rowMajorSteps ? nIn : n;
        FloatPointer hp = DoubleRows.floats(output);
        FloatPointer ep = DoubleRows.floats(eps);
        FloatPointer wp = DoubleRows.floats(inputWeights);
        FloatPointer rp = DoubleRows.floats(recurrentWeights);
        FloatPointer dzp = DoubleRows.floats(dz);
        FloatPointer dhp = DoubleRows.floats(dh);
        FloatPointer iwg = DoubleRows.floats(inputWeightGradient);
        FloatPointer rwg = DoubleRows.floats(recurrentWeightGradient);
        FloatPointer enp = DoubleRows.floats(epsilonNext);
        for (int t = steps - 1; t >= 0; t--) {
            int g0 = t * gn;
            int c0 = t * hn;
            boolean last = t == steps - 1;
            // dh = epsilon_t, plus dz_{t+1} R^T below the last step
            at(ep, c0).get(outputGradient, 0, hn);
            if (!last) {
                dhp.put(outputGradient, 0, hn);
                DirectGemm.columnMajor(false, true, n, units, 4 * units, dzp, n, rp, units, 1f, dhp, n);
                dhp.get(outputGradient, 0, hn);
            }
            for (int k = 0; k < hn; k++) {
                float dOut = outputGradient[k];
                float a = cellTanh[c0 + k];
                float i = gates[g0 + k];
                float f = gates[g0 + hn + k];
                float o = gates[g0 + 2 * hn + k];
                float g = gates[g0 + 3 * hn + k];
                float dc = 0f + o * dOut * (1f - a * a);
                if (!last) {
                    dc = dc + gates[g0 + gn + hn + k] * laterCellGradient[k];
                }
                cellGradient[k] = dc;
                gateGradients[k] = g * dc * (1f - i * i);
                if (t > 0) {
                    gateGradients[hn + k] = f * (1f - f) * dc * cells[c0 - hn + k];
                }
                gateGradients[2 * hn + k] = dOut * a * (o * (1f - o));
                gateGradients[3 * hn + k] = g * (1f - g) * i * dc;
            }
            float[] swap = laterCellGradient;
            laterCellGradient = cellGradient;
            cellGradient = swap;
            dzp.put(gateGradients, 0, gn);
            FloatPointer xt = at(xp, (long) t * n * nIn);
            FloatPointer et = at(enp, (long) t * n * nIn);
            if (t > 0) {
                DirectGemm.columnMajor(transposeX, false, nIn, 4 * units, n, xt, ldx, dzp, n, 1f, iwg, nIn);
                DirectGemm.columnMajor(true, false, units, 4 * units, n, at(hp, c0 - hn), n, dzp, n, 1f, rwg, units);
                addColumnSums(0, 4 * units);
                DirectGemm.columnMajor(false, true, n, nIn, 4 * units, dzp, n, wp, nIn, 1f, et, n);
            } else {
                // no state came in: DL4J leaves out the forget gate (whose gradient would be 0) in three parts
                DirectGemm.columnMajor(transposeX, false, nIn, units, n, xt, ldx, dzp, n, 1f, iwg, nIn);
                DirectGemm.columnMajor(transposeX, false, nIn, 2 * units, n, xt, ldx, at(dzp, 2L * hn), n, 1f,
                        at(iwg, 2L * units * nIn), nIn);
                addColumnSums(0, units);
                addColumnSums(2 * units, 4 * units);
                DirectGemm.columnMajor(false, true, n, nIn, units, dzp, n, wp, nIn, 1f, et, n);
                DirectGemm.columnMajor(false, true, n, nIn, 2 * units, at(dzp, 2L * hn), n, at(wp, 2L * units * nIn),
                        nIn, 1f, et, n);
            }
        }
        DoubleRows.floats(biasGradientView).put(biasGradient, 0, 4 * units);
        return epsilonNext;
    }

    /** {@code biasGradient[j] += dz[0][j] + dz[1][j] + ...} for columns {@code from <= j < to}, rows in order. */
    private void addColumnSums(int from, int to) {
        for (int j = from; j < to; j++) {
            float sum = 0f;
            for (int r = 0, k = j * n; r < n; r++, k++) {
                sum += gateGradients[k];
            }
            biasGradient[j] += sum;
        }
    }

    /** How many forward passes this recurrence computed (for tests: the layer really takes this path). */
    long passes() {
        return passes;
    }

    private void shape(int n, int nIn, int units, int steps, boolean keep) {
        this.n = n;
        this.nIn = nIn;
        this.units = units;
        this.steps = steps;
        int hn = units * n;
        int held = keep ? steps : 1;
        if (gates.length < 4 * hn * held) {
            gates = new float[4 * hn * held];
            cellTanh = new float[hn * held];
        }
        if (cells.length < hn * Math.max(2, held)) {
            cells = new float[hn * Math.max(2, held)];
        }
        if (hidden.length < hn) {
            gateGradients = new float[4 * hn];
            rowMajorGates = new float[4 * hn];
            hidden = new float[hn];
            cellGradient = new float[hn];
            laterCellGradient = new float[hn];
            outputGradient = new float[hn];
        }
        if (bias.length != 4 * units) {
            bias = new float[4 * units];
            biasGradient = new float[4 * units];
        }
    }

    /** {@code base} moved on by {@code offset} elements. */
    private static FloatPointer at(FloatPointer base, long offset) {
        return new FloatPointer(base).position(base.position() + offset);
    }
}
