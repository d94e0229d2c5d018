package io.distill4j.tracking;

import java.nio.file.Path;
import java.util.Map;

/**
 * One run being recorded. Methods may be called from several threads at once.
 *
 * <p>Keys of params, tags and metrics are sanitised with {@link MlflowKeys#sanitise(String)}. Once the run has
 * ended, every logging method throws {@link IllegalStateException}.
 */
public interface TrackedRun {

    /** The run id: 32 lower-case hex characters. */
    String runId();

    /**
     * Logs a param. Logging the same value again is a no-op.
     *
     * @throws IllegalStateException if the param was already logged with a different value
     * @throws IllegalArgumentException if the value is longer than {@value MlflowKeys#MAX_PARAM_VALUE_LENGTH} chars
     */
    void logParam(String key, String value);

    /** Logs each entry as by {@link #logParam(String, String)}. */
    void logParams(Map<String, String> params);

    /** Sets (or overwrites) a tag. Setting {@code mlflow.runName} also renames the run. */
    void setTag(String key, String value);

    /** Appends a metric value at {@code step}, time-stamped now. NaN and infinities are accepted. */
    void logMetric(String key, double value, long step);

    /** Appends a metric value at {@code step} with an explicit timestamp in epoch milliseconds. */
    void logMetric(String key, double value, long step, long timestampMillis);

    /** Writes {@code content} to {@code relativePath} under the run's artifact folder (replacing any old file). */
    void logArtifact(String relativePath, byte[] content);

    /** Copies the regular file {@code file} to {@code relativePath} under the run's artifact folder. */
    void logArtifact(String relativePath, Path file);

    /**
     * Records a dataset the run used. Stores with dataset inputs (an MLflow server) record it as one; the file
     * store records it as the JSON tag {@value DatasetInput#TAG} (and {@code distill4j mlflow sync} turns that into
     * a dataset input).
     */
    default void logDataset(DatasetInput dataset) {
        setTag(DatasetInput.TAG, dataset.toJson());
    }

    /** Sends whatever is buffered (a no-op for stores that write at once); called at least at every epoch end. */
    default void flush() {
    }

    /**
     * Ends the run with a terminal status (FINISHED, FAILED or KILLED).
     *
     * @throws IllegalStateException if the run has already ended
     */
    void end(RunStatus status);
}
