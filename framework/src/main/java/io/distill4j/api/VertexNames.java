package io.distill4j.api;

/**
 * The vertex names every network of the framework shares, so that losses, teachers and export agree on them without
 * depending on how graphs are assembled: {@code input} → body → {@code logits} → training heads, or, in a deployable
 * model, {@code logits} → {@code probabilities}.
 */
public final class VertexNames {
    /** The input vertex. */
    public static final String INPUT = "input";
    /** The dense layer producing class logits (identity activation). */
    public static final String LOGITS = "logits";
    /** The softmax output of a deployable model. */
    public static final String PROBABILITIES = "probabilities";

    private VertexNames() {
    }
}
