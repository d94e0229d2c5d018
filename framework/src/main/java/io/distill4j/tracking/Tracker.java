package io.distill4j.tracking;

import java.util.Map;

/**
 * Where experiments and runs are recorded. Implementations are thread-safe.
 *
 * <p>{@link #close()} ends every run started through this tracker that has not been ended, with
 * {@link RunStatus#KILLED}.
 */
public interface Tracker extends AutoCloseable {

    /** The id of the experiment called {@code name}, creating it if it does not exist. */
    String experimentId(String name);

    /**
     * Starts a run.
     *
     * @param experimentId an id returned by {@link #experimentId(String)}
     * @param runName the run's display name; {@code null} for a generated one
     * @param parentRunIdOrNull the id of the parent run (same experiment), or {@code null} for a top-level run
     * @param tags extra tags (keys are sanitised with {@link MlflowKeys#sanitise(String)}); may be empty
     */
    TrackedRun startRun(String experimentId, String runName, String parentRunIdOrNull, Map<String, String> tags);

    @Override
    void close();
}
