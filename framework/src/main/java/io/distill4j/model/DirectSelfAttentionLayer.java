package io.distill4j.model;

import io.distill4j.loss.DoubleRows;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * DL4J's {@code SelfAttentionLayer} (multi-head scaled dot-product self-attention with projected input, Vaswani et al.,
 * <i>Attention Is All You Need</i>, 2017) computed in Java and OpenBLAS instead of SameDiff, for training graphs
 * ({@link TrainingLayers}). For input {@code x [n, d, t]} (NCW), per sample and head {@code h}:
 *
 * <pre>
 *   Q = Wq_h x,  K = Wk_h x,  V = Wv_h x                       (head_size x t each)
 *   P = softmax over keys of (K^T Q / sqrt(head_size))           (t x t, a column per query)
 *   A_h = V P;   y = Wo^T [A_1; ...; A_heads]                   (d_out x t)
 * </pre>
 *
 * <p>DL4J runs this as libnd4j's {@code multi_head_dot_product_attention} operation, whose backward operation
 * recomputes the forward pass, inside SameDiff, whose backward pass runs the forward graph once more: 18 ms forward and
 * 67 ms backward for 256 windows of 16 bars, 32 channels and 4 heads on these machines, against PyTorch's whole
 * training step in a fraction of that (README, "Sixth sitting"). Here the three projections are one OpenBLAS product
 * over all samples and bars, the attention itself Java loops over the minibatch's samples (one head and query step at
 * a time, so that every inner loop is long, contiguous and free of reductions), and the backward pass reuses the
 * forward pass's projections and attention weights.
 *
 * <p>The arithmetic order differs from libnd4j's (a product's terms are added in another order, the softmax is taken
 * in float with its maximum subtracted), so values agree with DL4J's to float rounding, not bit for bit
 * ({@code DirectSelfAttentionLayerTest}: outputs within 1e-5 and gradients within 2e-5 relative of DL4J's, and a
 * finite-difference check). The gradients keep DL4J M2.1's factor: its SameDiff layers return twice the true
 * gradient, for their parameters and their input (README, "Model types"), and this layer returns what DL4J's
 * returns, so that replacing it changes no training beyond rounding. DL4J's SameDiff layers apply no dropout, and
 * neither does this one. Masks, doubles, another backend and unprojected attention take DL4J's path.
 */
final class DirectSelfAttentionLayer extends DirectSameDiffLayer {
    private static final long serialVersionUID = 1L;
    private static final List<String> PROJECTIONS = List.of("Wq", "Wk", "Wv");

    private final int heads;
    private final int headSize;
    private final int nIn;
    private final int nOut;

    private transient int n;
    private transient int steps;
    /** The input as rows of bars, {@code [t * n, d]} row-major, row {@code s * n + b} (a step's samples together). */
    private transient INDArray rows;
    /** The three projection matrices stacked, {@code [3 * heads * head_size, d]} row-major. */
    private transient INDArray projections;
    /** Q, K and V, {@code [3 * heads * head_size, t * n]}: channel {@code j}, step {@code s}, sample {@code b}. */
    private transient INDArray projected;
    /** The attention result in the same layout, {@code [heads * head_size, t * n]}. */
    private transient INDArray attended;
    /** The output (backward: its gradient) as {@code [d_out, t * n]}. */
    private transient INDArray outputColumns;
    /** The memory under the four matrices above, kept across minibatch sizes. */
    private final transient GrowingFloats rowsMemory = new GrowingFloats();
    private final transient GrowingFloats projectedMemory = new GrowingFloats();
    private final transient GrowingFloats attendedMemory = new GrowingFloats();
    private final transient GrowingFloats outputColumnsMemory = new GrowingFloats();
    private transient INDArray outputWeights;
    /** Backward: the output weights' and the three projections' gradients before DL4J's factor. */
    private transient INDArray outputWeightGradient;
    private transient INDArray projectionGradient;
    /**
     * Q, K and V on the heap, one array per channel {@code j} (of the three stacked) and step {@code s}, at
     * {@code j * t + s}, holding that channel's value for every sample. Every inner loop of the attention then runs
     * over the samples with all its arrays indexed alike, which Java 17's C2 vectorises; it does not vectorise a loop
     * that reads one array at several offsets (README, "Seventh sitting").
     */
    private transient float[][] qkv = new float[0][];
    private transient float[] stackedWeights = new float[0];
    /** Attention weights, one array per head, query and key at {@code (h * t + query) * t + key}. */
    private transient float[][] weights = new float[0][];
    /** The attention result (backward: its gradient), laid out as {@link #qkv}'s first third. */
    private transient float[][] attention = new float[0][];
    private transient float[][] qkvGradient = new float[0][];
    /** Per query: a value per key and sample ({@code [t][n]}), and per sample a maximum and a sum. */
    private transient float[][] perKey = new float[0][];
    private transient float[] perSample = new float[0];
    private transient float[] otherPerSample = new float[0];

    DirectSelfAttentionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        SelfAttentionLayer c = (SelfAttentionLayer) conf.getLayer();
        heads = c.getNHeads();
        headSize = (int) c.getHeadSize();
        nIn = (int) c.getNIn();
        nOut = (int) c.getNOut();
    }

    /**
     * Whether the direct attention, position-encoding and per-bar layers are used: on ND4J's CPU backend, unless
     * switched off by {@code -Ddistill4j.attention.dl4j=true} (DL4J's layers then train, for measurements or to
     * reproduce results of DL4J's arithmetic exactly).
     */
    static final boolean ON = DirectGemm.ENABLED && !Boolean.getBoolean("distill4j.attention.dl4j");

    /** Whether this layer computes {@code conf}'s layer: a projected {@code SelfAttentionLayer} on the CPU backend. */
    static boolean computes(NeuralNetConfiguration conf) {
        return ON && conf.getLayer() instanceof SelfAttentionLayer a && a.isProjectInput()
                && a.getNIn() > 1 && a.getNOut() > 1 && (long) a.getNHeads() * a.getHeadSize() > 1;
    }

    @Override
    boolean applies() {
        return maskArray == null && input.rank() == 3 && input.dataType() == DataType.FLOAT && input.size(1) == nIn
                && input.size(0) * input.size(2) > 1 && input.size(0) * input.size(2) <= Integer.MAX_VALUE / 4 / nIn;
    }

    @Override
    INDArray forward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        shape((int) input.size(0), (int) input.size(2));
        int width = heads * headSize;
        rows.reshape(steps, n, nIn).assign(input.permute(2, 0, 1));
        for (int p = 0; p < 3; p++) {
            DoubleRows.floats(paramTable.get(PROJECTIONS.get(p))).get(stackedWeights, p * width * nIn, width * nIn);
        }
        DoubleRows.floats(projections).put(stackedWeights, 0, 3 * width * nIn);
        outputWeights.assign(paramTable.get("Wo"));
        multiply(projections, false, rows, true, projected);
        HeapRows.read(DoubleRows.floats(projected), qkv, 0, 3 * width * steps, n);
        float scale = (float) (1 / Math.sqrt(headSize));
        for (int h = 0; h < heads; h++) {
            for (int query = 0; query < steps; query++) {
                attendForward(h, query, scale);
            }
        }
        HeapRows.write(attention, 0, width * steps, n, DoubleRows.floats(attended));
        multiply(outputWeights, true, attended, false, outputColumns);
        INDArray output = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
                new long[] {n, nOut, steps}, 'c');
        output.assign(outputColumns.reshape(nOut, steps, n).permute(2, 0, 1));
        return output;
    }

    /** The row of channel {@code j} (of Q, K, V stacked) at step {@code s}. */
    private int at(int j, int s) {
        return j * steps + s;
    }

    /** Head {@code h}, one query step for every sample: its attention weights and its result. */
    private void attendForward(int h, int query, float scale) {
        int width = heads * headSize;
        float[] max = perSample;
        float[] sum = otherPerSample;
        int row = (h * steps + query) * steps;
        for (int key = 0; key < steps; key++) {
            float[] w = weights[row + key];
            java.util.Arrays.fill(w, 0, n, 0f);
            for (int i = 0; i < headSize; i++) {
                float[] q = qkv[at(h * headSize + i, query)];
                float[] k = qkv[at(width + h * headSize + i, key)];
                for (int b = 0; b < n; b++) {
                    w[b] += q[b] * k[b];
                }
            }
        }
        java.util.Arrays.fill(max, 0, n, Float.NEGATIVE_INFINITY);
        for (int key = 0; key < steps; key++) {
            float[] w = weights[row + key];
            for (int b = 0; b < n; b++) {
                float score = w[b] * scale;
                w[b] = score;
                max[b] = Math.max(max[b], score);
            }
        }
        java.util.Arrays.fill(sum, 0, n, 0f);
        for (int key = 0; key < steps; key++) {
            float[] w = weights[row + key];
            for (int b = 0; b < n; b++) {
                float e = (float) Math.exp(w[b] - max[b]);
                w[b] = e;
                sum[b] += e;
            }
        }
        for (int key = 0; key < steps; key++) {
            float[] w = weights[row + key];
            for (int b = 0; b < n; b++) {
                w[b] /= sum[b];
            }
        }
        for (int i = 0; i < headSize; i++) {
            float[] out = attention[at(h * headSize + i, query)];
            java.util.Arrays.fill(out, 0, n, 0f);
            for (int key = 0; key < steps; key++) {
                float[] w = weights[row + key];
                float[] v = qkv[at(2 * width + h * headSize + i, key)];
                for (int b = 0; b < n; b++) {
                    out[b] += w[b] * v[b];
                }
            }
        }
    }

    @Override
    Pair<Gradient, INDArray> backward(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        int width = heads * headSize;
        // dY as [d_out, t * n], then dWo = A dY^T and dA = Wo dY
        outputColumns.reshape(nOut, steps, n).assign(epsilon.permute(1, 2, 0));
        multiply(attended, false, outputColumns, true, outputWeightGradient);
        multiply(outputWeights, false, outputColumns, false, attended);
        HeapRows.read(DoubleRows.floats(attended), attention, 0, width * steps, n);
        float scale = (float) (1 / Math.sqrt(headSize));
        for (int r = 0; r < 3 * width * steps; r++) {
            java.util.Arrays.fill(qkvGradient[r], 0, n, 0f);
        }
        for (int h = 0; h < heads; h++) {
            for (int query = 0; query < steps; query++) {
                attendBackward(h, query, scale);
            }
        }
        // dW = dQKV X and dX = dQKV^T W, dQKV in the forward pass's projection array
        HeapRows.write(qkvGradient, 0, 3 * width * steps, n, DoubleRows.floats(projected));
        multiply(projected, false, rows, false, projectionGradient);
        multiply(projected, true, projections, false, rows);
        Gradient gradient = new DefaultGradient();
        for (int p = 0; p < 3; p++) {
            INDArray view = gradTable.get(PROJECTIONS.get(p));
            view.assign(projectionGradient.get(NDArrayIndex.interval((long) p * width, (long) (p + 1) * width),
                    NDArrayIndex.all()).reshape(view.shape()).muli(SAMEDIFF_GRADIENT_FACTOR));
            gradient.gradientForVariable().put(PROJECTIONS.get(p), view);
        }
        INDArray wo = gradTable.get("Wo");
        wo.assign(outputWeightGradient.muli(SAMEDIFF_GRADIENT_FACTOR));
        gradient.gradientForVariable().put("Wo", wo);
        INDArray epsilonOut = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT,
                new long[] {n, nIn, steps}, 'c');
        epsilonOut.assign(rows.reshape(steps, n, nIn).permute(1, 2, 0)).muli(SAMEDIFF_GRADIENT_FACTOR);
        return new Pair<>(gradient, epsilonOut);
    }

    /**
     * Head {@code h}, one query step for every sample: dQ, dK, dV into {@link #qkvGradient} from dA in
     * {@link #attention}.
     */
    private void attendBackward(int h, int query, float scale) {
        int width = heads * headSize;
        float[] weighted = perSample;
        int row = (h * steps + query) * steps;
        // dP[key] = dA_query . V_key; dV_key += P[key] dA_query
        for (int key = 0; key < steps; key++) {
            java.util.Arrays.fill(perKey[key], 0, n, 0f);
        }
        for (int i = 0; i < headSize; i++) {
            float[] da = attention[at(h * headSize + i, query)];
            for (int key = 0; key < steps; key++) {
                float[] w = weights[row + key];
                float[] v = qkv[at(2 * width + h * headSize + i, key)];
                float[] dv = qkvGradient[at(2 * width + h * headSize + i, key)];
                float[] dp = perKey[key];
                for (int b = 0; b < n; b++) {
                    dp[b] += da[b] * v[b];
                    dv[b] += w[b] * da[b];
                }
            }
        }
        // dS[key] = P[key] (dP[key] - sum over keys of P dP), scaled
        java.util.Arrays.fill(weighted, 0, n, 0f);
        for (int key = 0; key < steps; key++) {
            float[] w = weights[row + key];
            float[] dp = perKey[key];
            for (int b = 0; b < n; b++) {
                weighted[b] += w[b] * dp[b];
            }
        }
        for (int key = 0; key < steps; key++) {
            float[] w = weights[row + key];
            float[] dp = perKey[key];
            for (int b = 0; b < n; b++) {
                dp[b] = w[b] * (dp[b] - weighted[b]) * scale;
            }
        }
        // dQ_query += dS[key] K_key, dK_key += dS[key] Q_query
        for (int i = 0; i < headSize; i++) {
            float[] q = qkv[at(h * headSize + i, query)];
            float[] dq = qkvGradient[at(h * headSize + i, query)];
            for (int key = 0; key < steps; key++) {
                float[] k = qkv[at(width + h * headSize + i, key)];
                float[] dk = qkvGradient[at(width + h * headSize + i, key)];
                float[] dp = perKey[key];
                for (int b = 0; b < n; b++) {
                    dq[b] += dp[b] * k[b];
                    dk[b] += dp[b] * q[b];
                }
            }
        }
    }

    private static void multiply(INDArray a, boolean transposeA, INDArray b, boolean transposeB, INDArray c) {
        if (!DirectGemm.multiply(a, transposeA, b, transposeB, c)) {
            throw new IllegalStateException("direct product not applicable: " + a.shapeInfoToString() + " x "
                    + b.shapeInfoToString());
        }
    }

    /** Sizes the working arrays for {@code n} windows of {@code steps} bars (kept while the shape stays). */
    private void shape(int n, int steps) {
        int width = heads * headSize;
        if (rows == null) {
            projections = Nd4j.createUninitializedDetached(DataType.FLOAT, 3L * width, nIn);
            outputWeights = Nd4j.createUninitializedDetached(DataType.FLOAT, width, nOut);
            outputWeightGradient = Nd4j.createUninitializedDetached(DataType.FLOAT, width, nOut);
            projectionGradient = Nd4j.createUninitializedDetached(DataType.FLOAT, 3L * width, nIn);
            stackedWeights = new float[3 * width * nIn];
        }
        if (rows == null || n != this.n || steps != this.steps) {
            this.n = n;
            this.steps = steps;
            int bars = n * steps;
            rows = rowsMemory.matrix(bars, nIn);
            projected = projectedMemory.matrix(3L * width, bars);
            attended = attendedMemory.matrix(width, bars);
            outputColumns = outputColumnsMemory.matrix(nOut, bars);
            qkv = HeapRows.atLeast(qkv, 3 * width * steps, n);
            qkvGradient = HeapRows.atLeast(qkvGradient, 3 * width * steps, n);
            attention = HeapRows.atLeast(attention, width * steps, n);
            weights = HeapRows.atLeast(weights, heads * steps * steps, n);
            perKey = HeapRows.atLeast(perKey, steps, n);
            if (perSample.length < n) {
                perSample = new float[n];
                otherPerSample = new float[n];
            }
        }
    }
}
