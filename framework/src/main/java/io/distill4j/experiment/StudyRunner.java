package io.distill4j.experiment;

import io.distill4j.api.Seeds;

import io.distill4j.Distill4jException;
import io.distill4j.api.DistillationLoss;
import io.distill4j.api.InputKind;
import io.distill4j.api.InputShape;
import io.distill4j.api.ModelInput;
import io.distill4j.api.TeacherFitContext;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.config.ConfigHash;
import io.distill4j.config.Secrets;
import io.distill4j.config.StudyFileWriter;
import io.distill4j.data.features.DatasetPreparer;
import io.distill4j.data.features.PreparedData;
import io.distill4j.data.features.SampleSplit;
import io.distill4j.eval.ClassificationMetrics;
import io.distill4j.loss.HardLabelCrossEntropy;
import io.distill4j.model.Networks;
import io.distill4j.tracking.DatasetInput;
import io.distill4j.tracking.RunStatus;
import io.distill4j.tracking.TrackedRun;
import io.distill4j.tracking.Tracker;
import io.distill4j.distill.StudentDistiller;
import io.distill4j.train.TeacherCache;
import io.distill4j.train.TrainingDivergedException;
import io.distill4j.api.TrainingObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.factory.Nd4j;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link Study}: prepares each distinct dataset once, trains (or reads from the {@link TeacherCache}) each
 * distinct teacher once, then trains every student trial (the student-alone baselines and the distilled students,
 * with the same budget) on {@code workers} threads, evaluates each on the test split, tracks everything (one parent
 * run per study, one child run per trial) and writes the summary.
 *
 * <p>A failing trial (diverged loss, any exception) is recorded as FAILED with its reason and the others go on.
 */
public final class StudyRunner {
    private static final Logger LOG = LoggerFactory.getLogger(StudyRunner.class);

    private final Path resultsDir;
    private final Tracker tracker;
    private final TeacherCache teacherCache;
    private final StudyListener listener;
    private final int workers;
    private final String device;
    private final Map<String, PreparedData> dataCache = new ConcurrentHashMap<>();

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
        this.device = device;
        this.resultsDir = resultsDir;
        this.tracker = tracker;
        this.teacherCache = new TeacherCache(resultsDir.resolve("cache").resolve("teachers"));
        this.listener = listener;
        this.workers = Math.max(1, workers);
    }

    private String deviceTag() {
        if (device != null) {
            return device;
        }
        return Nd4j.getBackend().getClass().getSimpleName().equals("CpuBackend") ? "cpu" : "gpu";
    }

    public TeacherCache teacherCache() {
        return teacherCache;
    }

    /** Everything a study produced. */
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
        long planned = 0;
        for (Trial t : study.trials()) {
            planned += epochBudget(t);
        }
        listener.studyStarted(study, planned);
        String experimentId = tracker.experimentId(study.base().trackingExperiment());
        TrialLedger ledger = new TrialLedger(folder.resolve("trials"));
        int interrupted = closeInterrupted(ledger);
        Map<String, String> tags = new LinkedHashMap<>(Provenance.tags());
        tags.put("distill4j.device", deviceTag());
        tags.put("distill4j.study", study.name());
        tags.put("distill4j.config_hash", ConfigHash.of(study.tree()));
        tags.put("distill4j.role", "study");
        if (resume) {
            tags.put("distill4j.resumed", "true");
        }
        TrackedRun parent = tracker.startRun(experimentId, study.name(), null, tags);
        ledger.started(TrialLedger.STUDY, experimentId, parent.runId());
        if (interrupted > 0) {
            parent.setTag("distill4j.interrupted_runs_closed", String.valueOf(interrupted));
        }
        parent.logParam("study_file", study.file());
        parent.logParam("seeds", study.seeds().toString());
        parent.logParam("grid_cells", String.valueOf(study.cells().size()));
        parent.logParam("trials", String.valueOf(study.trials().size()));
        parent.logArtifact("study.yaml", StudyFileWriter.toYaml(Secrets.masked(study.tree())).getBytes(StandardCharsets.UTF_8));
        List<TrialResult> results = new ArrayList<>();
        Map<String, TeacherCache.Entry> teachers = new LinkedHashMap<>();
        RunStatus status = RunStatus.FINISHED;
        try {
            for (Trial t : study.trials()) {
                if (t.role() == Trial.Role.TEACHER) {
                    results.add(runTeacher(t, experimentId, parent.runId(), teachers, ledger, resume));
                }
            }
            List<Trial> students = study.trials().stream().filter(t -> t.role() != Trial.Role.TEACHER).toList();
            results.addAll(runStudents(students, experimentId, parent.runId(), teachers, ledger, resume));
            Summary summary = Summary.of(study, results);
            summary.write(folder);
            parent.logArtifact("summary.md", folder.resolve("summary.md"));
            parent.logArtifact("summary.csv", folder.resolve("summary.csv"));
            parent.end(RunStatus.FINISHED);
            ledger.studyFinished(experimentId, parent.runId());
            return new Outcome(study, results, summary, folder, parent.runId());
        } catch (RuntimeException | Error e) {
            status = RunStatus.FAILED;
            parent.setTag("distill4j.error", String.valueOf(e.getMessage()));
            throw e;
        } finally {
            if (status != RunStatus.FINISHED) {
                parent.end(status);
            }
        }
    }

    /** Ends, in tracking, the runs of trials (and studies) whose process died; returns how many. */
    private int closeInterrupted(TrialLedger ledger) {
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

    private static int epochBudget(Trial t) {
        StudyConfig c = t.config();
        if (t.role() == Trial.Role.TEACHER) {
            return c.teachers().get(t.teacherName()).epochBudget();
        }
        return c.training().epochs();
    }

    private PreparedData data(StudyConfig config) {
        String key = ConfigHash.of(config.tree().get("data"));
        return dataCache.computeIfAbsent(key, k -> DatasetPreparer.prepare(config.data()));
    }

    private static InputShape shape(PreparedData data) {
        return new InputShape(data.featureNames().size(), data.lookback(), data.numClasses());
    }

    /**
     * The key of a named teacher within a study, for the trial seed it serves (see {@link StudyConfig#teacherSeed}):
     * the hash of its config identity (not of its name).
     */
    static String teacherKey(StudyConfig c, String teacherName, int trialSeed) {
        return ConfigHash.of(c.teacherIdentity(teacherName, trialSeed));
    }

    /**
     * The teacher cache key: the config identity plus the content hashes of the data and of the teacher's own input
     * files, so that changed data or a replaced model or positions file at the same path is never served stale.
     */
    private String cacheKey(StudyConfig c, String teacherName, int trialSeed) {
        com.fasterxml.jackson.databind.node.ObjectNode id = c.teacherIdentity(teacherName, trialSeed);
        id.put("data_sha256", data(c).description().sha256());
        var files = id.putArray("input_files_sha256");
        for (Path f : c.teachers().get(teacherName).inputFiles()) {
            files.add(io.distill4j.config.ConfigHash.sha256(f));
        }
        return ConfigHash.of(id);
    }

    // ---- teachers ------------------------------------------------------------------------------

    private TrialResult runTeacher(Trial trial, String experimentId, String parentRunId,
            Map<String, TeacherCache.Entry> teachers, TrialLedger ledger, boolean resume) {
        StudyConfig c = trial.config();
        String key = teacherKey(c, trial.teacherName(), trial.seed());
        Optional<TeacherCache.Entry> cached = resume
                ? teacherCache.get(cacheKey(c, trial.teacherName(), trial.seed())) : Optional.empty();
        if (cached.isPresent()) {
            Optional<TrialResult> done = resumed(trial, ledger, true);
            if (done.isPresent()) {
                teachers.put(key, cached.get().logitsOnly());
                return done.get();
            }
        }
        listener.trialStarted(trial);
        TrackedRun run = startRun(trial, experimentId, parentRunId, ledger);
        long t0 = System.currentTimeMillis();
        try {
            PreparedData data = data(c);
            logData(run, data);
            var ctx = new TeacherFitContext(shape(data), data.train(), data.train().labelsOneHot(),
                    data.validation(), data.validation().labelsOneHot(), data.series(), c.teacherSeed(trial.seed()),
                    epochObserver(trial, run));
            Map<String, ModelInput> splits = new LinkedHashMap<>();
            splits.put("train", data.train());
            splits.put("validation", data.validation());
            splits.put("test", data.test());
            String cacheKey = cacheKey(c, trial.teacherName(), trial.seed());
            TeacherCache.Entry entry = teacherCache.getOrFit(cacheKey, c.teachers().get(trial.teacherName()), ctx,
                    splits);
            teachers.put(key, entry.logitsOnly()); // activations stay on disk until a loss needs them
            run.setTag("distill4j.teacher_key", cacheKey);
            run.setTag("distill4j.teacher_cached", String.valueOf(entry.fromCache()));
            run.logMetric("train_seconds", entry.trainMillis() / 1000.0, 0);
            Map<String, Double> test = teacherMetrics(entry.split("test").logits(), data.test());
            Map<String, Double> validation = teacherMetrics(entry.split("validation").logits(), data.validation());
            logFinal(run, test, validation, entry.parameterCount(), Double.NaN);
            for (String member : entry.split("test").members().keySet()) {
                Map<String, Double> m = teacherMetrics(entry.split("test").members().get(member), data.test());
                Map<String, Double> mv = teacherMetrics(entry.split("validation").members().get(member),
                        data.validation());
                m.forEach((k, v) -> {
                    test.put("member." + member + "." + k, v);
                    run.logMetric(member + ".test_" + k, v, 0);
                });
                mv.forEach((k, v) -> validation.put("member." + member + "." + k, v));
            }
            if (Files.isRegularFile(entry.folder().resolve("teacher.zip"))) {
                run.logArtifact("model/teacher.zip", entry.folder().resolve("teacher.zip"));
            }
            run.end(RunStatus.FINISHED);
            var result = new TrialResult(trial, trial.id(), test, validation, entry.parameterCount(),
                    System.currentTimeMillis() - t0, run.runId(), null,
                    Map.of("train_seconds", entry.trainMillis() / 1000.0, "from_cache", entry.fromCache() ? 1.0 : 0.0,
                            "trained_at_ms", (double) entry.trainedAtMillis(),
                            Summary.CACHE_KEY_FACT, Summary.cacheKeyFact(cacheKey)));
            return finished(trial, result, ledger, experimentId);
        } catch (RuntimeException e) {
            TrialResult failed = fail(trial, run, e, t0, ledger, experimentId);
            if (e instanceof Distill4jException user) {
                throw user; // bad data or config: every trial would fail the same way
            }
            return failed;
        }
    }

    // ---- students ------------------------------------------------------------------------------

    private List<TrialResult> runStudents(List<Trial> trials, String experimentId, String parentRunId,
            Map<String, TeacherCache.Entry> teachers, TrialLedger ledger, boolean resume) {
        List<TrialResult> out = new ArrayList<>();
        if (workers == 1 || trials.size() < 2) {
            for (Trial t : trials) {
                out.add(runStudent(t, experimentId, parentRunId, teachers, ledger, resume));
            }
            return out;
        }
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread th = new Thread(r, "distill4j-trial");
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<TrialResult>> futures = new ArrayList<>();
            for (Trial t : trials) {
                futures.add(pool.submit(() -> runStudent(t, experimentId, parentRunId, teachers, ledger, resume)));
            }
            for (Future<TrialResult> f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Distill4jException("interrupted");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private TrialResult runStudent(Trial trial, String experimentId, String parentRunId,
            Map<String, TeacherCache.Entry> teachers, TrialLedger ledger, boolean resume) {
        Optional<TrialResult> done = resumed(trial, ledger, resume);
        if (done.isPresent()) {
            return done.get();
        }
        StudyConfig c = trial.config();
        listener.trialStarted(trial);
        TrackedRun run = startRun(trial, experimentId, parentRunId, ledger);
        long t0 = System.currentTimeMillis();
        try {
            PreparedData data = data(c);
            logData(run, data);
            Map<String, TeacherCache.Entry> used = new LinkedHashMap<>();
            for (String name : c.teachers().keySet()) {
                TeacherCache.Entry entry = teachers.get(teacherKey(c, name, trial.seed()));
                if (entry == null) {
                    throw new IllegalStateException("teacher '" + name + "' of trial " + trial.id() + " did not train");
                }
                used.put(name, entry);
            }
            run.setTag("distill4j.teacher_key", used.get(c.primaryTeacher()).key());
            List<DistillationLoss> losses = trial.role() == Trial.Role.DISTILLED ? c.newLosses()
                    : List.of(new HardLabelCrossEntropy());
            List<StudentDistiller.ScheduledParameter> schedules = new ArrayList<>();
            if (trial.role() == Trial.Role.DISTILLED) {
                c.schedules().forEach((p, s) -> schedules.add(
                        new StudentDistiller.ScheduledParameter(losses.get(0), p, s)));
                c.schedules().forEach((p, s) -> run.logParam("trial.schedule." + p, s.describe()));
            }
            run.logParam("trial.loss", String.join(" + ", losses.stream().map(DistillationLoss::describe).toList()));
            InputKind kind = c.student().inputKind();
            var train = new StudentDistiller.SplitData(data.train().input(kind), data.train().labelsOneHot(),
                    outputs(used, "train"));
            var validation = new StudentDistiller.SplitData(data.validation().input(kind),
                    data.validation().labelsOneHot(), outputs(used, "validation"));
            long studentSeed = Seeds.derive(trial.seed(), "student");
            long shuffleSeed = Seeds.derive(trial.seed(), "shuffle");
            StudentDistiller.Result trained = StudentDistiller.train(trial.runName(), c.student(), losses,
                    schedules, shape(data), c.training(), train, validation, studentSeed, shuffleSeed,
                    epochObserver(trial, run));
            Map<String, Double> test = evaluate(trained, data.test().input(kind), data.test(),
                    outputs(used, "test"), c.primaryTeacher());
            Map<String, Double> val = evaluate(trained, validation.input(), data.validation(), validation.teachers(),
                    c.primaryTeacher());
            long teacherParams = used.values().stream().mapToLong(TeacherCache.Entry::parameterCount).sum();
            ComputationGraph deployable = Networks.deployable(trained.graph());
            long params = deployable.numParams();
            Path model = ResultsPaths.studentModel(resultsDir, c.name(), trial.id());
            saveAtomically(deployable, model);
            run.logArtifact("model/student.zip", model);
            logFinal(run, test, val, params, teacherParams);
            run.logMetric("epochs_run", trained.outcome().epochsRun(), 0);
            run.end(RunStatus.FINISHED);
            var result = new TrialResult(trial, trial.id(), test, val, params, System.currentTimeMillis() - t0,
                    run.runId(), null, Map.of());
            return finished(trial, result, ledger, experimentId);
        } catch (RuntimeException e) {
            return fail(trial, run, e, t0, ledger, experimentId);
        }
    }

    /** A teacher's metrics against the labels (agreement and KL with itself would be meaningless). */
    private static Map<String, Double> teacherMetrics(INDArray logits, SampleSplit split) {
        Map<String, Double> m = new LinkedHashMap<>(ClassificationMetrics.of(logits, split.labels(), null).asMap());
        m.remove("agreement");
        m.remove("kl_teacher");
        return m;
    }

    private static Map<String, TeacherOutputs> outputs(Map<String, TeacherCache.Entry> teachers, String split) {
        Map<String, TeacherOutputs> out = new LinkedHashMap<>();
        teachers.forEach((name, entry) -> out.put(name, entry.split(split)));
        return out;
    }

    /**
     * A student's metrics; agreement and KL against the primary teacher, and with several teachers also
     * {@code agreement.<name>} and {@code kl_teacher.<name>} against each.
     */
    private static Map<String, Double> evaluate(StudentDistiller.Result trained, INDArray input, SampleSplit split,
            Map<String, TeacherOutputs> teachers, String primary) {
        INDArray logits = trained.logits(input);
        Map<String, Double> m = new LinkedHashMap<>(
                ClassificationMetrics.of(logits, split.labels(), teachers.get(primary).logits()).asMap());
        if (teachers.size() > 1) {
            teachers.forEach((name, t) -> {
                var each = ClassificationMetrics.of(logits, split.labels(), t.logits());
                m.put("agreement." + name, each.agreement());
                m.put("kl_teacher." + name, each.klTeacher());
            });
        }
        return m;
    }

    private static void saveAtomically(ComputationGraph graph, Path target) {
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), ".tmp-", ".zip");
            ModelSerializer.writeModel(graph, tmp.toFile(), false);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the student model " + target + ": " + e.getMessage(), e);
        }
    }

    // ---- tracking ------------------------------------------------------------------------------

    /** Opens a trial's run and records it in the ledger at once, before anything else can be interrupted. */
    private TrackedRun startRun(Trial trial, String experimentId, String parentRunId, TrialLedger ledger) {
        Map<String, String> tags = new LinkedHashMap<>(Provenance.tags());
        tags.put("distill4j.device", deviceTag());
        tags.put("distill4j.trial_id", trial.id());
        tags.put("distill4j.role", trial.role().label());
        tags.put("distill4j.config_hash", ConfigHash.of(trial.resolved()));
        tags.put("distill4j.seed", String.valueOf(trial.seed()));
        if (!trial.cell().equals("-")) {
            tags.put("distill4j.cell", trial.cell());
        }
        TrackedRun run = tracker.startRun(experimentId, trial.runName(), parentRunId, tags);
        ledger.started(trial.id(), experimentId, run.runId());
        Map<String, String> params = new LinkedHashMap<>();
        flatten("", trial.resolved(), params);
        // trial-level params live under "trial." so they never collide with a config path (e.g. the root seed)
        params.put("trial.role", trial.role().label());
        params.put("trial.seed", String.valueOf(trial.seed()));
        params.put("trial.method", trial.method());
        run.logParams(params);
        run.logArtifact("config.yaml", StudyFileWriter.toYaml(Secrets.masked(trial.resolved())).getBytes(StandardCharsets.UTF_8));
        return run;
    }

    /** Flattens a config tree into {@code a.b.c -> value} params (lists as compact JSON). */
    static void flatten(String prefix, com.fasterxml.jackson.databind.JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
                    e.getValue(), out));
        } else {
            out.put(prefix, node.isValueNode() ? node.asText() : node.toString());
        }
    }

    private static void logData(TrackedRun run, PreparedData data) {
        var d = data.description();
        run.setTag("distill4j.data.source", d.source());
        run.setTag("distill4j.data.sha256", d.sha256());
        run.setTag("distill4j.data.rows", String.valueOf(d.rows()));
        run.setTag("distill4j.data.first_time", java.time.Instant.ofEpochMilli(d.firstTimeMs()).toString());
        run.setTag("distill4j.data.last_time", java.time.Instant.ofEpochMilli(d.lastTimeMs()).toString());
        run.setTag("distill4j.data.interval_ms", String.valueOf(d.intervalMs()));
        run.logParam("data.samples.train", String.valueOf(data.train().size()));
        run.logParam("data.samples.validation", String.valueOf(data.validation().size()));
        run.logParam("data.samples.test", String.valueOf(data.test().size()));
        run.logParam("data.label_threshold", String.valueOf(data.labelThreshold()));
        run.logDataset(dataset(data));
    }

    /** The prepared data as an MLflow dataset input (name, digest, source, schema, profile). */
    static DatasetInput dataset(PreparedData data) {
        var d = data.description();
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        boolean synthetic = d.source().startsWith("synthetic");
        String name = synthetic ? "synthetic" : Path.of(d.source()).getFileName().toString().replaceFirst("\\.csv$", "");
        var source = json.createObjectNode().put(synthetic ? "generator" : "path", d.source());
        var schema = json.createObjectNode();
        data.featureNames().forEach(f -> schema.withArray("features").add(f));
        schema.put("labels", "0=sell 1=hold 2=buy");
        var profile = json.createObjectNode().put("rows", d.rows())
                .put("first_time", java.time.Instant.ofEpochMilli(d.firstTimeMs()).toString())
                .put("last_time", java.time.Instant.ofEpochMilli(d.lastTimeMs()).toString())
                .put("interval_ms", d.intervalMs()).put("sha256", d.sha256())
                .put("samples_train", data.train().size()).put("samples_validation", data.validation().size())
                .put("samples_test", data.test().size());
        return new DatasetInput(name, d.sha256().substring(0, Math.min(10, d.sha256().length())),
                synthetic ? "synthetic" : "local", source.toString(), schema.toString(), profile.toString(),
                "training");
    }

    private TrainingObserver epochObserver(Trial trial, TrackedRun run) {
        return report -> {
            String scope = report.scope();
            run.logMetric(scope + "train_loss", report.trainLoss(), report.epoch());
            if (Double.isFinite(report.validationLoss())) {
                run.logMetric(scope + "val_loss", report.validationLoss(), report.epoch());
            }
            report.values().forEach((k, v) -> run.logMetric(scope + k, v, report.epoch()));
            run.flush();
            listener.epochFinished(trial, report);
        };
    }

    private static void logFinal(TrackedRun run, Map<String, Double> test, Map<String, Double> validation,
            long params, double teacherParams) {
        test.forEach((k, v) -> {
            if (Double.isFinite(v)) {
                run.logMetric("test_" + k, v, 0);
            }
        });
        validation.forEach((k, v) -> {
            if (Double.isFinite(v)) {
                run.logMetric("val_" + k, v, 0);
            }
        });
        run.logMetric("parameters", params, 0);
        if (Double.isFinite(teacherParams) && teacherParams > 0) {
            run.logMetric("teacher_parameters", teacherParams, 0);
            run.logMetric("compression_ratio", teacherParams / params, 0);
        }
    }

    /** Records a finished trial in the ledger and tells the listener. */
    private TrialResult finished(Trial trial, TrialResult result, TrialLedger ledger, String experimentId) {
        ledger.finished(result, experimentId);
        listener.trialFinished(result, epochBudget(trial));
        return result;
    }

    /** Ends a failed trial's run as FAILED with the reason and stack trace, records it and tells the listener. */
    private TrialResult fail(Trial trial, TrackedRun run, RuntimeException e, long t0, TrialLedger ledger,
            String experimentId) {
        String reason = e instanceof TrainingDivergedException || e instanceof Distill4jException
                ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
        LOG.warn("trial {} ({}) failed: {}", trial.id(), trial.runName(), reason);
        run.setTag("distill4j.error", reason);
        java.io.StringWriter trace = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(trace));
        run.logArtifact("error.txt", trace.toString().getBytes(StandardCharsets.UTF_8));
        run.end(RunStatus.FAILED);
        TrialResult failed = new TrialResult(trial, trial.id(), Map.of(), Map.of(), 0,
                System.currentTimeMillis() - t0, run.runId(), reason, Map.of());
        ledger.failed(failed, experimentId);
        listener.trialFinished(failed, epochBudget(trial));
        return failed;
    }
}
