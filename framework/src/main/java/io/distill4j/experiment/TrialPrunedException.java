package io.distill4j.experiment;

/**
 * Stops a trial early because a pruner judged it unpromising (a hyperparameter search's median pruner throws it from
 * {@link TrialListener#epochFinished}). The executor returns the trial as a failed result whose reason says
 * {@code pruned at epoch N} and whose facts hold {@value #PRUNED_EPOCH} (1-based, the last epoch it trained); its
 * tracking run ends KILLED with the tag {@code distill4j.status=PRUNED}, keeping the per-epoch curve it logged.
 */
public final class TrialPrunedException extends RuntimeException {
    /** The fact naming the (1-based) epoch a pruned trial stopped after. */
    public static final String PRUNED_EPOCH = "pruned_epoch";

    private final int epoch;

    /** @param epoch the 1-based epoch after which the trial stops */
    public TrialPrunedException(int epoch, String reason) {
        super("pruned at epoch " + epoch + ": " + reason);
        this.epoch = epoch;
    }

    /** The 1-based epoch after which the trial stopped. */
    public int epoch() {
        return epoch;
    }

    /** Whether {@code result} is a pruned trial's. */
    public static boolean pruned(TrialResult result) {
        return result.facts().containsKey(PRUNED_EPOCH);
    }
}
