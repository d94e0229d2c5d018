package io.distill4j.api;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a teacher says about a set of samples.
 *
 * @param logits {@code [n, classes]}, before softmax (for probability-averaging ensembles: log of the averaged
 *     probabilities)
 * @param features named hidden activations (layer name to {@code [n, width]} or {@code [n, width, time]})
 * @param members for an ensemble, each member's own logits by member name; empty otherwise
 */
public record TeacherOutputs(INDArray logits, Map<String, INDArray> features, Map<String, INDArray> members) {
    public TeacherOutputs {
        features = Map.copyOf(features);
        members = Map.copyOf(members);
    }

    /** Outputs of a single (non-ensemble) teacher. */
    public TeacherOutputs(INDArray logits, Map<String, INDArray> features) {
        this(logits, features, Map.of());
    }

    public long size() {
        return logits.size(0);
    }
}
