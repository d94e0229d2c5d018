package io.distill4j.runtime;

import java.io.DataOutputStream;
import java.io.IOException;

/**
 * An LSTM layer (no peepholes) with DL4J's gate layout: {@code z = W x_t + R h_(t-1) + b} has four blocks of
 * {@code n} rows, in order the block input {@code a = act(z_0)}, the forget gate {@code f = sigmoid(z_1)}, the output
 * gate {@code o = sigmoid(z_2)} and the input gate {@code i = sigmoid(z_3)}; then {@code c_t = f c_(t-1) + i a} and
 * {@code h_t = o act(c_t)}. State starts at zero for every sequence, as in training.
 *
 * @param nIn input width
 * @param n hidden units
 * @param activation the block input and cell output activation (only {@code tanh})
 * @param lastStepOnly whether the output is only the last step's hidden state (DL4J's {@code LastTimeStep})
 * @param inputWeights {@code [4n][nIn]} flattened
 * @param recurrentWeights {@code [4n][n]} flattened
 * @param bias {@code [4n]}
 */
public record Lstm(int nIn, int n, Activation activation, boolean lastStepOnly, float[] inputWeights,
        float[] recurrentWeights, float[] bias) implements Layer {
    /** Checks the shapes (and that the activation is {@code tanh}, the only one the runtime implements here). */
    public Lstm {
        ModelFile.check(activation == Activation.TANH, "lstm layer: activation " + activation + ", expected TANH");
        ModelFile.check(inputWeights.length == 4L * n * nIn && recurrentWeights.length == 4L * n * n
                && bias.length == 4 * n && n > 0, "lstm layer: weight shapes do not match " + nIn + "->" + n);
    }

    @Override
    public int inWidth() {
        return nIn;
    }

    @Override
    public int outWidth() {
        return n;
    }

    @Override
    public boolean sequenceIn() {
        return true;
    }

    @Override
    public boolean sequenceOut() {
        return !lastStepOnly;
    }

    /** Hidden state {@code [n]}, cell state {@code [n]} and pre-activations {@code [4n]}. */
    @Override
    public int scratchSize() {
        return 6 * n;
    }

    @Override
    public void forward(float[] in, int steps, float[] out, float[] scratch) {
        java.util.Arrays.fill(scratch, 0, 2 * n, 0f);
        for (int t = 0; t < steps; t++) {
            step(in, t * nIn, scratch);
            if (!lastStepOnly) {
                System.arraycopy(scratch, 0, out, t * n, n);
            }
        }
        if (lastStepOnly) {
            System.arraycopy(scratch, 0, out, 0, n);
        }
    }

    /**
     * One time step: reads {@code x = in[offset .. offset + nIn)} and updates the state held in {@code state}
     * ({@code [0, n)} hidden, {@code [n, 2n)} cell, {@code [2n, 6n)} scratch; zero it to start a sequence).
     */
    public void step(float[] in, int offset, float[] state) {
        int z = 2 * n;
        System.arraycopy(bias, 0, state, z, 4 * n);
        MatVec.multiplyAdd(inputWeights, 4 * n, nIn, in, offset, state, z);
        MatVec.multiplyAdd(recurrentWeights, 4 * n, n, state, 0, state, z);
        for (int j = 0; j < n; j++) {
            float a = actScalar(state[z + j]);
            float f = Activation.sigmoid(state[z + n + j]);
            float o = Activation.sigmoid(state[z + 2 * n + j]);
            float i = Activation.sigmoid(state[z + 3 * n + j]);
            float c = f * state[n + j] + i * a;
            state[n + j] = c;
            state[j] = o * actScalar(c);
        }
    }

    private static float actScalar(float x) {
        return Activation.tanh(x);
    }

    @Override
    public long parameters() {
        return 4L * n * (nIn + n + 1);
    }

    @Override
    public long multiplyAccumulates(int steps) {
        return steps * 4L * n * (nIn + n) + steps * 3L * n;
    }

    @Override
    public void write(DataOutputStream out) throws IOException {
        out.writeInt(ModelFile.LSTM);
        out.writeInt(nIn);
        out.writeInt(n);
        out.writeInt(activation.code());
        out.writeInt(lastStepOnly ? 1 : 0);
        ModelFile.writeFloats(out, inputWeights);
        ModelFile.writeFloats(out, recurrentWeights);
        ModelFile.writeFloats(out, bias);
    }

    @Override
    public String describe() {
        return "lstm " + nIn + "->" + n + (lastStepOnly ? " last step" : "");
    }
}
