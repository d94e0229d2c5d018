package io.distill4j.bench;

import io.distill4j.api.KlineSeries;
import io.distill4j.data.features.FeatureEngineer;
import io.distill4j.data.synthetic.SyntheticConfig;
import io.distill4j.data.synthetic.SyntheticMarket;
import io.distill4j.runtime.StudentModel;
import java.util.ArrayList;
import java.util.List;

/**
 * What the benchmarks feed the models: bars of the project's synthetic market (seed 7, the model's bar interval),
 * and the model's standardised inputs computed from them by the batch feature pipeline: rows for tabular models,
 * windows {@code [lookback][features]} for sequence models. Latency does not depend on the values, but realistic
 * values keep branches (ReLU, max pooling) realistic.
 */
public final class BenchData {
    /** Bars generated. */
    public static final int BARS = 8192;
    private final KlineSeries bars;
    private final float[][] rows;
    private final List<float[]> inputs;

    private BenchData(KlineSeries bars, float[][] rows, List<float[]> inputs) {
        this.bars = bars;
        this.rows = rows;
        this.inputs = inputs;
    }

    /** Bars at {@code model}'s interval and its inputs. */
    public static BenchData of(StudentModel model) {
        long interval = Long.parseLong(model.metadata().getOrDefault("interval_ms", "300000"));
        KlineSeries s = SyntheticMarket.generate(new SyntheticConfig(BARS, 7, interval)).series();
        double[][] raw = FeatureEngineer.compute(s);
        int f = model.numFeatures();
        float[][] rows = new float[raw.length][];
        for (int i = 0; i < raw.length; i++) {
            if (!Double.isNaN(raw[i][0])) {
                rows[i] = new float[f];
                model.standardise(raw[i], rows[i], 0);
            }
        }
        return new BenchData(s, rows, windows(rows, model.steps(), f));
    }

    private static List<float[]> windows(float[][] rows, int steps, int f) {
        List<float[]> inputs = new ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
            if (i - steps + 1 < 0 || rows[i - steps + 1] == null) {
                continue;
            }
            float[] x = new float[steps * f];
            for (int t = 0; t < steps; t++) {
                System.arraycopy(rows[i - steps + 1 + t], 0, x, t * f, f);
            }
            inputs.add(x);
        }
        return inputs;
    }

    /** {@code n} inputs (cycling) of {@code steps} rows each, time-major: for a model other than the reference. */
    public float[][] inputArray(int n, int steps) {
        List<float[]> w = windows(rows, steps, rows[rows.length - 1].length);
        float[][] out = new float[n][];
        for (int k = 0; k < n; k++) {
            out[k] = w.get(k % w.size());
        }
        return out;
    }

    public KlineSeries bars() {
        return bars;
    }

    /** Standardised feature rows by bar ({@code null} inside the warm-up). */
    public float[][] rows() {
        return rows;
    }

    /** The model's inputs, one per bar with a full window, as the runtime reads them. */
    public List<float[]> inputs() {
        return inputs;
    }

    /** {@code n} inputs (cycling) as one array per input, for index-masked access. */
    public float[][] inputArray(int n) {
        float[][] out = new float[n][];
        for (int k = 0; k < n; k++) {
            out[k] = inputs.get(k % inputs.size());
        }
        return out;
    }

    /** Whether {@code graph} reads sequences: asked for one row first, a graph that rejects it reads windows. */
    public static boolean readsSequences(org.deeplearning4j.nn.graph.ComputationGraph graph, int features) {
        try {
            graph.outputSingle(org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1,
                    features));
            return false;
        } catch (RuntimeException e) {
            return true;
        }
    }

    /**
     * {@code inputs[from .. from + n)} (runtime layout) as one DL4J batch: rows {@code [n, features]} or windows
     * {@code [n, features, steps]} (NCW).
     */
    public static org.nd4j.linalg.api.ndarray.INDArray dl4jBatch(float[][] inputs, int from, int n, int features,
            boolean sequence) {
        int steps = inputs[0].length / features;
        float[] data = new float[n * features * steps];
        for (int k = 0; k < n; k++) {
            float[] x = inputs[(from + k) % inputs.length];
            for (int t = 0; t < steps; t++) {
                for (int f = 0; f < features; f++) {
                    data[sequence ? (k * features + f) * steps + t : k * features + f] = x[t * features + f];
                }
            }
        }
        return org.nd4j.linalg.factory.Nd4j.create(data, sequence ? new long[] {n, features, steps}
                : new long[] {n, features}, 'c');
    }
}
