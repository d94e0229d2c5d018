package io.distill4j.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distill4j.device.TaskDevice;
import io.distill4j.tracking.Tracker;
import io.distill4j.tracking.rest.TrackingUris;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One trial as a task for a cluster worker ({@link TrialDispatcher}): the trial's JSON ({@link TrialCodec}) with
 * where it records (the shared results folder, the tracking URI, experiment and parent run), as one string that any
 * engine can ship. {@link #run} executes it on the worker as {@link StudyRunner} does in-process: the model export,
 * the tracking run and the ledger record go to the shared results folder and tracking server, and the result comes
 * back as JSON. A worker JVM keeps one {@link TrialExecutor} (prepared data, teachers read from the shared cache)
 * and one tracker per results folder and tracking URI for all its tasks.
 */
public final class TrialTask {
    private static final Map<String, TrialExecutor> EXECUTORS = new ConcurrentHashMap<>();
    private static final Map<String, Tracker> TRACKERS = new ConcurrentHashMap<>();

    private TrialTask() {
    }

    /** The task of {@code trial} in {@code batch}, its workers logging to {@code trackingUri}. */
    public static String encode(Trial trial, TrialDispatcher.Batch batch, String trackingUri) {
        ObjectNode n = TrialCodec.JSON.createObjectNode();
        n.set("trial", TrialCodec.encode(trial));
        n.put("results", batch.results().toAbsolutePath().normalize().toString());
        n.put("tracking_uri", trackingUri);
        n.put("experiment_id", batch.experimentId());
        n.put("parent_run_id", batch.parentRunId());
        return n.toString();
    }

    /** {@link #run(String, String)} on the backend's default device. */
    public static String run(String task) {
        return run(task, null);
    }

    /**
     * Runs a task from {@link #encode} in this JVM and returns its result as JSON. A trial failing on its own
     * (diverged loss) is a failed result; a failure the engine should retry (the machine, or a teacher's bad data)
     * is thrown.
     *
     * @param device the device the engine assigned the task ({@code gpu:<ordinal>}, see {@link TaskDevice}): the
     *        task's thread trains on it and its runs record it; null: the backend's default
     */
    public static String run(String task, String device) {
        JsonNode n = parse(task);
        Trial trial = TrialCodec.decodeTrial(n.get("trial"));
        Path results = Path.of(n.get("results").asText());
        String uri = n.get("tracking_uri").asText();
        TaskDevice.bind(device);
        TrialExecutor executor = executor(results, EvaluationScope.VALIDATION_AND_TEST, device);
        Tracker tracker = tracker(uri, results, trial.file());
        String experimentId = n.get("experiment_id").asText();
        TrialLedger ledger = new TrialLedger(ResultsPaths.studyFolder(results, trial.config().name())
                .resolve("trials"));
        StudyRunner.Recording recording = StudyRunner.recording(results, tracker, experimentId,
                n.get("parent_run_id").asText(), executor.context(), ledger, TrialListener.NONE);
        TrialResult result = StudyRunner.executeRecorded(trial, executor, recording, ledger, experimentId);
        return TrialCodec.encode(result).toString();
    }

    /** {@link #run(String, String)} as a worker's {@link TrialDispatcher.Work}. */
    public static final class Work implements TrialDispatcher.Work {
        private static final long serialVersionUID = 1L;

        @Override
        public String run(String task, String device) {
            return TrialTask.run(task, device);
        }
    }

    /**
     * This JVM's executor for tasks recording under {@code results} with {@code scope} on {@code device} (null: the
     * backend's): prepared data and teachers read from the shared cache are kept for all its tasks.
     */
    public static TrialExecutor executor(Path results, EvaluationScope scope, String device) {
        String tag = device != null ? device : TrialContext.backendDevice();
        return EXECUTORS.computeIfAbsent(results + "\n" + scope + "\n" + tag, k -> new TrialExecutor(
                TrialContext.at(ResultsPaths.teacherCache(results), scope, tag)));
    }

    /** This JVM's tracker for {@code uri} (closed when the JVM exits), shared by all its tasks. */
    public static Tracker tracker(String uri, Path results, String studyFile) {
        return TRACKERS.computeIfAbsent(uri + "\n" + results, k -> {
            Tracker t = TrackingUris.open(uri, results, studyFile, System.getenv());
            Runtime.getRuntime().addShutdownHook(new Thread(t::close, "distill4j-task-tracker"));
            return t;
        });
    }

    /**
     * The result of {@code trial}'s task: what {@link #run} returned, or a failed result with the engine's reason
     * when the task failed for good.
     */
    public static TrialResult decode(Trial trial, TrialDispatcher.Done done) {
        return done.failure() == null ? decode(trial, done.result())
                : new TrialResult(trial, trial.id(), Map.of(), Map.of(), 0, 0, null, done.failure(), Map.of());
    }

    /** The result of {@code trial} that {@link #run} returned. */
    public static TrialResult decode(Trial trial, String json) {
        return TrialCodec.decodeResult(trial, parse(json));
    }

    /** How many teachers the tasks run in this JVM trained (not read from the cache). */
    public static int teacherFits() {
        return EXECUTORS.values().stream().mapToInt(e -> e.context().teacherCache().fitCount()).sum();
    }

    private static JsonNode parse(String json) {
        try {
            return TrialCodec.JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("not a trial task: " + e.getMessage(), e);
        }
    }
}
