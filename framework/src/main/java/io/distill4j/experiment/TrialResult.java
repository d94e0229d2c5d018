package io.distill4j.experiment;

import java.util.Map;

/**
 * What a trial produced: test and validation metrics (by name; an ensemble teacher adds
 * {@code member.<name>.<metric>}), parameter counts, timing, the tracking run, other facts (e.g. a teacher's
 * {@code train_seconds} and {@code from_cache}), a failure reason when it failed (then the metrics are empty), and
 * for a student or teacher its predicted class on every test sample, one digit per sample in test order ({@code "0"} sell,
 * {@code "1"} hold, {@code "2"} buy; {@code ""} when not recorded), which the summary's block bootstrap needs.
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
        Map<String, Double> facts,
        String testPredictions) {

    public TrialResult {
        test = Map.copyOf(test);
        validation = Map.copyOf(validation);
        facts = Map.copyOf(facts);
        testPredictions = testPredictions == null ? "" : testPredictions;
        for (int i = 0; i < testPredictions.length(); i++) {
            char c = testPredictions.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("test predictions must be class digits, got '" + c + "' at " + i);
            }
        }
    }

    /** A result without test predictions (teachers, failures). */
    public TrialResult(Trial trial, String trialId, Map<String, Double> test, Map<String, Double> validation,
            long parameters, long millis, String runId, String failure, Map<String, Double> facts) {
        this(trial, trialId, test, validation, parameters, millis, runId, failure, facts, "");
    }

    /** Predicted classes as digits, in sample order: the {@link #testPredictions} format. */
    public static String predictionText(int[] classes) {
        StringBuilder b = new StringBuilder(classes.length);
        for (int c : classes) {
            if (c < 0 || c > 9) {
                throw new IllegalArgumentException("class " + c + " is not a single digit");
            }
            b.append((char) ('0' + c));
        }
        return b.toString();
    }

    /** Whether each test sample was predicted right, against {@code labels}; empty without predictions. */
    public boolean[] testCorrect(int[] labels) {
        if (testPredictions.isEmpty()) {
            return new boolean[0];
        }
        if (labels.length != testPredictions.length()) {
            throw new IllegalArgumentException("trial " + trialId + " has " + testPredictions.length()
                    + " test predictions for " + labels.length + " test labels");
        }
        boolean[] out = new boolean[labels.length];
        for (int i = 0; i < labels.length; i++) {
            out[i] = testPredictions.charAt(i) - '0' == labels[i];
        }
        return out;
    }

    /** The same result with one more fact (or a fact replaced). */
    public TrialResult withFact(String name, double value) {
        Map<String, Double> more = new java.util.LinkedHashMap<>(facts);
        more.put(name, value);
        return new TrialResult(trial, trialId, test, validation, parameters, millis, runId, failure, more,
                testPredictions);
    }

    /** The same result recorded under tracking run {@code id}. */
    public TrialResult withRunId(String id) {
        return new TrialResult(trial, trialId, test, validation, parameters, millis, id, failure, facts,
                testPredictions);
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
