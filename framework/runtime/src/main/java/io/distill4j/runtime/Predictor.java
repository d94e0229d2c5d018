package io.distill4j.runtime;

import java.util.List;

/**
 * Runs a {@link StudentModel}'s network on standardised input with buffers allocated once: {@link #predict} allocates
 * nothing. Not thread-safe: one predictor per thread.
 */
public final class Predictor {
    private final StudentModel model;
    private final Layer[] layers;
    private final int steps;
    private final float[] a;
    private final float[] b;
    private final float[] scratch;

    Predictor(StudentModel model) {
        this.model = model;
        List<Layer> list = model.layers();
        this.layers = list.toArray(new Layer[0]);
        this.steps = model.steps();
        int size = model.inputSize();
        int scratchSize = 0;
        for (Layer l : layers) {
            size = Math.max(size, (l.sequenceOut() ? steps : 1) * l.outWidth());
            scratchSize = Math.max(scratchSize, l.scratchSize());
        }
        this.a = new float[size];
        this.b = new float[size];
        this.scratch = new float[scratchSize];
    }

    public StudentModel model() {
        return model;
    }

    /**
     * Class probabilities for one sample.
     *
     * @param input standardised features: one row {@code [features]} for a tabular model, the window
     *     {@code [lookback][features]} (time-major, oldest bar first) for a sequence model
     * @param out receives {@link StudentModel#numClasses()} probabilities
     * @return {@code out}
     */
    public float[] predict(float[] input, float[] out) {
        int n = model.inputSize();
        if (input.length < n || out.length < model.numClasses()) {
            throw new IllegalArgumentException("predict needs " + n + " inputs and " + model.numClasses()
                    + " outputs, got " + input.length + " and " + out.length);
        }
        System.arraycopy(input, 0, a, 0, n);
        float[] in = a;
        float[] o = b;
        for (Layer layer : layers) {
            layer.forward(in, steps, o, scratch);
            float[] t = in;
            in = o;
            o = t;
        }
        System.arraycopy(in, 0, out, 0, model.numClasses());
        return out;
    }
}
