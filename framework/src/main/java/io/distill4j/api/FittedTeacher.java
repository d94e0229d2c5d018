package io.distill4j.api;

import java.io.IOException;
import java.nio.file.Path;

/** A trained teacher: produces logits and named activations for any input of its {@link InputKind}. */
public interface FittedTeacher {
    /** Runs the teacher in inference mode on a set of samples. */
    TeacherOutputs infer(ModelInput input);

    /** Trainable parameters (0 for rule-based teachers). */
    long parameterCount();

    /**
     * Saves the trained model as a zip: a DL4J model zip for network teachers, the model's own format inside a zip
     * otherwise (a gbt teacher: XGBoost's model); a {@code saved} teacher reads both.
     */
    void save(Path zip) throws IOException;
}
