package io.distill4j.api;

import io.distill4j.api.EpochReport;

/**
 * Receives training events; progress bars and trackers are observers, so that trainers stay free of side effects.
 */
public interface TrainingObserver {
    /** Called after every epoch. */
    void onEpoch(EpochReport report);

    /** An observer that ignores everything. */
    TrainingObserver NONE = report -> { };

    /** Both observers, in order. */
    default TrainingObserver andThen(TrainingObserver next) {
        return report -> {
            onEpoch(report);
            next.onEpoch(report);
        };
    }
}
