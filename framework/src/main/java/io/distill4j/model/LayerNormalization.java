package io.distill4j.model;

import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Layer normalisation of Ba, Kiros and Hinton, <i>Layer Normalization</i> (2016), over the channel axis of a sequence
 * {@code [n, channels, t]} (NCW), each bar on its own:
 *
 * <pre>
 *   mu = mean_c x[:, c, t]     sigma^2 = mean_c (x[:, c, t] - mu)^2
 *   y[:, c, t] = gain_c * (x[:, c, t] - mu) / sqrt(sigma^2 + 1e-5) + bias_c
 * </pre>
 *
 * with a learnable {@code gain} (starts at 1) and {@code bias} (starts at 0), one per channel. Both are registered as
 * bias parameters, so L2 does not pull the gain towards 0 (as is usual for normalisation layers). DL4J 1.0.0-M2.1
 * has no layer normalisation over the feature axis of a sequence; this is built from SameDiff operations.
 */
public class LayerNormalization extends SameDiffLayer {
    static final double EPSILON = 1e-5;
    private int channels;

    /** For deserialisation. */
    public LayerNormalization() {
    }

    public LayerNormalization(int channels) {
        this.channels = channels;
    }

    public int getChannels() {
        return channels;
    }

    public void setChannels(int channels) {
        this.channels = channels;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addBiasParam("gain", 1, channels, 1);
        params.addBiasParam("bias", 1, channels, 1);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.get("gain").assign(1);
        params.get("bias").assign(0);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> params, SDVariable mask) {
        SDVariable centred = x.sub(x.mean(true, 1));
        SDVariable variance = centred.mul(centred).mean(true, 1);
        SDVariable normalised = centred.div(sd.math().sqrt(variance.add(EPSILON)));
        return normalised.mul(params.get("gain")).add(params.get("bias"));
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return inputType;
    }
}
