package io.distill4j.runtime;

import java.io.DataOutputStream;
import java.io.IOException;

/**
 * A causal 1-d convolution over a sequence, stride 1, dilation 1, output as long as the input:
 * {@code y[t][o] = act(b[o] + sum_c sum_j W[o][c][j] * x[t - (k - 1) + j][c])}, with {@code x} zero before step 0.
 *
 * @param nIn input channels
 * @param nOut output channels
 * @param kernel kernel width {@code k}
 * @param activation the activation
 * @param weights {@code [nOut][nIn][kernel]} flattened: {@code W[o][c][j] = weights[(o * nIn + c) * kernel + j]}
 * @param bias {@code [nOut]}
 */
public record Conv1d(int nIn, int nOut, int kernel, Activation activation, float[] weights, float[] bias)
        implements Layer {
    /** Checks the shapes. */
    public Conv1d {
        ModelFile.check(weights.length == (long) nIn * nOut * kernel && bias.length == nOut && kernel > 0,
                "conv1d layer: " + weights.length + " weights and " + bias.length + " biases for " + nIn + "->"
                        + nOut + " kernel " + kernel);
    }

    @Override
    public int inWidth() {
        return nIn;
    }

    @Override
    public int outWidth() {
        return nOut;
    }

    @Override
    public boolean sequenceIn() {
        return true;
    }

    @Override
    public boolean sequenceOut() {
        return true;
    }

    @Override
    public void forward(float[] in, int steps, float[] out, float[] scratch) {
        int k = kernel;
        for (int t = 0; t < steps; t++) {
            int first = t - (k - 1);
            for (int o = 0; o < nOut; o++) {
                float s = bias[o];
                int wo = o * nIn * k;
                for (int j = Math.max(0, -first); j < k; j++) {
                    int xBase = (first + j) * nIn;
                    for (int c = 0; c < nIn; c++) {
                        s += weights[wo + c * k + j] * in[xBase + c];
                    }
                }
                out[t * nOut + o] = s;
            }
        }
        activation.apply(out, 0, steps * nOut);
    }

    @Override
    public long parameters() {
        return (long) nIn * nOut * kernel + nOut;
    }

    @Override
    public long multiplyAccumulates(int steps) {
        long macs = 0;
        for (int t = 0; t < steps; t++) {
            macs += (long) Math.min(kernel, t + 1) * nIn * nOut;
        }
        return macs;
    }

    @Override
    public void write(DataOutputStream out) throws IOException {
        out.writeInt(ModelFile.CONV1D);
        out.writeInt(nIn);
        out.writeInt(nOut);
        out.writeInt(kernel);
        out.writeInt(activation.code());
        ModelFile.writeFloats(out, weights);
        ModelFile.writeFloats(out, bias);
    }

    @Override
    public String describe() {
        return "causal conv1d " + nIn + "->" + nOut + " k" + kernel + " "
                + activation.name().toLowerCase(java.util.Locale.ROOT);
    }
}
