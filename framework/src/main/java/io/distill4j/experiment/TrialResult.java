package io.distill4j.experiment;

import java.util.Map;

/**
 * What a trial produced: test and validation metrics (by name), parameter counts, timing, the tracking run, and
 * a failure reason when it failed (then the metrics are empty).
 */
public record TrialResult(
        Trial trial,
        String trialId,
        Map<String, Double> test,
        Map<String, Double> validation,
        long parameters,
        long millis,
        String runId,
        String failure) {

    public TrialResult {
        test = Map.copyOf(test);
        validation = Map.copyOf(validation);
    }

    public boolean failed() {
        return failure != null;
    }

    /** A test metric, or {@code NaN}. */
    public double test(String metric) {
        return test.getOrDefault(metric, Double.NaN);
    }

    /** A validation metric, or {@code NaN}. */
    public double validation(String metric) {
        return validation.getOrDefault(metric, Double.NaN);
    }
}
