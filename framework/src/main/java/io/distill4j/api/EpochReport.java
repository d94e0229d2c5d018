package io.distill4j.api;

import java.util.Map;

/**
 * What happened in one training epoch.
 *
 * @param epoch 0-based epoch
 * @param epochs planned epochs
 * @param trainLoss mean training loss over the epoch's minibatches
 * @param validationLoss the fixed-scale validation criterion: cross-entropy of the network's probabilities against
 *     the hard labels of the validation split, whatever its loss heads ({@code NaN} when there is none)
 * @param values other per-epoch values (scheduled parameters, validation accuracy), by metric name
 * @param millis wall time of the epoch
 * @param scope whose epoch it is, as a metric-name prefix ({@code ""} for the network itself, e.g. {@code lstm.} for
 *     an ensemble member)
 */
public record EpochReport(int epoch, int epochs, double trainLoss, double validationLoss, Map<String, Double> values,
        long millis, String scope) {
    public EpochReport {
        values = Map.copyOf(values);
    }

    /** A report of the network itself (empty scope). */
    public EpochReport(int epoch, int epochs, double trainLoss, double validationLoss, Map<String, Double> values,
            long millis) {
        this(epoch, epochs, trainLoss, validationLoss, values, millis, "");
    }

    /** The same report under a scope prefix (prefixes nest: {@code outer.inner.}). */
    public EpochReport scoped(String prefix) {
        return new EpochReport(epoch, epochs, trainLoss, validationLoss, values, millis, prefix + scope);
    }
}
