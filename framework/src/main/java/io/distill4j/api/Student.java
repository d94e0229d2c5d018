package io.distill4j.api;

import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;

/**
 * A student architecture as configured in a study file (plugin kind {@code student}).
 *
 * <p>A student contributes only its body: the framework adds the {@code logits} layer and one output head per loss
 * term ({@link DistillationLoss}), so a student graph can carry several loss heads, and removes the heads again for
 * deployment. Body layers must have stable names so that feature losses can address them.
 */
public interface Student {
    /** A short description for tables and run names, e.g. {@code mlp[16,8]}. */
    String describe();

    /** The input this student reads. */
    InputKind inputKind();

    /**
     * Adds the body's layers to {@code graph}, reading from vertex {@code input}.
     *
     * @return the name of the body's last vertex, whose output width is {@link #outputSize(InputShape)}
     */
    String addBody(ComputationGraphConfiguration.GraphBuilder graph, String input, InputShape shape);

    /** The width of the body's last vertex, for a body whose width does not depend on the input. */
    int outputSize();

    /**
     * The width of the body's last vertex for inputs of {@code shape}: {@link #outputSize()} unless the body's width
     * is the input's (a body without hidden layers, e.g. the linear student, overrides this).
     */
    default int outputSize(InputShape shape) {
        return outputSize();
    }

    /** The names of the body's hidden layers, in order, for feature distillation. */
    List<String> featureLayers();
}
