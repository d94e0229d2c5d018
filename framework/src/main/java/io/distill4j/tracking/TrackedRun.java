package io.distill4j.tracking;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

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

    /**
     * Starts an MLflow 3 <em>logged model</em> (an entity of its own, listed in the experiment's "Models" tab, with
     * its own artifact location) produced by this run, when the store has such entities. Stores without them (the
     * file store, MLflow 2.x servers) answer empty, and the model lives only as a folder of the run's artifacts.
     *
     * @param name the model's name (MLflow 3 forbids {@code / : . % " '} in it)
     * @param modelType a free-form type shown by MLflow (e.g. {@code distill4j})
     * @param params the model's immutable params
     * @return the model being uploaded, or empty
     */
    default Optional<LoggedModelUpload> startLoggedModel(String name, String modelType, Map<String, String> params) {
        return Optional.empty();
    }

    /** An MLflow 3 logged model whose files are being uploaded (see {@link #startLoggedModel}). */
    interface LoggedModelUpload {
        /** The model's id ({@code m-...} on MLflow 3 servers). */
        String modelId();

        /** Stores a file of the model under the model's own artifact location. */
        void logArtifact(String relativePath, byte[] content);

        /** Stores a file of the model under the model's own artifact location. */
        void logArtifact(String relativePath, Path file);

        /**
         * Marks the model ready (its files are all stored) or failed, and on success links it to the run as one of
         * the run's outputs.
         */
        void finish(boolean ok);
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
