package io.distill4j.model;

import io.distill4j.loss.DoubleRows;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.Convolution1DLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's kernel-1 {@code Convolution1DLayer} (a dense layer applied to each bar alone, {@link AttentionNetwork#perBar})
 * computed as one OpenBLAS product over all bars of the minibatch, for training graphs ({@link TrainingLayers}). DL4J
 * runs it as libnd4j's {@code conv1d}: an image-to-columns copy, a product, a bias addition; and its backward pass as
 * {@code conv1d_bp}, after computing the forward pass a second time. Here the forward pass keeps its pre-activation,
 * and each product is DL4J's: the same operands in the same layouts (libnd4j reads DL4J's {@code [nOut, nIn, 1, 1]}
 * weight parameter as {@code [nIn, nOut]} row-major), so the values are DL4J's bit for bit
 * ({@code PerBarDenseLayerTest}); the bias is added, and its gradient summed, in libnd4j's order; dropout and the
 * activation are DL4J's own operations. Like DL4J's layer (a defect of DL4J 1.0.0-M2.1), the input gradient does not
 * go back through the input's dropout. Masks, doubles, another backend, another kernel, stride, dilation or format
 * take DL4J's path, as does everything with {@code -Ddistill4j.attention.dl4j=true}.
 */
final class PerBarDenseLayer extends Convolution1DLayer {
    private static final long serialVersionUID = 1L;

    private transient int bars = -1;
    /** The input as rows of bars, {@code [n * t, nIn]} row-major, row {@code b * t + s}. */
    private transient INDArray rows;
    /** The pre-activation as {@code [nOut, n * t]} row-major (column-major rows of bars). */
    private transient INDArray preActivation;
    /** Backward: the input as {@code [nIn, n * t]} and the pre-activation's gradient as {@code [n * t, nOut]}. */
    private transient INDArray channelRows;
    private transient INDArray deltaRows;
    /** The memory under the four matrices above, kept across minibatch sizes. */
    private final transient GrowingFloats rowsMemory = new GrowingFloats();
    private final transient GrowingFloats preActivationMemory = new GrowingFloats();
    private final transient GrowingFloats channelRowsMemory = new GrowingFloats();
    private final transient GrowingFloats deltaRowsMemory = new GrowingFloats();
    private transient float[] values = new float[0];
    /** Per output channel: the bias forward, the bias gradient backward. */
    private transient float[] perChannel = new float[0];
    private final transient KeptPass kept = new KeptPass();

    PerBarDenseLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** Whether this layer computes {@code conf}'s layer: a kernel-1, stride-1 NCW 1-d convolution, CPU backend. */
    static boolean computes(NeuralNetConfiguration conf) {
        return DirectSelfAttentionLayer.ON
                && conf.getLayer() instanceof org.deeplearning4j.nn.conf.layers.Convolution1DLayer c
                && c.getKernelSize()[0] == 1 && c.getStride()[0] == 1 && c.getDilation()[0] == 1
                && c.getPadding()[0] == 0 && c.getRnnDataFormat() == RNNFormat.NCW && c.getNIn() > 1
                && c.getNOut() > 1 && (c.getConvolutionMode() == ConvolutionMode.Same
                        || c.getConvolutionMode() == ConvolutionMode.Truncate);
    }

    private boolean applies() {
        return maskArray == null && input.rank() == 3 && input.dataType() == DataType.FLOAT
                && input.size(1) == layerConf().getNIn() && input.size(0) * input.size(2) > 1
                && input.length() <= Integer.MAX_VALUE;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        kept.forget();
        if (input == null || !applies()) {
            return super.activate(training, workspaceMgr);
        }
        applyDropOutIfNecessary(training, workspaceMgr);
        int n = (int) input.size(0);
        int nIn = (int) input.size(1);
        int steps = (int) input.size(2);
        int nOut = (int) layerConf().getNOut();
        shape(n * steps, nIn, nOut);
        rows.reshape(n, steps, nIn).assign(input.permute(0, 2, 1));
        INDArray weights = getParam(ConvolutionParamInitializer.WEIGHT_KEY);
        // [n * t, nOut] column-major = rows [n * t, nIn] x W, the weights' memory read as W [nIn, nOut] row-major (as
        // libnd4j's conv1d reads DL4J's [nOut, nIn, 1, 1] parameter)
        DirectGemm.columnMajor(true, true, bars, nOut, nIn, DoubleRows.floats(rows), nIn,
                DoubleRows.floats(weights), nOut, 0f, DoubleRows.floats(preActivation), bars);
        if (layerConf().hasBias()) {
            DoubleRows.floats(getParam(ConvolutionParamInitializer.BIAS_KEY)).get(perChannel, 0, nOut);
            DoubleRows.floats(preActivation).get(values, 0, nOut * bars);
            for (int o = 0, k = 0; o < nOut; o++) {
                float b = perChannel[o];
                for (int r = 0; r < bars; r++, k++) {
                    values[k] = values[k] + b;
                }
            }
            DoubleRows.floats(preActivation).put(values, 0, nOut * bars);
        }
        INDArray output = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
                new long[] {n, nOut, steps}, 'c');
        output.assign(preActivation.reshape(nOut, n, steps).permute(1, 0, 2));
        INDArray activation = layerConf().getActivationFn().getActivation(output, training);
        kept.computed(training, input);
        return activation;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!kept.takeFor(input, maskArray)) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        int n = (int) input.size(0);
        int nIn = (int) input.size(1);
        int steps = (int) input.size(2);
        int nOut = (int) layerConf().getNOut();
        INDArray z = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT,
                new long[] {n, nOut, steps}, 'c');
        z.assign(preActivation.reshape(nOut, n, steps).permute(1, 0, 2));
        INDArray delta = layerConf().getActivationFn().backprop(z, epsilon).getFirst();
        // dZ as [nOut, n * t] row-major, the forward pass's array
        preActivation.reshape(nOut, n, steps).assign(delta.permute(1, 0, 2));
        INDArray weightGradient = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
        // dW [nIn, nOut] row-major = X dZ with X [nIn, n * t] and dZ [n * t, nOut] both row-major copies, as libnd4j's
        // conv1d_bp lays them out: the same product in the same layouts, so the same additions (with the rows of bars
        // and a column-major dZ the product adds in another order)
        channelRows.reshape(nIn, n, steps).assign(input.permute(1, 0, 2));
        deltaRows.assign(preActivation.transpose());
        DirectGemm.columnMajor(false, false, nOut, nIn, bars, DoubleRows.floats(deltaRows), nOut,
                DoubleRows.floats(channelRows), bars, 0f, DoubleRows.floats(weightGradient), nOut);
        Gradient gradient = new DefaultGradient();
        if (layerConf().hasBias()) {
            DoubleRows.floats(preActivation).get(values, 0, nOut * bars);
            for (int o = 0, k = 0; o < nOut; o++) {
                float sum = 0f;
                for (int r = 0; r < bars; r++, k++) {
                    sum += values[k];
                }
                perChannel[o] = sum;
            }
            INDArray biasGradient = gradientViews.get(ConvolutionParamInitializer.BIAS_KEY);
            DoubleRows.floats(biasGradient).put(perChannel, 0, nOut);
            gradient.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, biasGradient);
        }
        gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, weightGradient, 'c');
        // dX [n * t, nIn] row-major = dZ W^T, as [nIn, n * t] column-major = W dZ^T
        DirectGemm.columnMajor(true, true, nIn, bars, nOut, DoubleRows.floats(getParam(
                ConvolutionParamInitializer.WEIGHT_KEY)), nOut, DoubleRows.floats(preActivation), bars, 0f,
                DoubleRows.floats(rows), nIn);
        INDArray epsilonOut = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT,
                new long[] {n, nIn, steps}, 'c');
        epsilonOut.assign(rows.reshape(n, steps, nIn).permute(0, 2, 1));
        // as DL4J's Convolution1DLayer: the input gradient does not pass back through the input's dropout
        return new Pair<>(gradient, epsilonOut);
    }

    /** How many forward passes this layer computed itself (for tests). */
    long passes() {
        return kept.passes();
    }

    /** Sizes the working arrays for {@code bars} bars (kept while the size stays). */
    private void shape(int bars, int nIn, int nOut) {
        if (bars != this.bars || rows == null) {
            this.bars = bars;
            rows = rowsMemory.matrix(bars, nIn);
            preActivation = preActivationMemory.matrix(nOut, bars);
            channelRows = channelRowsMemory.matrix(nIn, bars);
            deltaRows = deltaRowsMemory.matrix(bars, nOut);
            if (values.length < nOut * bars) {
                values = new float[nOut * bars];
            }
            perChannel = new float[nOut];
        }
    }
}
