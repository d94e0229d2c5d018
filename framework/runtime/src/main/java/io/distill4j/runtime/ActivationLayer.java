package io.distill4j.runtime;

import java.io.DataOutputStream;
import java.io.IOException;

/**
 * An activation alone on a vector (the deployable student's final {@code softmax}).
 *
 * @param width the vector's width
 * @param activation the activation
 */
public record ActivationLayer(int width, Activation activation) implements Layer {
    @Override
    public int inWidth() {
        return width;
    }

    @Override
    public int outWidth() {
        return width;
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
        System.arraycopy(in, 0, out, 0, width);
        activation.apply(out, 0, width);
    }

    @Override
    public long parameters() {
        return 0;
    }

    @Override
    public long multiplyAccumulates(int steps) {
        return 0;
    }

    @Override
    public void write(DataOutputStream out) throws IOException {
        out.writeInt(ModelFile.ACTIVATION);
        out.writeInt(width);
        out.writeInt(activation.code());
    }

    @Override
    public String describe() {
        return activation.name().toLowerCase(java.util.Locale.ROOT);
    }
}
