package io.distill4j.runtime;

import java.io.DataOutputStream;
import java.io.IOException;

/**
 * A fully connected layer {@code y = act(W x + b)} on a vector.
 *
 * @param nIn input width
 * @param nOut output width
 * @param activation the activation applied to {@code W x + b}
 * @param weights {@code [nOut][nIn]} flattened: {@code W[o][i] = weights[o * nIn + i]}
 * @param bias {@code [nOut]}
 */
public record Dense(int nIn, int nOut, Activation activation, float[] weights, float[] bias) implements Layer {
    /** Checks the shapes. */
    public Dense {
        ModelFile.check(weights.length == (long) nIn * nOut && bias.length == nOut && nIn > 0 && nOut > 0,
                "dense layer: " + weights.length + " weights and " + bias.length + " biases for " + nIn + "->" + nOut);
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
        return false;
    }

    @Override
    public boolean sequenceOut() {
        return false;
    }

    @Override
    public void forward(float[] in, int steps, float[] out, float[] scratch) {
        System.arraycopy(bias, 0, out, 0, nOut);
        MatVec.multiplyAdd(weights, nOut, nIn, in, 0, out, 0);
        activation.apply(out, 0, nOut);
    }

    @Override
    public long parameters() {
        return (long) nIn * nOut + nOut;
    }

    @Override
    public long multiplyAccumulates(int steps) {
        return (long) nIn * nOut;
    }

    @Override
    public void write(DataOutputStream out) throws IOException {
        out.writeInt(ModelFile.DENSE);
        out.writeInt(nIn);
        out.writeInt(nOut);
        out.writeInt(activation.code());
        ModelFile.writeFloats(out, weights);
        ModelFile.writeFloats(out, bias);
    }

    @Override
    public String describe() {
        return "dense " + nIn + "->" + nOut + " " + activation.name().toLowerCase(java.util.Locale.ROOT);
    }
}
