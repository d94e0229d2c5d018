package io.distill4j.search;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The median stopping rule (as Optuna's {@code MedianPruner}): a trial whose validation criterion after epoch
 * {@code e} is worse than the median of the finished candidates' trials after the same epoch is stopped. The
 * criterion is the per-epoch validation loss every trial reports (hard-label cross-entropy, lower is better; see
 * {@code GraphTrainer}), whatever the search's objective. It prunes only from epoch {@code warmup_epochs} on, never at
 * a trial's last epoch, and only once {@code min_candidates} candidates have finished.
 *
 * <p>Its history grows only between batches of candidates ({@link #add}), so whether a trial is pruned depends on the
 * candidates before its batch, not on which of the batch's trials happens to finish first: a search with several
 * workers, and a resumed one, prune the same trials.
 */
public final class MedianPruner {
    private final SearchConfig.Pruning settings;
    private final Map<Integer, List<Double>> byEpoch = new HashMap<>();
    private int candidates;
    private final List<List<List<Double>>> added = new ArrayList<>();

    /** @param settings the pruning settings; empty: never prunes */
    public MedianPruner(Optional<SearchConfig.Pruning> settings) {
        this.settings = settings.orElse(null);
    }

    /** Adds a finished candidate's curves (one per seed: validation loss per epoch, epoch 1 first). */
    public synchronized void add(List<List<Double>> curves) {
        candidates++;
        added.add(curves.stream().map(c -> List.copyOf(c)).toList());
        for (List<Double> curve : curves) {
            for (int e = 0; e < curve.size(); e++) {
                byEpoch.computeIfAbsent(e + 1, k -> new ArrayList<>()).add(curve.get(e));
            }
        }
    }

    /** Every {@link #add}'s curves so far, in order: adding them to a new pruner of the same settings gives this one. */
    public synchronized List<List<List<Double>>> history() {
        return List.copyOf(added);
    }

    /**
     * Why a trial with validation loss {@code value} after 1-based {@code epoch} of {@code epochs} should stop, or
     * empty to go on.
     */
    public synchronized Optional<String> verdict(int epoch, int epochs, double value) {
        if (settings == null || epoch < settings.warmupEpochs() || epoch >= epochs
                || candidates < settings.minCandidates()) {
            return Optional.empty();
        }
        List<Double> earlier = byEpoch.get(epoch);
        if (earlier == null || earlier.isEmpty()) {
            return Optional.empty();
        }
        double median = median(earlier);
        if (!(value > median)) {
            return Optional.empty();
        }
        return Optional.of(String.format(java.util.Locale.ROOT,
                "validation loss %.4f above the median %.4f of %d finished trial(s) after the same epoch",
                value, median, earlier.size()));
    }

    /** The median of {@code values} (the mean of the middle two for an even count). */
    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
