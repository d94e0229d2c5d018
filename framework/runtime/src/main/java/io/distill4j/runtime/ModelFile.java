package io.distill4j.runtime;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The exported student file ({@code .d4jr}), format version {@value #VERSION}, all numbers big-endian (Java's
 * {@code DataOutputStream}), strings as {@code writeUTF}:
 * <pre>
 * bytes[4]  magic "D4JR"
 * int       format version (1)
 * int m; m x (utf key, utf value)       metadata: provenance and the feature specification (README lists the keys)
 * int kind  0 = tabular input [features], 1 = sequence input [lookback][features] (time-major)
 * int lookback
 * int f; f x utf                        feature names, in column order
 * double[f] mean; double[f] std         the standardiser: x_std = (x - mean) / std
 * int L; L x layer                      the network, input to output
 * bytes[4]  end marker "END."
 * layer: int type, then
 *   1 dense:      int nIn, nOut, activation; float[nOut*nIn] W (row o = output o); float[nOut] b
 *   2 lstm:       int nIn, n, activation, lastStepOnly; float[4n*nIn] W; float[4n*n] R; float[4n] b
 *   3 conv1d:     int nIn, nOut, kernel, activation; float[nOut*nIn*kernel] W; float[nOut] b (causal, stride 1)
 *   4 pool:       int width, mode (0 max, 1 average over time)
 *   5 activation: int width, activation
 * activation codes: see {@link Activation#code()}.
 * </pre>
 */
public final class ModelFile {
    /** The current format version; a reader refuses any other. */
    public static final int VERSION = 1;
    static final int DENSE = 1;
    static final int LSTM = 2;
    static final int CONV1D = 3;
    static final int POOL = 4;
    static final int ACTIVATION = 5;
    private static final byte[] MAGIC = {'D', '4', 'J', 'R'};
    private static final byte[] END = {'E', 'N', 'D', '.'};
    private static final int MAX_ARRAY = 1 << 28;

    private ModelFile() {
    }

    static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    static void writeFloats(DataOutputStream out, float[] v) throws IOException {
        out.writeInt(v.length);
        for (float x : v) {
            out.writeFloat(x);
        }
    }

    static float[] readFloats(DataInputStream in, long expected, String what) throws IOException {
        int n = in.readInt();
        if (n != expected || n < 0 || n > MAX_ARRAY) {
            throw new IOException(what + ": " + n + " values, expected " + expected);
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = in.readFloat();
        }
        return v;
    }

    /** Writes {@code model} in format {@value #VERSION}. */
    static void write(StudentModel model, DataOutputStream out) throws IOException {
        out.write(MAGIC);
        out.writeInt(VERSION);
        out.writeInt(model.metadata().size());
        for (Map.Entry<String, String> e : model.metadata().entrySet()) {
            out.writeUTF(e.getKey());
            out.writeUTF(e.getValue());
        }
        out.writeInt(model.sequenceInput() ? 1 : 0);
        out.writeInt(model.lookback());
        out.writeInt(model.featureNames().size());
        for (String name : model.featureNames()) {
            out.writeUTF(name);
        }
        for (double m : model.mean()) {
            out.writeDouble(m);
        }
        for (double s : model.std()) {
            out.writeDouble(s);
        }
        out.writeInt(model.layers().size());
        for (Layer layer : model.layers()) {
            layer.write(out);
        }
        out.write(END);
    }

    /** Reads a model written by {@link #write}. */
    static StudentModel read(DataInputStream in) throws IOException {
        byte[] magic = in.readNBytes(4);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new IOException("not a distill4j runtime model (no D4JR header)");
        }
        int version = in.readInt();
        if (version != VERSION) {
            throw new IOException("model file format version " + version + ", this runtime reads version " + VERSION);
        }
        int m = count(in, "metadata entries");
        Map<String, String> meta = new LinkedHashMap<>();
        for (int i = 0; i < m; i++) {
            meta.put(in.readUTF(), in.readUTF());
        }
        int kind = in.readInt();
        if (kind != 0 && kind != 1) {
            throw new IOException("input kind " + kind + ", expected 0 (tabular) or 1 (sequence)");
        }
        int lookback = in.readInt();
        int f = count(in, "features");
        List<String> names = new ArrayList<>(f);
        for (int i = 0; i < f; i++) {
            names.add(in.readUTF());
        }
        double[] mean = new double[f];
        double[] std = new double[f];
        for (int i = 0; i < f; i++) {
            mean[i] = in.readDouble();
        }
        for (int i = 0; i < f; i++) {
            std[i] = in.readDouble();
        }
        int layerCount = count(in, "layers");
        List<Layer> layers = new ArrayList<>(layerCount);
        for (int i = 0; i < layerCount; i++) {
            layers.add(readLayer(in));
        }
        if (!java.util.Arrays.equals(in.readNBytes(4), END)) {
            throw new IOException("the model file is truncated or corrupt (no end marker)");
        }
        try {
            return new StudentModel(meta, kind == 1, lookback, names, mean, std, layers);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static int count(DataInputStream in, String what) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 1 << 20) {
            throw new IOException("corrupt model file: " + n + " " + what);
        }
        return n;
    }

    private static Layer readLayer(DataInputStream in) throws IOException {
        int type = in.readInt();
        try {
            switch (type) {
                case DENSE -> {
                    int nIn = in.readInt();
                    int nOut = in.readInt();
                    Activation a = Activation.ofCode(in.readInt());
                    float[] w = readFloats(in, (long) nIn * nOut, "dense weights");
                    return new Dense(nIn, nOut, a, w, readFloats(in, nOut, "dense bias"));
                }
                case LSTM -> {
                    int nIn = in.readInt();
                    int n = in.readInt();
                    Activation a = Activation.ofCode(in.readInt());
                    boolean last = in.readInt() == 1;
                    float[] w = readFloats(in, 4L * n * nIn, "lstm input weights");
                    float[] r = readFloats(in, 4L * n * n, "lstm recurrent weights");
                    return new Lstm(nIn, n, a, last, w, r, readFloats(in, 4L * n, "lstm bias"));
                }
                case CONV1D -> {
                    int nIn = in.readInt();
                    int nOut = in.readInt();
                    int k = in.readInt();
                    Activation a = Activation.ofCode(in.readInt());
                    float[] w = readFloats(in, (long) nIn * nOut * k, "conv1d weights");
                    return new Conv1d(nIn, nOut, k, a, w, readFloats(in, nOut, "conv1d bias"));
                }
                case POOL -> {
                    int width = in.readInt();
                    return new GlobalPool(width, in.readInt() == 0);
                }
                case ACTIVATION -> {
                    int width = in.readInt();
                    return new ActivationLayer(width, Activation.ofCode(in.readInt()));
                }
                default -> throw new IOException("unknown layer type " + type);
            }
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
