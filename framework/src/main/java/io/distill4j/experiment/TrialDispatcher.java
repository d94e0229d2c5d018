package io.distill4j.experiment;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Consumer;

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
     * What a worker does with a task string (e.g. {@link TrialTask.Work}): a named, serialisable class, so that an
     * engine can ship it to its workers.
     */
    interface Work extends Serializable {
        /**
         * Runs {@code task} in this JVM and returns its result string.
         *
         * @param device the device the engine assigned this task (e.g. {@code gpu:1}, see {@link TaskDevice}); null:
         *        the backend's default
         */
        String run(String task, String device);
    }

    /** A task that ended: its position in the list given, and its result, or why it failed for good (then null). */
    record Done(int index, String result, String failure) {
    }

    /**
     * Runs every task through {@code work} on the engine's workers, as many at once as it has slots, and calls
     * {@code done} on the calling thread as each ends (in any order), once per task: a task that failed for good
     * (after the engine's retries) comes with the engine's reason, never left out.
     *
     * @param labels one line per task for the engine's own views (e.g. Spark's job description)
     */
    void runTasks(List<String> tasks, List<String> labels, Work work, Consumer<Done> done);

    /** How many tasks the engine runs at once (its task slots). */
    default int slots() {
        return 1;
    }

    /**
     * Runs every trial of {@code trials} and returns one result per trial, in their order: a trial whose task failed
     * for good (after the engine's retries) comes back as a failed result with the reason, never left out.
     */
    default List<TrialResult> run(List<Trial> trials, Batch batch) {
        return run(trials, batch, r -> {
        });
    }

    /** {@link #run(List, Batch)}, calling {@code finished} with each result as its task ends (in any order). */
    default List<TrialResult> run(List<Trial> trials, Batch batch, Consumer<TrialResult> finished) {
        List<String> tasks = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (Trial t : trials) {
            tasks.add(TrialTask.encode(t, batch, trackingUri()));
            labels.add(t.role().label() + " " + t.description() + " (trial " + t.id() + ")");
        }
        TrialResult[] out = new TrialResult[trials.size()];
        runTasks(tasks, labels, new TrialTask.Work(), d -> {
            out[d.index()] = TrialTask.decode(trials.get(d.index()), d);
            finished.accept(out[d.index()]);
        });
        return List.of(out);
    }

    /** The tracking URI every worker logs to (given to {@link Factory#open}). */
    String trackingUri();

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

        /**
         * Starts the engine with {@code gpusPerTask} GPUs reserved for every task (0: none), each task training on
         * the one the engine assigned it. Engines without resource scheduling refuse a request of GPUs.
         */
        default TrialDispatcher open(String master, String trackingUri, int gpusPerTask) {
            if (gpusPerTask > 0) {
                throw new io.distill4j.Distill4jException("--gpus-per-task: the " + engine() + " engine does not "
                        + "schedule GPUs");
            }
            return open(master, trackingUri);
        }
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
