package io.distill4j.runtime;

import java.io.DataOutputStream;
import java.io.IOException;

/**
 * One layer of an exported student. A layer reads a vector ({@code [width]}) or a sequence ({@code [steps][width]},
 * time-major, flattened) and writes a vector or a sequence into a caller-owned array; it never allocates. Layers
 * are immutable; per-call state (an LSTM's hidden and cell state) lives in the scratch array the caller passes.
 */
public sealed interface Layer permits Dense, Lstm, Conv1d, GlobalPool, ActivationLayer {
    /** Input width (features or channels per step). */
    int inWidth();

    /** Output width (per step for a sequence output). */
    int outWidth();

    /** Whether the input is a sequence. */
    boolean sequenceIn();

    /** Whether the output is a sequence (of as many steps as the input). */
    boolean sequenceOut();

    /** Floats of scratch space {@link #forward} needs. */
    default int scratchSize() {
        return 0;
    }

    /**
     * Computes the layer.
     *
     * @param in the input, {@code [steps][inWidth]} or {@code [inWidth]}
     * @param steps the sequence length (1 for vector input)
     * @param out the output, {@code [steps][outWidth]} or {@code [outWidth]}; never the same array as {@code in}
     * @param scratch at least {@link #scratchSize()} floats
     */
    void forward(float[] in, int steps, float[] out, float[] scratch);

    /** Trainable parameters. */
    long parameters();

    /** Multiply-accumulates for one sample of {@code steps} steps. */
    long multiplyAccumulates(int steps);

    /** Writes the layer's type code and body ({@link ModelFile}). */
    void write(DataOutputStream out) throws IOException;

    /** A short description, e.g. {@code dense 12->16 relu}. */
    String describe();
}
