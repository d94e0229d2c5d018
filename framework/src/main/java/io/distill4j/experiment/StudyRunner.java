package io.distill4j.experiment;


import io.distill4j.Distill4jException;
import io.distill4j.EnvironmentException;
import io.distill4j.config.ConfigHash;
import io.distill4j.config.GridCell;
import io.distill4j.config.Secrets;
import io.distill4j.config.StudyFileWriter;
import io.distill4j.train.PhaseTimes;
import io.distill4j.tracking.RunStatus;
import io.distill4j.tracking.TrackedRun;
import io.distill4j.tracking.Tracker;
import io.distill4j.train.TeacherCache;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link Study}: plans its trials, runs each teacher trial once and then every student trial (the
 * student-alone baselines and the distilled students, with the same budget) on {@code workers} threads, each through
 * the {@link TrialExecutor}; keeps the {@link TrialLedger} (for {@code --resume}) and the parent tracking run, and
 * writes the summary. What a trial writes besides the teacher cache (its tracking run, its exported model, progress)
 * comes from {@link TrialListener}s: {@link TrialTracking}, {@link ModelExport} and the study's
 * {@link StudyListener}.
 *
 * <p>A failing trial (diverged loss, any exception) is recorded as FAILED with its reason and the others go on. A
 * failure of the machine ({@link EnvironmentException}: disk full, read-only file system) stops the study instead,
 * since every later trial would fail the same way: trials already finished stay in the ledger for a resume, no new
 * trial starts, and the open runs are ended as FAILED as far as the machine allows.
 */
public final class StudyRunner {
    private static final Logger LOG = LoggerFactory.getLogger(StudyRunner.class);

    private final Path resultsDir;
    private final Tracker tracker;
    private final StudyListener listener;
    private final int workers;
    private final TrialExecutor executor;

    /**
     * @param resultsDir where summaries, students and the teacher cache go ({@code results/})
     * @param workers trials trained at once (each on its own thread)
     */
    public StudyRunner(Path resultsDir, Tracker tracker, StudyListener listener, int workers) {
        this(resultsDir, tracker, listener, workers, null);
    }

    /**
     * @param device the {@code distill4j.device} tag of every run (see {@code DeviceDecision.tag()}); null: from the
     *        backend ND4J loaded ({@code cpu} or {@code gpu})
     */
    public StudyRunner(Path resultsDir, Tracker tracker, StudyListener listener, int workers, String device) {
        this.resultsDir = resultsDir;
        this.tracker = tracker;
        this.listener = listener;
        this.workers = Math.max(1, workers);
        this.executor = new TrialExecutor(TrialContext.at(ResultsPaths.teacherCache(resultsDir),
                EvaluationScope.VALIDATION_AND_TEST, device != null ? device : TrialContext.backendDevice()));
    }

    private StudyReporter reporter;

    /** Draws a report after every study (see {@link StudyReporter}); none by default. */
    public StudyRunner withReporter(StudyReporter reporter) {
        this.reporter = reporter;
        return this;
    }

    private Shard shard;
    private TrialDispatcher dispatcher;

    /**
     * Runs the trials through {@code dispatcher} (a cluster engine) instead of this process's threads: teachers
     * first, then students level by level; the runner keeps the parent run, the summary and the report.
     */
    public StudyRunner withDispatcher(TrialDispatcher dispatcher) {
        this.dispatcher = dispatcher;
        return this;
    }

    /**
     * Runs only {@code shard}'s share of every study (see {@link Shard}): its ledger, parent run and study file go to
     * the shard's folder, and no summary or report is written ({@link StudyMerge} does that from all shards).
     */
    public StudyRunner withShard(Shard shard) {
        this.shard = shard;
        return this;
    }

    /** The file {@code study.yaml} in a study's results folder: the study as run, for regenerating its report. */
    public static final String STUDY_FILE = "study.yaml";

    public TeacherCache teacherCache() {
        return executor.context().teacherCache();
    }

    /** Everything a study produced (a shard's outcome has no summary: null). */
    public record Outcome(Study study, List<TrialResult> results, Summary summary, Path folder, String parentRunId) {
    }

    /** Runs the study to the end and writes its summary; failed trials are part of the outcome. */
    public Outcome run(Study study) {
        return run(study, false);
    }

    /**
     * Runs the study; with {@code resume}, trials that the ledger ({@link TrialLedger}) records as finished are
     * taken from it instead of being trained again (and get no new tracking run). Either way, tracking runs that a
     * killed earlier process left RUNNING are ended as FAILED first.
     */
    public Outcome run(Study study, boolean resume) {
        Path folder = ResultsPaths.studyFolder(resultsDir, study.name());
        try {
            Files.createDirectories(folder.resolve("students"));
        } catch (IOException e) {
            throw new Distill4jException("cannot create the results folder " + folder + ": " + e.getMessage(), e);
        }
        List<Trial> trials = shard == null ? study.trials() : shard.select(study.trials());
        Path own = shard == null ? folder : shard.folder(resultsDir, study.name());
        long planned = 0;
        for (Trial t : trials) {
            planned += epochBudget(t);
        }
        listener.studyStarted(study, planned);
        String experimentId = tracker.experimentId(study.base().trackingExperiment());
        TrialLedger ledger = new TrialLedger(own.resolve("trials"));
        int interrupted = closeInterrupted(ledger);
        Map<String, String> tags = new LinkedHashMap<>(Provenance.tags());
        tags.put("distill4j.device", executor.context().device());
        tags.put("distill4j.study", study.name());
        tags.put("distill4j.config_hash", ConfigHash.of(study.tree()));
        tags.put("distill4j.role", "study");
        if (resume) {
            tags.put("distill4j.resumed", "true");
        }
        if (shard != null) {
            tags.put("distill4j.shard", shard.toString());
        }
        TrackedRun parent = tracker.startRun(experimentId, shard == null ? study.name()
                : study.name() + " shard " + shard, null, tags);
        ledger.started(TrialLedger.STUDY, experimentId, parent.runId());
        if (interrupted > 0) {
            parent.setTag("distill4j.interrupted_runs_closed", String.valueOf(interrupted));
        }
        parent.logParam("study_file", study.file());
        parent.logParam("seeds", study.seeds().toString());
        parent.logParam("grid_cells", String.valueOf(study.cells().size()));
        parent.logParam("trials", String.valueOf(trials.size()));
        parent.logArtifact("study.yaml", StudyFileWriter.toYaml(Secrets.masked(study.tree())).getBytes(StandardCharsets.UTF_8));
        List<TrialResult> results = new ArrayList<>();
        Recording recording = recording(resultsDir, tracker, experimentId, parent.runId(), executor.context(), ledger,
                progress());
        TrialDispatcher.Batch batch = new TrialDispatcher.Batch(resultsDir, experimentId, parent.runId());
        RunStatus status = RunStatus.FINISHED;
        try {
            List<Trial> teachers = trials.stream().filter(t -> t.role() == Trial.Role.TEACHER).toList();
            if (dispatcher != null) {
                results.addAll(runRemote(teachers, ledger, batch, resume));
            } else {
                for (Trial t : teachers) {
                    results.add(runTeacher(t, recording, ledger, experimentId, resume));
                }
            }
            List<Trial> students = trials.stream().filter(t -> t.role() != Trial.Role.TEACHER).toList();
            // a chain's stage k+1 learns from stage k's trained student: stages run level by level
            int levels = students.stream().mapToInt(StudyRunner::level).max().orElse(0);
            for (int level = 0; level <= levels; level++) {
                int l = level;
                List<Trial> batchOfLevel = students.stream().filter(t -> level(t) == l).toList();
                results.addAll(dispatcher != null ? runRemote(batchOfLevel, ledger, batch, resume)
                        : runStudents(batchOfLevel, recording, ledger, experimentId, resume));
            }
            if (shard != null) { // the merge writes the summary and the report from every shard's ledger
                writeStudyFile(study, own);
                parent.end(RunStatus.FINISHED);
                ledger.studyFinished(experimentId, parent.runId());
                return new Outcome(study, results, null, own, parent.runId());
            }
            WrittenSummary written = writeSummary(study, results, executor.context(), folder);
            Summary summary = written.summary();
            Map<String, DataFacts> facts = written.facts();
            for (String file : written.files()) {
                parent.logArtifact(file, folder.resolve(file));
            }
            writeStudyFile(study, folder);
            if (reporter != null) {
                for (Path file : reporter.write(study, results, facts, folder, experimentId)) {
                    parent.logArtifact(folder.relativize(file).toString().replace('\\', '/'), file);
                }
            }
            parent.end(RunStatus.FINISHED);
            ledger.studyFinished(experimentId, parent.runId());
            return new Outcome(study, results, summary, folder, parent.runId());
        } catch (RuntimeException | Error e) {
            status = RunStatus.FAILED;
            RuntimeException stopped = EnvironmentException.of(e).map(env -> stopped(trials, ledger, own, env))
                    .orElse(null);
            try {
                parent.setTag("distill4j.error", String.valueOf((stopped != null ? stopped : e).getMessage()));
            } catch (RuntimeException again) { // e.g. the disk is still full: the next run ends the parent
                e.addSuppressed(again);
            }
            if (stopped != null) {
                throw stopped;
            }
            throw e;
        } finally {
            if (status != RunStatus.FINISHED) {
                try {
                    parent.end(status);
                } catch (RuntimeException again) {
                    LOG.warn("could not end the study's run {}: {}; the next run of the study ends it",
                            parent.runId(), again.toString());
                }
            }
        }
    }

    /** The one-line reason a study stopped on an environment failure: what failed, what is kept, what to do. */
    private static EnvironmentException stopped(List<Trial> trials, TrialLedger ledger, Path folder,
            EnvironmentException e) {
        long kept = trials.stream().filter(t -> ledger.finishedResult(t).isPresent()).count();
        return new EnvironmentException(e.getMessage() + "; the study stopped: " + kept + " of "
                + trials.size() + " trial(s) finished and are kept in " + folder.resolve("trials")
                + "; fix this, then run the study again with --resume", e);
    }

    private int closeInterrupted(TrialLedger ledger) {
        return closeInterrupted(ledger, tracker);
    }

    /**
     * Ends, in {@code tracker}, the runs a ledger records as started by a process that died (trials, studies,
     * searches and their candidates), and marks them dealt with; returns how many were still RUNNING.
     */
    public static int closeInterrupted(TrialLedger ledger, Tracker tracker) {
        int closed = 0;
        for (TrialLedger.Entry e : ledger.interrupted()) {
            if (tracker.endInterrupted(e.experimentId(), e.runId(), RunStatus.FAILED,
                    "interrupted: the process stopped (killed or crashed) before this run ended")) {
                closed++;
            }
            ledger.closeInterrupted(e);
        }
        if (closed > 0) {
            LOG.warn("ended {} run(s) left RUNNING by an interrupted earlier process", closed);
        }
        return closed;
    }

    /** The ledger's result of a finished trial when resuming, reported like a trained one. */
    private Optional<TrialResult> resumed(Trial trial, TrialLedger ledger, boolean resume) {
        if (!resume) {
            return Optional.empty();
        }
        Optional<TrialResult> done = ledger.finishedResult(trial);
        done.ifPresent(r -> {
            listener.trialStarted(trial);
            listener.trialFinished(r, epochBudget(trial));
        });
        return done;
    }

    /** The order a student trial can run in: a chain's stage k at level k - 1, every other student at 0. */
    static int level(Trial t) {
        if (t.role() == Trial.Role.DISTILLED && t.window() >= 0) { // walk-forward: see Rolling
            return t.neverUpdated() ? 1 : t.config().rolling().orElseThrow().warmStart() ? t.window() : 0;
        }
        return t.role() == Trial.Role.CHAIN_STAGE ? t.chain().stage() - 1 : 0;
    }

    private static int epochBudget(Trial t) {
        StudyConfig c = t.config();
        if (t.role() == Trial.Role.TEACHER) {
            return c.teachers().get(t.teacherName()).epochBudget();
        }
        return c.training().epochs();
    }

    /** The facts the summary needs about each distinct dataset of the study, by {@link DataFacts#key}. */
    static Map<String, DataFacts> dataFacts(Study study, TrialContext context) {
        Map<String, DataFacts> out = new LinkedHashMap<>();
        for (GridCell cell : study.cells()) { // every trial's config is one of its cell's
            StudyConfig c = StudyConfig.parse(study.file(), cell.resolved());
            out.computeIfAbsent(DataFacts.key(c), k -> context.dataFacts(context.data(c)));
        }
        return out;
    }


    /** A study's summary as written, the data facts it used and the files written (relative to the folder). */
    record WrittenSummary(Summary summary, Map<String, DataFacts> facts, List<String> files) {
    }

    /**
     * Writes the summary of {@code results} into {@code folder} ({@code summary.md}, {@code summary.csv}): for a
     * walk-forward study the main summary covers the windows where every method is evaluated (2 on), without
     * per-dataset facts (each window is its own dataset), and the per-window section follows ({@code rolling.csv}).
     */
    static WrittenSummary writeSummary(Study study, List<TrialResult> results, TrialContext context, Path folder) {
        boolean rolling = study.base().rolling().isPresent();
        Map<String, DataFacts> facts = rolling ? Map.of() : dataFacts(study, context);
        Summary summary = Summary.of(study, rolling ? RollingSummary.laterWindows(results) : results, facts);
        summary.write(folder);
        List<String> files = new ArrayList<>(List.of("summary.md", "summary.csv"));
        if (rolling) {
            RollingSummary.of(results, study.base().data().target().regression()).write(folder);
            files.add(RollingSummary.CSV);
        }
        return new WrittenSummary(summary, facts, files);
    }
    /** Writes {@link #STUDY_FILE} (the study as run, secrets masked) into {@code folder}. */
    static void writeStudyFile(Study study, Path folder) {
        Path file = folder.resolve(STUDY_FILE);
        try {
            Files.createDirectories(folder);
            Files.writeString(file, StudyFileWriter.toYaml(Secrets.masked(study.tree())), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The key of a named teacher within a study, for the trial seed it serves (see {@link StudyConfig#teacherSeed}):
     * the hash of its config identity (not of its name).
     */
    static String teacherKey(StudyConfig c, String teacherName, int trialSeed) {
        return ConfigHash.of(c.teacherIdentity(teacherName, trialSeed));
    }

    // ---- trials ------------------------------------------------------------------------------

    /** What records a trial: its tracking listener, and every listener of the trial (export, tracking, extra). */
    record Recording(TrialTracking tracking, TrialListener listeners) {
    }

    /**
     * The listeners that record a trial of a study: the model export, then its tracking run (which logs the exported
     * file, and notes in the ledger which run it opened), then {@code extra} (so that it reports what is recorded).
     */
    static Recording recording(Path resultsDir, Tracker tracker, String experimentId, String parentRunId,
            TrialContext context, TrialLedger ledger, TrialListener extra) {
        ModelExport export = new ModelExport(resultsDir);
        TrialTracking tracking = new TrialTracking(tracker, experimentId, parentRunId, context.device(),
                (trial, runId) -> ledger.started(trial.id(), experimentId, runId), export::modelOf,
                context::dataFacts);
        return new Recording(tracking, TrialListener.all(List.of(TrialListener.timed(export, PhaseTimes.Phase.EXPORT),
                TrialListener.timed(tracking, PhaseTimes.Phase.TRACKING), extra)));
    }

    /** Runs one trial through {@code executor} with its recording listeners, records it in the ledger, returns it. */
    static TrialResult executeRecorded(Trial trial, TrialExecutor executor, Recording recording, TrialLedger ledger,
            String experimentId) {
        long started = System.nanoTime();
        long allocated = PhaseTimes.allocatedBytes();
        PhaseTimes.enter(trial.role().label());
        try {
            TrialResult r = executor.execute(trial, recording.listeners());
            TrialResult result = r.withRunId(recording.tracking().runId(trial));
            long recorded = System.nanoTime();
            if (result.failed()) {
                ledger.failed(result, experimentId);
            } else {
                ledger.finished(result, experimentId);
            }
            PhaseTimes.since(PhaseTimes.Phase.LEDGER, recorded);
            return result;
        } finally {
            PhaseTimes.since(PhaseTimes.Phase.TRIAL, started);
            PhaseTimes.allocatedSince(allocated, 1);
            PhaseTimes.leave();
        }
    }

    /** Runs one trial in this process, records it, reports it to the study's listener, returns it. */
    private TrialResult execute(Trial trial, Recording recording, TrialLedger ledger, String experimentId) {
        TrialResult result = executeRecorded(trial, executor, recording, ledger, experimentId);
        listener.trialFinished(result, epochBudget(trial));
        return result;
    }

    /**
     * Runs trials through the {@link TrialDispatcher} (after taking finished ones from the ledger when resuming);
     * a task that failed for good is recorded as failed here, since its worker could not. A failed teacher stops
     * the study, as in-process: every student of it would fail.
     */
    private List<TrialResult> runRemote(List<Trial> trials, TrialLedger ledger, TrialDispatcher.Batch batch,
            boolean resume) {
        List<TrialResult> out = new ArrayList<>();
        List<Trial> todo = new ArrayList<>();
        for (Trial t : trials) {
            Optional<TrialResult> done = t.role() == Trial.Role.TEACHER ? resumedTeacher(t, ledger, resume)
                    : resumed(t, ledger, resume);
            done.ifPresentOrElse(out::add, () -> todo.add(t));
        }
        if (todo.isEmpty()) {
            return out;
        }
        todo.forEach(listener::trialStarted);
        // each trial's progress line as its task ends, not when the whole batch is back
        out.addAll(dispatcher.run(todo, batch, r -> {
            String recorded = ledger.status(r.trialId()).orElse("");
            if (r.failed() && !recorded.equals("failed") && !recorded.equals("finished")) {
                ledger.failed(r, batch.experimentId());
            }
            listener.trialFinished(r, epochBudget(r.trial()));
        }));
        for (TrialResult r : out) {
            if (r.trial().role() == Trial.Role.TEACHER && r.failed()) {
                throw new Distill4jException("teacher " + r.trial().description() + " failed: " + r.failure());
            }
        }
        return out;
    }

    /** A finished teacher from the ledger when resuming and its cache entry is still there. */
    private Optional<TrialResult> resumedTeacher(Trial trial, TrialLedger ledger, boolean resume) {
        if (resume) {
            String key = executor.teacherCacheKey(trial.config(), trial.teacherName(), trial.seed());
            if (executor.context().teacher(key).isPresent()) {
                // this run reads the teacher from the cache, whatever the run that trained it recorded
                return resumed(trial, ledger, true).map(done -> done.withFact("from_cache", 1.0));
            }
        }
        return Optional.empty();
    }

    private TrialResult runTeacher(Trial trial, Recording recording, TrialLedger ledger, String experimentId,
            boolean resume) {
        Optional<TrialResult> done = resumedTeacher(trial, ledger, resume);
        if (done.isPresent()) {
            return done.get();
        }
        try {
            return execute(trial, recording, ledger, experimentId);
        } catch (EnvironmentException e) {
            throw e; // the study stops; nothing more is written to a failing machine
        } catch (Distill4jException e) {
            TrialResult failed = new TrialResult(trial, trial.id(), Map.of(), Map.of(), 0, 0,
                    recording.tracking().runId(trial),
                    e.getMessage(), Map.of());
            ledger.failed(failed, experimentId);
            listener.trialFinished(failed, epochBudget(trial));
            throw e; // bad data or config: every trial would fail the same way
        }
    }

    private boolean fuse = true;

    /**
     * Whether student trials that share an MLP shape, a budget and the data train together as one fused network
     * ({@link FusedTrials}; on by default; {@code distill4j run --no-fuse} turns it off).
     */
    public StudyRunner withFusion(boolean on) {
        this.fuse = on;
        return this;
    }

    /**
     * Runs student trials on the workers: first the fused groups ({@link FusedTrials}, a worker each: the group
     * trains, then its trials run one by one), then every other trial on its own; results in the trials' order.
     */
    private List<TrialResult> runStudents(List<Trial> trials, Recording recording, TrialLedger ledger,
            String experimentId, boolean resume) {
        java.util.function.Function<Trial, TrialResult> one = t -> resumed(t, ledger, resume)
                .orElseGet(() -> execute(t, recording, ledger, experimentId));
        List<List<Trial>> units = new ArrayList<>();
        java.util.Set<Trial> grouped = new java.util.HashSet<>();
        if (fuse) {
            List<Trial> pending = trials.stream().filter(t -> !resume || ledger.finishedResult(t).isEmpty()).toList();
            for (List<Trial> group : executor.fused().groups(pending, workers)) {
                units.add(group);
                grouped.addAll(group);
            }
        }
        for (Trial t : trials) {
            if (!grouped.contains(t)) {
                units.add(List.of(t));
            }
        }
        // a machine failure (disk full) stops new trials; the ones already running finish (or fail) and are kept
        AtomicReference<RuntimeException> stop = new AtomicReference<>();
        // a unit's trials (the results of those that ran, in order)
        java.util.function.Function<List<Trial>, List<TrialResult>> run = unit -> {
            List<TrialResult> results = new ArrayList<>();
            try {
                if (unit.size() > 1 && stop.get() == null) {
                    executor.fused().train(unit);
                }
                for (Trial t : unit) {
                    if (stop.get() != null) {
                        break;
                    }
                    results.add(one.apply(t));
                }
            } catch (EnvironmentException e) {
                stop.compareAndSet(null, e);
            }
            return results;
        };
        Map<Trial, TrialResult> byTrial = new java.util.IdentityHashMap<>();
        if (workers == 1 || units.size() < 2) {
            for (List<Trial> unit : units) {
                file(byTrial, unit, run.apply(unit));
                if (stop.get() != null) {
                    throw stop.get();
                }
            }
            return inOrder(trials, byTrial);
        }
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread th = new Thread(r, "distill4j-trial");
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<List<TrialResult>>> futures = new ArrayList<>();
            for (List<Trial> unit : units) {
                futures.add(pool.submit(() -> run.apply(unit)));
            }
            for (int u = 0; u < units.size(); u++) {
                file(byTrial, units.get(u), futures.get(u).get());
            }
            if (stop.get() != null) {
                throw stop.get();
            }
            return inOrder(trials, byTrial);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Distill4jException("interrupted");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Files a unit's results (those of its first trials, the ones that ran) under their trials. */
    private static void file(Map<Trial, TrialResult> byTrial, List<Trial> unit, List<TrialResult> results) {
        for (int i = 0; i < results.size(); i++) {
            byTrial.put(unit.get(i), results.get(i));
        }
    }

    /** The results of the trials that ran, in the trials' order. */
    private static List<TrialResult> inOrder(List<Trial> trials, Map<Trial, TrialResult> byTrial) {
        List<TrialResult> out = new ArrayList<>();
        for (Trial t : trials) {
            TrialResult r = byTrial.get(t);
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    /** The study's progress listener, as a trial listener (its trialFinished comes from the runner, with budgets). */
    private TrialListener progress() {
        return new TrialListener() {
            @Override
            public void trialStarted(Trial trial) {
                listener.trialStarted(trial);
            }

            @Override
            public void epochFinished(Trial trial, io.distill4j.api.EpochReport report) {
                listener.epochFinished(trial, report);
            }
        };
    }
}
