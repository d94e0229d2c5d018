package io.distill4j.runtime;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An exported student: its network, the standardiser fitted on its training data, the features it reads and its
 * provenance. Immutable and thread-safe; answers come from a {@link Predictor} (standardised input) or a
 * {@link SignalStream} (raw bars), one per thread.
 *
 * <pre>{@code
 * StudentModel model = StudentModel.load(Path.of("results/quickstart/students/ab12cd34ef56.d4jr"));
 * SignalStream signals = model.newSignalStream();
 * float[] p = new float[model.numClasses()];
 * if (signals.onBar(openTimeMs, open, high, low, close, volume, p)) { ... p = [sell, hold, buy] ... }
 * }</pre>
 */
public final class StudentModel {
    private final Map<String, String> metadata;
    private final boolean sequenceInput;
    private final int lookback;
    private final List<String> featureNames;
    private final double[] mean;
    private final double[] std;
    private final List<Layer> layers;
    private final FeatureSet featureSet;

    /**
     * A model from its parts; the layers must chain (each reads what the previous writes).
     *
     * @param metadata provenance and feature specification, written as is ({@link ModelFile})
     * @param sequenceInput whether the network reads a window {@code [lookback][features]} rather than one row
     * @param lookback the window length in bars (rows) of a sequence network; for a tabular one, the study's value
     * @param featureNames the features, in column order
     * @param mean the standardiser's per-feature mean
     * @param std the standardiser's per-feature standard deviation
     * @param layers the network, input to output
     * @throws IllegalArgumentException when the parts do not fit together
     */
    public StudentModel(Map<String, String> metadata, boolean sequenceInput, int lookback, List<String> featureNames,
            double[] mean, double[] std, List<Layer> layers) {
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        this.sequenceInput = sequenceInput;
        this.lookback = lookback;
        this.featureNames = List.copyOf(featureNames);
        this.mean = mean.clone();
        this.std = std.clone();
        this.layers = List.copyOf(layers);
        int f = featureNames.size();
        ModelFile.check(f > 0 && mean.length == f && std.length == f, "the standardiser has " + mean.length + "/"
                + std.length + " values for " + f + " features");
        ModelFile.check(!layers.isEmpty(), "a model needs at least one layer");
        ModelFile.check(!sequenceInput || lookback > 0, "a sequence model needs a lookback > 0, got " + lookback);
        boolean seq = sequenceInput;
        int width = f;
        for (Layer layer : layers) {
            ModelFile.check(layer.sequenceIn() == seq && layer.inWidth() == width, "layer '" + layer.describe()
                    + "' reads " + (layer.sequenceIn() ? "a sequence" : "a vector") + " of width " + layer.inWidth()
                    + " but gets " + (seq ? "a sequence" : "a vector") + " of width " + width);
            seq = layer.sequenceOut();
            width = layer.outWidth();
        }
        ModelFile.check(!seq, "the network ends in a sequence, not a vector of class scores");
        this.featureSet = featureSet(this.metadata, this.featureNames);
    }

    /**
     * The features a model computes from bars: the set of its {@code feature.set} metadata (a declared set), else the
     * 12 built-in ones when its feature names are theirs, else {@code null} (a model for features this runtime
     * cannot compute: it predicts from rows, but has no signal stream).
     */
    private static FeatureSet featureSet(Map<String, String> metadata, List<String> names) {
        String declared = metadata.get(FEATURE_SET_KEY);
        if (declared == null && !names.equals(FeatureStream.NAMES)) {
            return null;
        }
        FeatureSet set;
        try {
            set = declared == null ? FeatureSet.DEFAULT : FeatureSet.parse(declared);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("metadata " + FEATURE_SET_KEY + " '" + declared + "': "
                    + e.getMessage(), e);
        }
        ModelFile.check(set.names().equals(names), "the feature names " + names + " are not those of the feature "
                + "set '" + set + "' " + set.names());
        return set;
    }

    /** The metadata key of a declared feature set's canonical text ({@link FeatureSet#canonical}). */
    public static final String FEATURE_SET_KEY = "feature_set";

    /** The features the model computes from bars (see {@link SignalStream}); {@code null} when it has none. */
    public FeatureSet featureSet() {
        return featureSet;
    }

    /** Reads a model file. */
    public static StudentModel load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in);
        } catch (IOException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a model from a stream (the stream is not closed). */
    public static StudentModel read(InputStream in) throws IOException {
        try {
            return ModelFile.read(new DataInputStream(new BufferedInputStream(in)));
        } catch (java.io.EOFException e) {
            throw new IOException("the model file is truncated", e);
        }
    }

    /** Writes the model file (format {@value ModelFile#VERSION}). */
    public void write(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(new BufferedOutputStream(out));
        ModelFile.write(this, data);
        data.flush();
    }

    /** Writes the model file to {@code file}. */
    public void save(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(out);
        }
    }

    /** A new predictor (its own buffers; not thread-safe). */
    public Predictor newPredictor() {
        return new Predictor(this);
    }

    /** A new bar-to-signal stream (its own feature state and buffers; not thread-safe). */
    public SignalStream newSignalStream() {
        return new SignalStream(this);
    }

    /** Provenance and feature specification, e.g. {@code study}, {@code trial_id}, {@code config_hash}. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Whether the network reads a window {@code [lookback][features]} (else one feature row). */
    public boolean sequenceInput() {
        return sequenceInput;
    }

    public int lookback() {
        return lookback;
    }

    /** Bars per window the network reads: {@link #lookback()} for a sequence network, else 1. */
    public int steps() {
        return sequenceInput ? lookback : 1;
    }

    public List<String> featureNames() {
        return featureNames;
    }

    public int numFeatures() {
        return featureNames.size();
    }

    /** Width of the output (3 classes: sell, hold, buy). */
    public int numClasses() {
        return layers.get(layers.size() - 1).outWidth();
    }

    /** Floats the network reads per call: {@code steps() * numFeatures()}. */
    public int inputSize() {
        return steps() * numFeatures();
    }

    double[] mean() {
        return mean;
    }

    double[] std() {
        return std;
    }

    /** The standardiser's per-feature mean, a copy. */
    public double[] standardiserMean() {
        return mean.clone();
    }

    /** The standardiser's per-feature standard deviation, a copy. */
    public double[] standardiserStd() {
        return std.clone();
    }

    public List<Layer> layers() {
        return layers;
    }

    /** Standardises {@code raw} into {@code out[offset ..]}: {@code (float) ((raw - mean) / std)}. */
    public void standardise(double[] raw, float[] out, int offset) {
        for (int j = 0; j < mean.length; j++) {
            out[offset + j] = (float) ((raw[j] - mean[j]) / std[j]);
        }
    }

    /** Trainable parameters of the network. */
    public long parameters() {
        long n = 0;
        for (Layer l : layers) {
            n += l.parameters();
        }
        return n;
    }

    /** Multiply-accumulates for one answer. */
    public long multiplyAccumulates() {
        long n = 0;
        for (Layer l : layers) {
            n += l.multiplyAccumulates(steps());
        }
        return n;
    }

    /** One line per layer. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        for (Layer l : layers) {
            b.append(b.length() == 0 ? "" : " -> ").append(l.describe());
        }
        return b.toString();
    }
}
