package io.distill4j.api;

import java.io.IOException;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A trained teacher: produces logits and named activations for any input of its {@link InputKind}. */
public interface FittedTeacher {
    /**
     * Runs the teacher in inference mode.
     *
     * @param input {@code [n, features]} or {@code [n, features, lookback]}
     */
    TeacherOutputs infer(INDArray input);

    /** Trainable parameters (0 for rule-based teachers). */
    long parameterCount();

    /** Saves the trained model as a DL4J model zip. */
    void save(Path zip) throws IOException;
}
