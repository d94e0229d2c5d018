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

    /**
     * Ends a run that an earlier process started and could not end (it was killed), and every RUNNING child run of
     * it: each gets {@code status}, an end time and the tag {@code distill4j.error = reason}; runs that have already
     * ended, or that this store does not know, are left alone. Used before a study runs again.
     *
     * @return whether any run was RUNNING and is now ended
     */
    boolean endInterrupted(String experimentId, String runId, RunStatus status, String reason);

    /**
     * Adds metrics (at step 0, time-stamped now, after any earlier values), tags (overwriting) and artifacts
     * (replacing) to a run recorded earlier, whether it has ended or not (MLflow accepts them on a finished run); its
     * status is left alone. {@code distill4j bench} logs a study's latencies this way. Keys are sanitised with
     * {@link MlflowKeys#sanitise(String)}.
     *
     * @throws IllegalArgumentException if this store has no such run
     */
    void appendToRun(String experimentId, String runId, Map<String, Double> metrics, Map<String, String> tags,
            Map<String, byte[]> artifacts);

    @Override
    void close();
}
