package io.distill4j.model;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLambdaLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adds the fixed sinusoidal position encoding of Vaswani et al., <i>Attention Is All You Need</i> (2017), to a
 * sequence {@code [n, channels, t]} (NCW): for position {@code pos} (0 = the window's oldest bar) and channel
 * {@code i},
 *
 * <pre>
 *   PE(pos, 2k)     = sin(pos / 10000^(2k / channels))
 *   PE(pos, 2k + 1) = cos(pos / 10000^(2k / channels))
 * </pre>
 *
 * written as {@code sin(pos * w_i + phase_i)} with {@code phase = pi/2} on odd channels. No parameters; positions
 * come from the input's own length, so any window length works.
 */
public class SinusoidalPositionEncoding extends SameDiffLambdaLayer {
    private int channels;

    /** For deserialisation. */
    public SinusoidalPositionEncoding() {
    }

    public SinusoidalPositionEncoding(int channels) {
        this.channels = channels;
    }

    public int getChannels() {
        return channels;
    }

    public void setChannels(int channels) {
        this.channels = channels;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x) {
        double[] frequency = new double[channels];
        double[] phase = new double[channels];
        for (int i = 0; i < channels; i++) {
            frequency[i] = frequency(i, channels);
            phase[i] = phase(i);
        }
        long[] shape = {1, channels, 1};
        SDVariable w = sd.constant(Nd4j.create(frequency, shape, DataType.DOUBLE).castTo(x.dataType()));
        SDVariable p = sd.constant(Nd4j.create(phase, shape, DataType.DOUBLE).castTo(x.dataType()));
        SDVariable position = sd.cumsum(sd.onesLike(x), true, false, 2); // 0, 1, ..., t - 1 along time
        return x.add(sd.math().sin(position.mul(w).add(p)));
    }

    /** {@code w_i = 10000^(-2 floor(i / 2) / channels)}. */
    static double frequency(int channel, int channels) {
        return Math.pow(10000, -2.0 * (channel / 2) / channels);
    }

    /** {@code phase_i}: 0 on even channels, {@code pi / 2} (the cosine) on odd ones. */
    static double phase(int channel) {
        return channel % 2 == 0 ? 0 : Math.PI / 2;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return inputType;
    }
}
