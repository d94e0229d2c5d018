package io.distill4j.experiment;

import java.util.List;

/**
 * Which splits a trial may read. A study evaluates on validation and test; a hyperparameter search runs its
 * candidates with {@link #VALIDATION_ONLY}, under which the test split is never prepared for a model, inferred or
 * scored (the executor reads it through {@link TrialData}, which refuses it).
 */
public enum EvaluationScope {
    /** Train, validation and test: a study's final runs. */
    VALIDATION_AND_TEST(List.of("train", "validation", "test")),
    /** Train and validation only: tuning, which must never see the test split. */
    VALIDATION_ONLY(List.of("train", "validation"));

    private final List<String> splits;

    EvaluationScope(List<String> splits) {
        this.splits = splits;
    }

    /** The split names a trial in this scope reads, in order. */
    public List<String> splits() {
        return splits;
    }

    public boolean includesTest() {
        return splits.contains("test");
    }
}
