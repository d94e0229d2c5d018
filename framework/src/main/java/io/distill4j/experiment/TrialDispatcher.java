package io.distill4j.experiment;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Runs batches of a study's trials somewhere else than the runner's own threads: a cluster engine
 * ({@code distill4j run --engine spark}, module {@code spark/}). {@link StudyRunner#withDispatcher} hands it the
 * teachers first (one trial each), then the students level by level (a chain's stage k+1 after stage k); each trial
 * runs on a worker through {@link TrialTask#run}, which trains, exports, tracks and records it in the ledger under
 * the shared results folder, exactly as the runner would. The driver (the runner) writes the parent run, the
 * summary and the report.
 */
public interface TrialDispatcher extends AutoCloseable {
    /** Where a batch's trials record: the shared results folder, the tracking experiment and the parent run. */
    record Batch(Path results, String experimentId, String parentRunId) {
    }

    /**
     * Runs every trial of {@code trials} and returns one result per trial, in any order: a trial whose task failed
     * for good (after the engine's retries) comes back as a failed result with the reason, never left out.
     */
    List<TrialResult> run(List<Trial> trials, Batch batch);

    /** One line for the study's output: the engine and where it runs (e.g. {@code spark local[2]}). */
    String describe();

    @Override
    void close();

    /** An engine by name, found with {@link ServiceLoader} (file {@code META-INF/services/...TrialDispatcher$Factory}). */
    interface Factory {
        /** The {@code --engine} name, e.g. {@code spark}. */
        String engine();

        /**
         * Starts the engine.
         *
         * @param master where to run (engine-specific, e.g. {@code local[2]}, {@code spark://host:7077}); null: the
         *        engine's default
         * @param trackingUri the tracking URI every worker logs to (a shared folder or an MLflow server)
         */
        TrialDispatcher open(String master, String trackingUri);
    }

    /** The factory of {@code engine} on the class path, if any. */
    static Optional<Factory> find(String engine) {
        for (Factory f : ServiceLoader.load(Factory.class)) {
            if (f.engine().equals(engine)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
