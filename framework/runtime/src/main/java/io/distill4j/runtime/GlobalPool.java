package io.distill4j.runtime;

import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Max or average over time of a sequence, per channel: {@code [steps][width] -> [width]}.
 *
 * @param width channels
 * @param max {@code true} for the maximum, {@code false} for the mean
 */
public record GlobalPool(int width, boolean max) implements Layer {
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
        return true;
    }

    @Override
    public boolean sequenceOut() {
        return false;
    }

    @Override
    public void forward(float[] in, int steps, float[] out, float[] scratch) {
        System.arraycopy(in, 0, out, 0, width);
        for (int t = 1; t < steps; t++) {
            int base = t * width;
            for (int c = 0; c < width; c++) {
                float x = in[base + c];
                out[c] = max ? Math.max(out[c], x) : out[c] + x;
            }
        }
        if (!max) {
            for (int c = 0; c < width; c++) {
                out[c] /= steps;
            }
        }
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
        out.writeInt(ModelFile.POOL);
        out.writeInt(width);
        out.writeInt(max ? 0 : 1);
    }

    @Override
    public String describe() {
        return (max ? "max" : "avg") + " pool";
    }
}
