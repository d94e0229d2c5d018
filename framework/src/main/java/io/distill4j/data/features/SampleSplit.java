package io.distill4j.data.features;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One part (train, validation or test) of a prepared dataset. Sample {@code k} sits at bar {@code barIndices()[k]};
 * its tabular input is that bar's standardised feature row, its sequence input the window of the {@code lookback}
 * feature rows ending at that bar, so tabular and sequence models see exactly the same samples.
 *
 * <p>The arrays returned are shared, cached views of this split: callers must not modify them.
 */
public final class SampleSplit implements io.distill4j.api.ModelInput {
    private final String name;
    private final int[] bars;
    private final float[][] standardisedRows;
    private final int width;
    private final int lookback;
    private final int[] labels;
    private final double[] forwardReturns;
    private final double[] targets;
    private final long[] timeMs;
    private INDArray features;
    private INDArray windows;
    private INDArray oneHot;
    private INDArray targetColumn;

    SampleSplit(String name, int[] bars, float[][] standardisedRows, int width, int lookback, int[] labels,
            double[] forwardReturns, double[] targets, long[] timeMs) {
        this.name = name;
        this.bars = bars;
        this.standardisedRows = standardisedRows;
        this.width = width;
        this.lookback = lookback;
        this.labels = labels;
        this.forwardReturns = forwardReturns;
        this.targets = targets;
        this.timeMs = timeMs;
    }

    /**
     * The samples at {@code positions} (ascending indices into this split), as a split of the same name over the same
     * bars: e.g. the student samples that have an aligned teacher output ({@link CrossTimeframeData}).
     */
    public SampleSplit subset(int[] positions) {
        int[] b = new int[positions.length];
        int[] y = new int[positions.length];
        double[] r = new double[positions.length];
        double[] g = new double[positions.length];
        long[] t = new long[positions.length];
        for (int k = 0; k < positions.length; k++) {
            if (k > 0 && positions[k] <= positions[k - 1]) {
                throw new IllegalArgumentException("positions must be ascending");
            }
            b[k] = bars[positions[k]];
            y[k] = labels[positions[k]];
            r[k] = forwardReturns[positions[k]];
            g[k] = targets[positions[k]];
            t[k] = timeMs[positions[k]];
        }
        return new SampleSplit(name, b, standardisedRows, width, lookback, y, r, g, t);
    }

    /** {@code train}, {@code validation} or {@code test}. */
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return bars.length;
    }

    /** Standardised feature rows, float {@code [n, features]}. */
    public synchronized INDArray features() {
        if (features == null) {
            int d = width;
            float[] data = new float[bars.length * d];
            for (int k = 0; k < bars.length; k++) {
                System.arraycopy(standardisedRows[bars[k]], 0, data, k * d, d);
            }
            features = Nd4j.create(data, new long[] {bars.length, d}, 'c');
        }
        return features;
    }

    /**
     * Standardised windows, float {@code [n, features, lookback]} (NCW, as DL4J's recurrent layers expect); time step
     * {@code lookback - 1} is the sample's own bar. Built on first call, then cached.
     */
    public synchronized INDArray windows() {
        if (windows == null) {
            int d = width;
            int l = lookback;
            float[] data = new float[bars.length * d * l];
            for (int k = 0; k < bars.length; k++) {
                int first = bars[k] - l + 1;
                for (int t = 0; t < l; t++) {
                    float[] row = standardisedRows[first + t];
                    for (int f = 0; f < d; f++) {
                        data[(k * d + f) * l + t] = row[f];
                    }
                }
            }
            windows = Nd4j.create(data, new long[] {bars.length, d, l}, 'c');
        }
        return windows;
    }

    /** Class labels ({@link Labels#SELL}, {@link Labels#HOLD}, {@link Labels#BUY}), a copy. */
    public int[] labels() {
        return labels.clone();
    }

    /** One-hot labels, float {@code [n, 3]}. */
    public synchronized INDArray labelsOneHot() {
        if (oneHot == null) {
            float[] data = new float[labels.length * Labels.NUM_CLASSES];
            for (int k = 0; k < labels.length; k++) {
                data[k * Labels.NUM_CLASSES + labels[k]] = 1f;
            }
            oneHot = Nd4j.create(data, new long[] {labels.length, Labels.NUM_CLASSES}, 'c');
        }
        return oneHot;
    }

    /** Forward log returns over the horizon (the regression target), a copy. */
    public double[] forwardReturns() {
        return forwardReturns.clone();
    }

    /**
     * The regression targets: the forward log returns divided by the data's target scale
     * ({@link PreparedData#targetScale()}, 1 unless {@code data.labels.scale: volatility}), a copy.
     */
    public double[] targets() {
        return targets.clone();
    }

    /** The regression targets as a float column {@code [n, 1]}. */
    public synchronized INDArray targetColumn() {
        if (targetColumn == null) {
            float[] data = new float[targets.length];
            for (int k = 0; k < targets.length; k++) {
                data[k] = (float) targets[k];
            }
            targetColumn = Nd4j.create(data, new long[] {targets.length, 1}, 'c');
        }
        return targetColumn;
    }

    /** What a network of {@code task} trains on: {@link #labelsOneHot()} or {@link #targetColumn()}. */
    public INDArray trainingLabels(io.distill4j.data.DataConfig.Task task) {
        return task == io.distill4j.data.DataConfig.Task.REGRESSION ? targetColumn() : labelsOneHot();
    }

    /** Open time of each sample's bar, a copy. */
    public long[] timeMs() {
        return timeMs.clone();
    }

    /** Index of each sample's bar in the source series, a copy. */
    @Override
    public INDArray input(io.distill4j.api.InputKind kind) {
        return kind == io.distill4j.api.InputKind.TABULAR ? features() : windows();
    }

    @Override
    public int[] barIndices() {
        return bars.clone();
    }

    /** Number of samples per class, indexed by class. */
    public int[] classCounts() {
        int[] c = new int[Labels.NUM_CLASSES];
        for (int y : labels) {
            c[y]++;
        }
        return c;
    }
}
