package io.distill4j.model;

import io.distill4j.loss.DoubleRows;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
 * over all samples and bars, the attention itself one Java pass per sample and head, and the backward pass reuses the
 * forward pass's projections and attention weights.
 *
 * <p>The arithmetic order differs from libnd4j's (a product's terms are added in another order, the softmax is taken
 * in float with its maximum subtracted), so values agree with DL4J's to float rounding, not bit for bit
 * ({@code DirectSelfAttentionLayerTest}: outputs and gradients within 1e-5 relative of DL4J's, and a finite-difference
 * check). The gradients keep DL4J M2.1's factor: its SameDiff layers return twice the true gradient, for their
 * parameters and their input (README, "Model types"), and this layer returns what DL4J's returns, so that replacing
 * it changes no training beyond rounding. DL4J's SameDiff layers apply no dropout, and neither does this one. Masks,
 * doubles, another backend and unprojected attention take DL4J's path.
 */
final class DirectSelfAttentionLayer extends SameDiffLayer {
    private static final long serialVersionUID = 1L;
    /** The factor DL4J M2.1's SameDiff layers put on their gradients (see the class comment). */
    static final float SAMEDIFF_GRADIENT_FACTOR = 2f;
    private static final List<String> PROJECTIONS = List.of("Wq", "Wk", "Wv");

    private final int heads;
    private final int headSize;
    private final int nIn;
    private final int nOut;

    private transient int n;
    private transient int steps;
    /** The input as rows of bars, {@code [n * t, d]} row-major (row {@code b * t + s}). */
    private transient INDArray rows;
    /** The three projection matrices stacked, {@code [3 * heads * head_size, d]} row-major. */
    private transient INDArray projections;
    private transient INDArray projected;
    private transient INDArray attended;
    private transient INDArray outputRows;
    private transient INDArray outputWeights;
    /** Q, K and V of every bar, {@code [n * t, 3 * heads * head_size]} row-major, on the heap. */
    private transient float[] qkv = new float[0];
    private transient float[] stackedWeights = new float[0];
    /** Attention weights, {@code [n, heads, query, key]}. */
    private transient float[] weights = new float[0];
    private transient float[] attention = new float[0];
    private transient float[] scratch = new float[0];
    /** One head of one sample: queries, keys, values and their gradients, {@code [t, head_size]}; one output row. */
    private transient float[] headQ = new float[0];
    private transient float[] headK = new float[0];
    private transient float[] headV = new float[0];
    private transient float[] headDq = new float[0];
    private transient float[] headDk = new float[0];
    private transient float[] headDv = new float[0];
    private transient float[] headOut = new float[0];
    private transient float[] qkvGradient = new float[0];
    private transient boolean kept;
    private transient INDArray keptInput;
    private transient long passes;

    DirectSelfAttentionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        SelfAttentionLayer c = (SelfAttentionLayer) conf.getLayer();
        heads = c.getNHeads();
        headSize = (int) c.getHeadSize();
        nIn = (int) c.getNIn();
        nOut = (int) c.getNOut();
    }

    /**
     * Whether the direct attention and position-encoding layers are used: on ND4J's CPU backend, unless switched off by
     * {@code -Ddistill4j.attention.dl4j=true} (DL4J's SameDiff layers then train, for measurements or to reproduce
     * results of DL4J's arithmetic exactly).
     */
    static final boolean ON = DirectGemm.ENABLED && !Boolean.getBoolean("distill4j.attention.dl4j");

    /** Whether this layer computes {@code conf}'s layer: a projected {@code SelfAttentionLayer} on the CPU backend. */
    static boolean computes(NeuralNetConfiguration conf) {
        return ON && conf.getLayer() instanceof SelfAttentionLayer a && a.isProjectInput()
                && a.getNIn() > 1 && a.getNOut() > 1 && (long) a.getNHeads() * a.getHeadSize() > 1;
    }

    private boolean applies() {
        return maskArray == null && input.rank() == 3 && input.dataType() == DataType.FLOAT && input.size(1) == nIn
                && input.size(0) * input.size(2) > 1 && input.size(0) * input.size(2) <= Integer.MAX_VALUE / 4 / nIn;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        kept = false;
        keptInput = null;
        if (!applies()) {
            return super.activate(training, workspaceMgr);
        }
        shape((int) input.size(0), (int) input.size(2));
        int width = heads * headSize;
        int bars = n * steps;
        rows.reshape(n, steps, nIn).assign(input.permute(0, 2, 1));
        for (int p = 0; p < 3; p++) {
            DoubleRows.floats(paramTable.get(PROJECTIONS.get(p))).get(stackedWeights, p * width * nIn, width * nIn);
        }
        DoubleRows.floats(projections).put(stackedWeights, 0, 3 * width * nIn);
        outputWeights.assign(paramTable.get("Wo"));
        multiply(rows, false, projections, true, projected);
        DoubleRows.floats(projected).get(qkv, 0, bars * 3 * width);
        float scale = (float) (1 / Math.sqrt(headSize));
        for (int b = 0; b < n; b++) {
            for (int h = 0; h < heads; h++) {
                attendForward(b, h, scale);
            }
        }
        DoubleRows.floats(attended).put(attention, 0, bars * width);
        multiply(attended, false, outputWeights, false, outputRows);
        INDArray output = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
                new long[] {n, nOut, steps}, 'c');
        output.assign(outputRows.reshape(n, steps, nOut).permute(0, 2, 1));
        kept = training;
        keptInput = training ? input : null;
        passes++;
        return output;
    }

    /** Sample {@code b}, head {@code h}: the attention weights into {@link #weights}, the result into {@link #attention}. */
    private void attendForward(int b, int h, float scale) {
        gatherHead(b, h);
        float[] q = headQ;
        float[] k = headK;
        float[] v = headV;
        int width = heads * headSize;
        int row = (b * heads + h) * steps * steps;
        for (int query = 0; query < steps; query++, row += steps) {
            float max = Float.NEGATIVE_INFINITY;
            for (int key = 0; key < steps; key++) {
                float dot = 0f;
                for (int i = 0, qi = query * headSize, ki = key * headSize; i < headSize; i++) {
                    dot += q[qi + i] * k[ki + i];
                }
                float score = dot * scale;
                weights[row + key] = score;
                max = Math.max(max, score);
            }
            float sum = 0f;
            for (int key = 0; key < steps; key++) {
                float e = (float) Math.exp(weights[row + key] - max);
                weights[row + key] = e;
                sum += e;
            }
            float[] out = headOut;
            java.util.Arrays.fill(out, 0, headSize, 0f);
            for (int key = 0; key < steps; key++) {
                float p = weights[row + key] / sum;
                weights[row + key] = p;
                for (int i = 0, vi = key * headSize; i < headSize; i++) {
                    out[i] += p * v[vi + i];
                }
            }
            System.arraycopy(out, 0, attention, (b * steps + query) * width + h * headSize, headSize);
        }
    }

    /** Copies sample {@code b}'s queries, keys and values of head {@code h} into {@link #headQ}, ... ({@code [t, head_size]}). */
    private void gatherHead(int b, int h) {
        int width = heads * headSize;
        for (int t = 0; t < steps; t++) {
            int at = (b * steps + t) * 3 * width + h * headSize;
            System.arraycopy(qkv, at, headQ, t * headSize, headSize);
            System.arraycopy(qkv, at + width, headK, t * headSize, headSize);
            System.arraycopy(qkv, at + 2 * width, headV, t * headSize, headSize);
        }
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!kept || input != keptInput || maskArray != null) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        kept = false;
        keptInput = null;
        int width = heads * headSize;
        int bars = n * steps;
        // dY as rows of bars, then dWo = A^T dY and dA = dY Wo^T
        outputRows.reshape(n, steps, nOut).assign(epsilon.permute(0, 2, 1));
        INDArray outputWeightGradient = Nd4j.createUninitializedDetached(DataType.FLOAT, width, nOut);
        multiply(attended, true, outputRows, false, outputWeightGradient);
        multiply(outputRows, false, outputWeights, true, attended);
        DoubleRows.floats(attended).get(attention, 0, bars * width);
        float scale = (float) (1 / Math.sqrt(headSize));
        for (int b = 0; b < n; b++) {
            for (int h = 0; h < heads; h++) {
                attendBackward(b, h, scale);
            }
        }
        // dW = dQKV^T X and dX = dQKV W, dQKV in the forward pass's projection array
        DoubleRows.floats(projected).put(qkvGradient, 0, bars * 3 * width);
        INDArray projectionGradient = Nd4j.createUninitializedDetached(DataType.FLOAT, 3L * width, nIn);
        multiply(projected, true, rows, false, projectionGradient);
        multiply(projected, false, projections, false, rows);
        Gradient gradient = new DefaultGradient();
        for (int p = 0; p < 3; p++) {
            INDArray view = gradTable.get(PROJECTIONS.get(p));
            view.assign(projectionGradient.get(org.nd4j.linalg.indexing.NDArrayIndex.interval((long) p * width,
                    (long) (p + 1) * width), org.nd4j.linalg.indexing.NDArrayIndex.all()).reshape(view.shape())
                    .muli(SAMEDIFF_GRADIENT_FACTOR));
            gradient.gradientForVariable().put(PROJECTIONS.get(p), view);
        }
        INDArray wo = gradTable.get("Wo");
        wo.assign(outputWeightGradient.muli(SAMEDIFF_GRADIENT_FACTOR));
        gradient.gradientForVariable().put("Wo", wo);
        INDArray epsilonOut = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT,
                new long[] {n, nIn, steps}, 'c');
        epsilonOut.assign(rows.reshape(n, steps, nIn).permute(0, 2, 1)).muli(SAMEDIFF_GRADIENT_FACTOR);
        return new Pair<>(gradient, epsilonOut);
    }

    /** Sample {@code b}, head {@code h}: dQ, dK, dV into {@link #qkvGradient} from dA in {@link #attention}. */
    private void attendBackward(int b, int h, float scale) {
        gatherHead(b, h);
        float[] q = headQ;
        float[] k = headK;
        float[] v = headV;
        float[] dq = headDq;
        float[] dk = headDk;
        float[] dv = headDv;
        java.util.Arrays.fill(dq, 0, steps * headSize, 0f);
        java.util.Arrays.fill(dk, 0, steps * headSize, 0f);
        java.util.Arrays.fill(dv, 0, steps * headSize, 0f);
        int width = heads * headSize;
        int row = (b * heads + h) * steps * steps;
        for (int query = 0; query < steps; query++, row += steps) {
            int dOut = (b * steps + query) * width + h * headSize;
            // dP[key] = dA_query . V_key, dV_key += P[key] dA_query
            float weighted = 0f;
            for (int key = 0; key < steps; key++) {
                float p = weights[row + key];
                float dp = 0f;
                for (int i = 0, vi = key * headSize; i < headSize; i++) {
                    float da = attention[dOut + i];
                    dp += da * v[vi + i];
                    dv[vi + i] += p * da;
                }
                scratch[key] = dp;
                weighted += p * dp;
            }
            // dS[key] = P[key] (dP[key] - sum P dP), scaled; dQ_query += dS[key] K_key, dK_key += dS[key] Q_query
            for (int key = 0; key < steps; key++) {
                float ds = weights[row + key] * (scratch[key] - weighted) * scale;
                for (int i = 0, qi = query * headSize, ki = key * headSize; i < headSize; i++) {
                    dq[qi + i] += ds * k[ki + i];
                    dk[ki + i] += ds * q[qi + i];
                }
            }
        }
        for (int t = 0; t < steps; t++) {
            int at = (b * steps + t) * 3 * width + h * headSize;
            System.arraycopy(dq, t * headSize, qkvGradient, at, headSize);
            System.arraycopy(dk, t * headSize, qkvGradient, at + width, headSize);
            System.arraycopy(dv, t * headSize, qkvGradient, at + 2 * width, headSize);
        }
    }

    private static void multiply(INDArray a, boolean transposeA, INDArray b, boolean transposeB, INDArray c) {
        if (!DirectGemm.multiply(a, transposeA, b, transposeB, c)) {
            throw new IllegalStateException("direct product not applicable: " + a.shapeInfoToString() + " x "
                    + b.shapeInfoToString());
        }
    }

    /** How many forward passes this layer computed itself (for tests). */
    long passes() {
        return passes;
    }

    /** Sizes the working arrays for {@code n} windows of {@code steps} bars (kept while the shape stays). */
    private void shape(int n, int steps) {
        int width = heads * headSize;
        if (rows == null) {
            projections = Nd4j.createUninitializedDetached(DataType.FLOAT, 3L * width, nIn);
            outputWeights = Nd4j.createUninitializedDetached(DataType.FLOAT, width, nOut);
            stackedWeights = new float[3 * width * nIn];
        }
        if (rows == null || n != this.n || steps != this.steps) {
            this.n = n;
            this.steps = steps;
            int bars = n * steps;
            rows = Nd4j.createUninitializedDetached(DataType.FLOAT, bars, nIn);
            projected = Nd4j.createUninitializedDetached(DataType.FLOAT, bars, 3L * width);
            attended = Nd4j.createUninitializedDetached(DataType.FLOAT, bars, width);
            outputRows = Nd4j.createUninitializedDetached(DataType.FLOAT, bars, nOut);
            if (qkv.length < bars * 3 * width) {
                qkv = new float[bars * 3 * width];
                qkvGradient = new float[bars * 3 * width];
                attention = new float[bars * width];
            }
            if (weights.length < n * heads * steps * steps) {
                weights = new float[n * heads * steps * steps];
            }
            if (scratch.length < steps) {
                scratch = new float[steps];
                headQ = new float[steps * headSize];
                headK = new float[steps * headSize];
                headV = new float[steps * headSize];
                headDq = new float[steps * headSize];
                headDk = new float[steps * headSize];
                headDv = new float[steps * headSize];
                headOut = new float[headSize];
            }
        }
    }
}
