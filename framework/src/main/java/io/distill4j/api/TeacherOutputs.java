package io.distill4j.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a teacher says about a set of samples: logits, named hidden activations and, for an ensemble, each member's
 * logits. Activations may be <b>lazy</b> (read from the teacher cache only when a loss asks for that layer, see
 * {@link #lazy}): {@link #feature(String)} loads one layer, {@link #featureLayers()} names them without loading.
 */
public final class TeacherOutputs {
    private final INDArray logits;
    private final Map<String, Supplier<INDArray>> features;
    private final Map<String, INDArray> members;

    /**
     * @param logits {@code [n, classes]}, before softmax (for probability-averaging ensembles: log of the averaged
     *     probabilities)
     * @param features named hidden activations (layer name to {@code [n, width]} or {@code [n, width, time]})
     * @param members for an ensemble, each member's own logits by member name; empty otherwise
     */
    public TeacherOutputs(INDArray logits, Map<String, INDArray> features, Map<String, INDArray> members) {
        this(suppliers(features), logits, members);
    }

    /** Outputs of a single (non-ensemble) teacher. */
    public TeacherOutputs(INDArray logits, Map<String, INDArray> features) {
        this(logits, features, Map.of());
    }

    private TeacherOutputs(Map<String, Supplier<INDArray>> features, INDArray logits, Map<String, INDArray> members) {
        this.logits = logits;
        this.members = Map.copyOf(members);
        this.features = Collections.unmodifiableMap(new LinkedHashMap<>(features));
    }

    /**
     * Outputs whose activations are produced on demand: each {@link #feature} call runs the layer's supplier (e.g. a
     * file read) and nothing is kept, so memory holds only the activations a trial is using.
     */
    public static TeacherOutputs lazy(INDArray logits, Map<String, Supplier<INDArray>> features,
            Map<String, INDArray> members) {
        return new TeacherOutputs(features, logits, members);
    }

    private static Map<String, Supplier<INDArray>> suppliers(Map<String, INDArray> arrays) {
        Map<String, Supplier<INDArray>> out = new LinkedHashMap<>();
        arrays.forEach((k, v) -> out.put(k, () -> v));
        return out;
    }

    public INDArray logits() {
        return logits;
    }

    /** Each ensemble member's own logits by member name; empty otherwise. */
    public Map<String, INDArray> members() {
        return members;
    }

    /** The names of the hidden activations, without loading any. */
    public Set<String> featureLayers() {
        return features.keySet();
    }

    /**
     * One layer's activations ({@code [n, width]} or {@code [n, width, time]}), loaded now if lazy.
     *
     * @throws IllegalArgumentException for a layer the teacher does not expose, naming the ones it does
     */
    public INDArray feature(String layer) {
        Supplier<INDArray> s = features.get(layer);
        if (s == null) {
            throw new IllegalArgumentException("the teacher has no activations for layer '" + layer + "' (it has: "
                    + (features.isEmpty() ? "none" : String.join(", ", features.keySet())) + ")");
        }
        return s.get();
    }

    /** Every activation by layer name (loads all of them if lazy). */
    public Map<String, INDArray> features() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        features.keySet().forEach(k -> out.put(k, feature(k)));
        return Collections.unmodifiableMap(out);
    }

    public long size() {
        return logits.size(0);
    }
}
