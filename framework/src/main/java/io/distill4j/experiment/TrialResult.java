package io.distill4j.experiment;

import java.util.Map;

/**
 * What a trial produced: test and validation metrics (by name; an ensemble teacher adds
 * {@code member.<name>.<metric>}), parameter counts, timing, the tracking run, other facts (e.g. a teacher's
 * {@code train_seconds} and {@code from_cache}), and a failure reason when it failed (then the metrics are empty).
 */
public record TrialResult(
        Trial trial,
        String trialId,
        Map<String, Double> test,
        Map<String, Double> validation,
        long parameters,
        long millis,
        String runId,
        String failure,
        Map<String, Double> facts) {

    public TrialResult {
        test = Map.copyOf(test);
        validation = Map.copyOf(validation);
        facts = Map.copyOf(facts);
    }

    public boolean failed() {
        return failure != null;
    }

    /** Fact set on a result that {@code --resume} took from the ledger (trained by an earlier run, not this one). */
    public static final String FROM_LEDGER = "from_ledger";

    /** Whether this result was taken from the ledger by a resume rather than trained in this run. */
    public boolean fromLedger() {
        return facts.getOrDefault(FROM_LEDGER, 0.0) > 0;
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
