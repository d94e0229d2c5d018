package io.distill4j.api;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a teacher says about a set of samples.
 *
 * @param logits {@code [n, classes]}, before softmax
 * @param features named hidden activations (layer name to {@code [n, width]} or {@code [n, width, time]})
 */
public record TeacherOutputs(INDArray logits, Map<String, INDArray> features) {
    public TeacherOutputs {
        features = Map.copyOf(features);
    }

    public long size() {
        return logits.size(0);
    }
}
