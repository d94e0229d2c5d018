package io.distill4j.model;

import io.distill4j.api.InputKind;
import io.distill4j.api.InputShape;
import io.distill4j.api.Student;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;

/**
 * Multinomial logistic regression on the tabular features: a body without layers, so the framework's {@code logits}
 * layer reads the input directly and the deployable model is {@code softmax(W x + b)} with
 * {@code (features + 1) * classes} parameters. It is the {@code linear} student; it has no keys and no feature
 * layers (a hint term cannot read it).
 *
 * <pre>
 * student: {type: linear}
 * </pre>
 */
public record LinearNetwork() implements Student {
    @Override
    public String describe() {
        return "linear";
    }

    @Override
    public InputKind inputKind() {
        return InputKind.TABULAR;
    }

    /** Adds nothing: the body's output is the input itself. */
    @Override
    public String addBody(ComputationGraphConfiguration.GraphBuilder graph, String input, InputShape shape) {
        return input;
    }

    /**
     * Always throws: the body's width is the input's, see {@link #outputSize(InputShape)}.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public int outputSize() {
        throw new UnsupportedOperationException("a linear body's width is the input's: use outputSize(shape)");
    }

    @Override
    public int outputSize(InputShape shape) {
        return shape.features();
    }

    @Override
    public List<String> featureLayers() {
        return List.of();
    }
}
