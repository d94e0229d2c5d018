package io.distill4j.runtime;

/**
 * Bar in, signal out: updates the features ({@link FeatureSet#newStream}: the 12 built-in ones or a declared set), standardises them with the model's standardiser,
 * keeps the last {@code lookback} rows of the current contiguous run for a sequence model, and runs the network.
 * A sequence model answers once {@code lookback} feature rows of one run exist, from the window of the last
 * {@code lookback} rows with the LSTM state starting at zero, exactly as in training (so an LSTM runs
 * {@code lookback} steps per bar; the features themselves cost O(1) per bar). Allocates nothing per bar; not
 * thread-safe.
 */
public final class SignalStream {
    private final StudentModel model;
    private final Predictor predictor;
    private static final double[] NO_COLUMNS = new double[0];
    private final BarFeatures features;
    private final int columns;
    private final double[] raw;
    private final float[] window; // ring of standardised rows, [lookback][features]
    private final float[] input;
    private final int f;
    private final int steps;
    private long rows; // defined rows of the current run

    SignalStream(StudentModel model) {
        FeatureSet set = model.featureSet();
        if (set == null) {
            throw new UnsupportedOperationException("this runtime computes the features " + FeatureStream.NAMES
                    + " or a declared feature set from bars; the model reads " + model.featureNames()
                    + " and declares no " + StudentModel.FEATURE_SET_KEY);
        }
        String interval = model.metadata().get("interval_ms");
        if (interval == null) {
            throw new IllegalArgumentException("the model file has no interval_ms: it cannot tell gaps from bars");
        }
        this.model = model;
        this.predictor = model.newPredictor();
        this.features = set.newStream(Long.parseLong(interval));
        this.columns = set.inputs().size();
        this.f = model.numFeatures();
        this.steps = model.steps();
        this.raw = new double[f];
        this.window = new float[steps * f];
        this.input = new float[steps * f];
    }

    public StudentModel model() {
        return model;
    }

    /** Forgets every bar (e.g. after a reconnect): the next bar starts a new run. */
    public void reset() {
        features.reset();
        rows = 0;
    }

    /**
     * Takes the next bar; when the model can answer, writes the class probabilities {@code [sell, hold, buy]}.
     *
     * @return whether {@code probabilities} was written (enough bars of the current run have been seen)
     */
    public boolean onBar(long openTimeMs, double open, double high, double low, double close, double volume,
            float[] probabilities) {
        if (columns > 0) {
            throw new IllegalStateException("the model reads the inputs " + model.featureSet().inputs()
                    + " besides the bar: pass their values with onBar(..., volume, inputs, probabilities)");
        }
        return onBar(openTimeMs, open, high, low, close, volume, NO_COLUMNS, probabilities);
    }

    /**
     * Takes the next bar with the model's other inputs ({@link FeatureSet#inputs} of {@link StudentModel#featureSet},
     * in that order: extra columns, then the other assets' open, high, low, close, volume at this open time, all
     * {@code NaN} for an asset that has no such bar).
     *
     * @return whether {@code probabilities} was written (enough bars of the current run have been seen)
     */
    public boolean onBar(long openTimeMs, double open, double high, double low, double close, double volume,
            double[] columnValues, float[] probabilities) {
        if (columnValues.length != columns) {
            throw new IllegalArgumentException("expected " + columns + " input value(s) "
                    + model.featureSet().inputs() + ", got " + columnValues.length);
        }
        boolean defined = features.update(openTimeMs, open, high, low, close, volume, columnValues, raw);
        if (features.runLength() == 1) {
            rows = 0; // a new run: rows of the previous one are never mixed in
        }
        if (!defined) {
            return false;
        }
        int slot = (int) (rows % steps);
        model.standardise(raw, window, slot * f);
        rows++;
        if (rows < steps) {
            return false;
        }
        if (steps == 1) {
            predictor.predict(window, probabilities);
            return true;
        }
        int oldest = (int) (rows % steps); // the slot after the newest is the oldest
        int tail = (steps - oldest) * f;
        System.arraycopy(window, oldest * f, input, 0, tail);
        System.arraycopy(window, 0, input, tail, oldest * f);
        predictor.predict(input, probabilities);
        return true;
    }

    /** The index of the largest of {@code probabilities[0 .. n)}: 0 sell, 1 hold, 2 buy. */
    public static int argmax(float[] probabilities, int n) {
        int best = 0;
        for (int k = 1; k < n; k++) {
            if (probabilities[k] > probabilities[best]) {
                best = k;
            }
        }
        return best;
    }
}
