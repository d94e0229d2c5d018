package io.distill4j.experiment;

import io.distill4j.api.InputShape;
import io.distill4j.api.ModelInput;
import io.distill4j.data.features.PreparedData;
import io.distill4j.data.features.SampleSplit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A trial's view of its prepared data, limited to its {@link EvaluationScope}: asking for a split outside the scope
 * is a programming error and throws, so a trial run with {@link EvaluationScope#VALIDATION_ONLY} provably never feeds
 * the test split to a model or a metric.
 */
final class TrialData {
    private final PreparedData data;
    private final EvaluationScope scope;

    TrialData(PreparedData data, EvaluationScope scope) {
        this.data = data;
        this.scope = scope;
    }

    /** {@code train}, {@code validation} or {@code test}, if the scope includes it. */
    SampleSplit split(String name) {
        if (!scope.splits().contains(name)) {
            throw new IllegalStateException("the " + name + " split is outside this trial's evaluation scope ("
                    + scope + ")");
        }
        return data.split(name);
    }

    /** Every split in scope, in order (train, validation[, test]). */
    Map<String, ModelInput> inputs() {
        Map<String, ModelInput> out = new LinkedHashMap<>();
        scope.splits().forEach(s -> out.put(s, split(s)));
        return out;
    }

    EvaluationScope scope() {
        return scope;
    }

    InputShape shape() {
        return new InputShape(data.featureNames().size(), data.lookback(), data.outputWidth());
    }

    PreparedData prepared() {
        return data;
    }
}
