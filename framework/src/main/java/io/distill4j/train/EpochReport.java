package io.distill4j.train;

import java.util.Map;

/**
 * What happened in one training epoch.
 *
 * @param epoch 0-based epoch
 * @param epochs planned epochs
 * @param trainLoss mean training loss over the epoch's minibatches
 * @param validationLoss loss on the validation split ({@code NaN} when there is none)
 * @param values other per-epoch values (scheduled parameters, validation accuracy), by metric name
 * @param millis wall time of the epoch
 */
public record EpochReport(int epoch, int epochs, double trainLoss, double validationLoss, Map<String, Double> values,
        long millis) {
    public EpochReport {
        values = Map.copyOf(values);
    }
}
