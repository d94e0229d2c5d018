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
 * @param values other per-epoch values by metric name: the label-based validation metrics ({@link #VAL_ACCURACY},
 *     {@link #VAL_MACRO_F1}, {@link #VAL_AGREEMENT}), each loss head's objective term and the value of every
 *     scheduled loss parameter
 * @param millis wall time of the epoch
 * @param scope whose epoch it is, as a metric-name prefix ({@code ""} for the network itself, e.g. {@code lstm.} for
 *     an ensemble member)
 */
public record EpochReport(int epoch, int epochs, double trainLoss, double validationLoss, Map<String, Double> values,
        long millis, String scope) {
    /** Per-epoch validation accuracy (label-based, comparable across roles and loss settings). */
    public static final String VAL_ACCURACY = "epoch.val_accuracy";
    /** Per-epoch validation macro-F1. */
    public static final String VAL_MACRO_F1 = "epoch.val_macro_f1";
    /** Per-epoch share of validation samples where a student's prediction equals its teacher's. */
    public static final String VAL_AGREEMENT = "epoch.val_agreement";
    /** Validation mean squared error of a regression network (its criterion). */
    public static final String VAL_MSE = "epoch.val_mse";
    /** Validation R2 of a regression network. */
    public static final String VAL_R2 = "epoch.val_r2";
    /** Validation information coefficient (Spearman) of a regression network. */
    public static final String VAL_IC = "epoch.val_ic";
    /** Per-epoch validation cross-entropy against the hard labels: {@link #validationLoss()} when tracked. */
    public static final String VAL_CROSS_ENTROPY = "epoch.val_cross_entropy";
    /** The training objective (all loss terms, L2 included), mean over the epoch: {@link #trainLoss()}. */
    public static final String OBJECTIVE_TRAIN = "objective.train";
    /** The objective's loss terms summed on the validation split (no L2 term). */
    public static final String OBJECTIVE_VAL = "objective.val";

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
