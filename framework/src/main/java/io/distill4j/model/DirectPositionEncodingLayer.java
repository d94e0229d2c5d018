package io.distill4j.model;

import io.distill4j.loss.DoubleRows;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sin;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link SinusoidalPositionEncoding} for training graphs ({@link TrainingLayers}), without SameDiff: DL4J runs the
 * encoding as six SameDiff operations over the whole {@code [n, channels, t]} input on every forward pass (the
 * positions, their products and sums, the sine, the addition) and again inside every backward pass. Here the encoding
 * of each window length is computed once, with the same float operations in the same order and ND4J's own sine, so
 * the forward pass is {@code x + table} and DL4J's values bit for bit; the backward pass returns what DL4J's SameDiff
 * layer returns, the incoming gradient times DL4J M2.1's factor of 2 ({@link #SAMEDIFF_GRADIENT_FACTOR}), also bit
 * for bit ({@code DirectPositionEncodingLayerTest}). Doubles, masks and another backend take DL4J's path.
 */
final class DirectPositionEncodingLayer extends DirectSameDiffLayer {
    private static final long serialVersionUID = 1L;

    private final int channels;
    private transient int steps = -1;
    /** The encoding {@code [channels, t]} row-major for the last window length seen. */
    private transient float[] table = new float[0];
    private transient float[] values = new float[0];

    DirectPositionEncodingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        channels = ((SinusoidalPositionEncoding) conf.getLayer()).getChannels();
    }

    /** Whether this layer computes {@code conf}'s layer: a {@link SinusoidalPositionEncoding} on the CPU backend. */
    static boolean computes(NeuralNetConfiguration conf) {
        return DirectSelfAttentionLayer.ON && conf.getLayer() instanceof SinusoidalPositionEncoding;
    }

    @Override
    boolean applies() {
        return maskArray == null && input.rank() == 3 && input.dataType() == DataType.FLOAT
                && input.size(1) == channels && input.length() <= Integer.MAX_VALUE;
    }

    @Override
    INDArray forward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        int t = (int) input.size(2);
        if (t != steps) {
            table = encoding(channels, t);
            steps = t;
        }
        INDArray output = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, input.shape(), 'c');
        output.assign(input);
        int length = (int) output.length();
        if (values.length < length) {
            values = new float[length];
        }
        DoubleRows.floats(output).get(values, 0, length);
        int period = channels * t;
        for (int sample = 0; sample < length; sample += period) {
            for (int i = 0; i < period; i++) {
                values[sample + i] = values[sample + i] + table[i];
            }
        }
        DoubleRows.floats(output).put(values, 0, length);
        return output;
    }

    /**
     * {@code sin(pos * w_c + phase_c)} for {@code c < channels}, {@code pos < t}, row-major: the argument in float as
     * SameDiff forms it ({@code w} and {@code phase} rounded to float, a float product, a float sum), the sine ND4J's.
     */
    static float[] encoding(int channels, int t) {
        float[] argument = new float[channels * t];
        for (int c = 0; c < channels; c++) {
            float frequency = (float) SinusoidalPositionEncoding.frequency(c, channels);
            float phase = (float) SinusoidalPositionEncoding.phase(c);
            for (int pos = 0; pos < t; pos++) {
                argument[c * t + pos] = (float) pos * frequency + phase;
            }
        }
        INDArray sine = Nd4j.createFromArray(argument);
        Nd4j.getExecutioner().exec(new Sin(sine));
        return sine.toFloatVector();
    }

    @Override
    Pair<Gradient, INDArray> backward(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        // the factor is a power of 2, so ND4J's product is exact, as DL4J's doubled gradient is
        INDArray gradient = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT,
                epsilon.shape(), 'c');
        gradient.assign(epsilon).muli(SAMEDIFF_GRADIENT_FACTOR);
        return new Pair<>(new DefaultGradient(), gradient);
    }
}
