package io.distill4j.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distill4j.api.EpochReport;
import io.distill4j.api.InputKind;
import io.distill4j.data.features.Labels;
import io.distill4j.config.ConfigHash;
import io.distill4j.config.Secrets;
import io.distill4j.config.StudyFileWriter;
import io.distill4j.data.features.PreparedData;
import io.distill4j.EnvironmentException;
import io.distill4j.loss.DoubleRows;
import io.distill4j.tracking.DatasetInputs;
import io.distill4j.tracking.MlflowModel;
import io.distill4j.tracking.RunStatus;
import io.distill4j.tracking.RunsTable;
import io.distill4j.tracking.TrackedRun;
import io.distill4j.tracking.Tracker;
import io.distill4j.train.TeacherCache;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The tracking of trials as a {@link TrialListener}: one child run per trial under the study's parent run, with the
 * resolved config as params and {@code config.yaml}, provenance tags, the data as a dataset input, per-epoch metrics,
 * final {@code test_*} and {@code val_*} metrics, the model artifact, and on failure the reason and stack trace.
 */
public final class TrialTracking implements TrialListener {
    private final Tracker tracker;
    private final String experimentId;
    private final String parentRunId;
    private final String device;
    private final BiConsumer<Trial, String> runStarted;
    private final Function<Trial, Path> exportedModel;
    private final Function<PreparedData, DataFacts> dataFacts;
    /** The tag MLflow shows as a run's description. */
    static final String DESCRIPTION_TAG = "mlflow.note.content";
    private final Map<String, TrackedRun> runs = new ConcurrentHashMap<>();
    private final Map<String, PreparedData> data = new ConcurrentHashMap<>();
    /** Each trial's id, computed once per trial (an id hashes the trial's config; every event looks its run up). */
    private final Map<Trial, String> ids = java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

    /**
     * @param runStarted told of every run as soon as it is open (the study records it in its ledger, so that a killed
     *     process's runs can be closed later)
     * @param exportedModel where a student trial's deployable model was exported (logged as {@code model/student.zip}
     *     when the file exists); the export listener must run before this one
     * @param dataFacts the class balance of prepared data (computed once per dataset, not per trial)
     */
    public TrialTracking(Tracker tracker, String experimentId, String parentRunId, String device,
            BiConsumer<Trial, String> runStarted, Function<Trial, Path> exportedModel,
            Function<PreparedData, DataFacts> dataFacts) {
        this.tracker = tracker;
        this.experimentId = experimentId;
        this.parentRunId = parentRunId;
        this.device = device;
        this.runStarted = runStarted;
        this.exportedModel = exportedModel;
        this.dataFacts = dataFacts;
    }

    /** The run id of a trial this listener tracked (null if none). */
    public String runId(Trial trial) {
        TrackedRun run = runs.get(id(trial));
        return run == null ? null : run.runId();
    }

    @Override
    public void trialStarted(Trial trial) {
        Map<String, String> tags = new LinkedHashMap<>(Provenance.tags());
        tags.put("distill4j.device", device);
        tags.put("distill4j.trial_id", id(trial));
        tags.put("distill4j.role", trial.role().label());
        tags.put("distill4j.config_hash", ConfigHash.of(trial.resolved()));
        tags.put("distill4j.seed", String.valueOf(trial.trainingSeed()));
        if (!trial.cell().equals("-")) {
            tags.put("distill4j.cell", trial.cell());
        }
        tags.put(DESCRIPTION_TAG, trial.description() + " (trial " + id(trial) + ")");
        TrackedRun run = tracker.startRun(experimentId, trial.runName(), parentRunId, tags);
        runs.put(id(trial), run);
        runStarted.accept(trial, run.runId());
        run.logParams(params(trial));
        run.logArtifact("config.yaml",
                StudyFileWriter.toYaml(Secrets.masked(trial.resolved())).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void dataReady(Trial trial, PreparedData data) {
        this.data.put(id(trial), data);
        TrackedRun run = run(trial);
        var d = data.description();
        run.setTag("distill4j.data.source", d.source());
        run.setTag("distill4j.data.sha256", d.sha256());
        run.setTag("distill4j.data.rows", String.valueOf(d.rows()));
        run.setTag("distill4j.data.first_time", Instant.ofEpochMilli(d.firstTimeMs()).toString());
        run.setTag("distill4j.data.last_time", Instant.ofEpochMilli(d.lastTimeMs()).toString());
        run.setTag("distill4j.data.interval_ms", String.valueOf(d.intervalMs()));
        run.setTag("distill4j.data.gaps", String.valueOf(d.quality().gaps()));
        run.setTag("distill4j.data.missing_bars", String.valueOf(d.quality().missingBars()));
        run.setTag("distill4j.data.zero_volume_bars", String.valueOf(d.quality().zeroVolumeBars()));
        if (!d.quality().warnings().isEmpty()) {
            run.setTag("distill4j.data.warnings", String.join("; ", d.quality().warnings()));
        }
        run.logParam("data.samples.train", String.valueOf(data.train().size()));
        run.logParam("data.samples.validation", String.valueOf(data.validation().size()));
        run.logParam("data.samples.test", String.valueOf(data.test().size()));
        run.logParam("data.label_threshold", number(data.labelThreshold()));
        DataFacts facts = dataFacts.apply(data);
        for (String split : DataFacts.SPLITS) {
            run.setTag("distill4j.data.class_balance." + split, facts.balance(split));
        }
        run.logDataset(DatasetInputs.training(d.source(), trial.file(), d.sha256(), d.rows(), d.firstTimeMs(),
                d.lastTimeMs(), d.intervalMs(), data.featureNames(), Map.of("train", data.train().size(),
                        "validation", data.validation().size(), "test", data.test().size())));
    }

    @Override
    public void described(Trial trial, Map<String, String> params, Map<String, String> tags) {
        TrackedRun run = run(trial);
        if (!params.isEmpty()) {
            run.logParams(params);
        }
        tags.forEach(run::setTag);
    }

    @Override
    public void epochFinished(Trial trial, EpochReport report) {
        TrackedRun run = run(trial);
        String scope = report.scope();
        run.logMetric(scope + EpochReport.OBJECTIVE_TRAIN, report.trainLoss(), report.epoch());
        // a regression network's criterion is its MSE, logged as epoch.val_mse with the values below
        if (Double.isFinite(report.validationLoss()) && !report.values().containsKey(EpochReport.VAL_MSE)) {
            run.logMetric(scope + EpochReport.VAL_CROSS_ENTROPY, report.validationLoss(), report.epoch());
        }
        report.values().forEach((k, v) -> run.logMetric(scope + k, v, report.epoch()));
        run.flush();
    }

    @Override
    public void teacherReady(Trial trial, TeacherCache.Entry entry) {
        TrackedRun run = run(trial);
        run.logParam("result.train_seconds", number(entry.trainMillis() / 1000.0));
        Path zip = entry.folder().resolve("teacher.zip");
        if (Files.isRegularFile(zip)) {
            logModel(trial, run, "teacher.zip", zip,
                    trial.config().teachers().get(trial.teacherName()).inputKind());
        }
    }

    @Override
    public void studentTrained(Trial trial, ComputationGraph deployable) {
        Path model = exportedModel.apply(trial);
        if (model != null && Files.isRegularFile(model)) {
            logModel(trial, run(trial), "student.zip", model, trial.config().student().inputKind());
        }
    }

    /** Rows of the validation split logged as a model's input example. */
    static final int EXAMPLE_ROWS = 3;

    /**
     * Logs a DL4J model zip as an MLflow Model in the run's {@code model/} folder (see {@link MlflowModel}): flavor
     * {@code distill4j}, the zip, a signature (input: the standardised feature columns, or a
     * {@code [-1, features, lookback]} tensor for sequence models; output: the probabilities of sell, hold, buy)
     * and the first {@value #EXAMPLE_ROWS} validation inputs as the example. Without the trial's data (never seen in
     * a study) only the model files are logged. The dependency-free runtime model ({@code .d4jr}, written beside the
     * zip by {@link ModelExport}) joins the zip in the same folder when it exists.
     */
    private void logModel(Trial trial, TrackedRun run, String fileName, Path zip, InputKind kind) {
        Map<String, Path> files = new LinkedHashMap<>();
        files.put(fileName, zip);
        Path runtime = ModelExport.runtimeModelBeside(zip);
        String runtimeName = fileName.replaceFirst("\\.zip$", "") + ModelExport.RUNTIME_EXTENSION;
        if (Files.isRegularFile(runtime)) {
            files.put(runtimeName, runtime);
        }
        PreparedData d = data.get(id(trial));
        if (d == null) {
            files.forEach((name, file) -> run.logArtifact("model/" + name, file));
            return;
        }
        INDArray rows = d.validation().input(kind);
        rows = rows.get(NDArrayIndex.interval(0, Math.min(EXAMPLE_ROWS, rows.size(0))));
        Map<String, Object> flavor = new LinkedHashMap<>();
        flavor.put("model_file", fileName);
        if (files.containsKey(runtimeName)) {
            flavor.put("runtime_file", runtimeName);
        }
        flavor.put("format", "DL4J ComputationGraph zip (ModelSerializer)");
        flavor.put("dl4j_version", Provenance.tags().get("distill4j.dl4j.version"));
        flavor.put("role", trial.role().label());
        flavor.put("trial_id", id(trial));
        flavor.put("input_kind", kind.name().toLowerCase(java.util.Locale.ROOT));
        flavor.put("features", d.featureNames());
        flavor.put("standardiser", Map.of("mean", d.standardiser().mean(), "std", d.standardiser().std()));
        flavor.put("output", "probabilities");
        flavor.put("classes", Labels.NAMES);
        String inputs;
        MlflowModel.Example example;
        if (kind == InputKind.TABULAR) {
            inputs = MlflowModel.columns(d.featureNames(), "double");
            example = MlflowModel.Example.dataframe(d.featureNames(), DoubleRows.of(rows));
        } else {
            flavor.put("lookback", d.lookback());
            inputs = MlflowModel.tensor("float32", -1, rows.size(1), rows.size(2));
            double[][][] windows = new double[(int) rows.size(0)][][];
            for (int i = 0; i < windows.length; i++) {
                windows[i] = DoubleRows.of(rows.slice(i));
            }
            example = MlflowModel.Example.ndarray(windows);
        }
        MlflowModel.log(run, "model", "distill4j", flavor, files, inputs,
                MlflowModel.columns(Labels.NAMES.stream().map(c -> "p_" + c).toList(), "double"), example);
    }

    @Override
    public void trialFinished(TrialResult result) {
        TrackedRun run = run(result.trial());
        logFinal(run, result.test(), "test_");
        logFinal(run, result.validation(), "val_");
        result.test().forEach((k, v) -> {
            if (k.startsWith("member.") && Double.isFinite(v)) {
                String rest = k.substring("member.".length());
                int dot = rest.indexOf('.');
                run.logMetric(rest.substring(0, dot) + ".test_" + rest.substring(dot + 1), v, 0);
            }
        });
        // constants of the run are params, not one-point metric charts
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put(RunsTable.PARAMETERS_PARAM, String.valueOf(result.parameters()));
        double teacherParams = result.facts().getOrDefault("teacher_parameters", Double.NaN);
        if (Double.isFinite(teacherParams) && teacherParams > 0) {
            facts.put("result.teacher_parameters", String.valueOf((long) teacherParams));
            facts.put("result.compression_ratio", number(teacherParams / result.parameters()));
        }
        Double epochs = result.facts().get("epochs_run");
        if (epochs != null) {
            facts.put("result.epochs_run", String.valueOf(epochs.longValue()));
        }
        run.logParams(facts);
        run.end(RunStatus.FINISHED);
        data.remove(result.trialId());
    }

    /**
     * Ends the trial's run as FAILED with the reason and, for a trial failure, the stack trace as {@code error.txt}.
     * When the machine failed ({@link EnvironmentException}, e.g. a full disk) each step is best-effort: a run this
     * cannot end is ended by the next run of the study (its ledger record is still {@code started}).
     */
    @Override
    public void trialFailed(TrialResult result, RuntimeException error) {
        data.remove(result.trialId());
        TrackedRun run = runs.get(result.trialId());
        if (run == null) {
            return;
        }
        var machine = EnvironmentException.of(error);
        if (machine.isPresent()) {
            bestEffort(error, () -> run.setTag("distill4j.error", machine.get().getMessage()));
            bestEffort(error, () -> run.end(RunStatus.FAILED));
            return;
        }
        if (error instanceof TrialPrunedException pruned) { // stopped on purpose: its curve is kept, no trace
            run.setTag("distill4j.status", "PRUNED");
            run.setTag("distill4j.pruned_epoch", String.valueOf(pruned.epoch()));
            run.setTag("distill4j.error", result.failure());
            run.end(RunStatus.KILLED);
            return;
        }
        run.setTag("distill4j.error", result.failure());
        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        run.logArtifact("error.txt", trace.toString().getBytes(StandardCharsets.UTF_8));
        run.end(RunStatus.FAILED);
    }

    private static void bestEffort(RuntimeException failure, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException again) {
            failure.addSuppressed(again);
        }
    }

    private String id(Trial trial) {
        return ids.computeIfAbsent(trial, Trial::id);
    }

    private TrackedRun run(Trial trial) {
        TrackedRun run = runs.get(id(trial));
        if (run == null) {
            throw new IllegalStateException("trial " + id(trial) + " has no tracking run");
        }
        return run;
    }

    /** A number as the study file writes it ({@code 0.0001}, not {@code 1.0E-4}). */
    static String number(double value) {
        return Double.isFinite(value) ? StudyFileWriter.number(DoubleNode.valueOf(value)) : String.valueOf(value);
    }

    private static void logFinal(TrackedRun run, Map<String, Double> metrics, String prefix) {
        metrics.forEach((k, v) -> {
            if (Double.isFinite(v)) {
                run.logMetric(prefix + k, v, 0);
            }
        });
    }

    /**
     * The params of a trial's run: the resolved config's settings that apply to its role (a teacher: {@code data}
     * and its own teacher section; a student-alone baseline: {@code data}, {@code student} and {@code training}; a
     * distilled student: everything), numbers as the study file writes them, the trial's own seed as {@code seed}
     * and the study's root seed as {@code study.seed}. The {@code config.yaml} artifact keeps the whole config.
     */
    static Map<String, String> params(Trial trial) {
        ObjectNode tree = trial.resolved().deepCopy();
        JsonNode rootSeed = tree.remove("seed");
        switch (trial.role()) {
            case TEACHER -> {
                tree.remove(List.of("student", "distillation", "training"));
                if (tree.has("teachers")) {
                    JsonNode own = tree.get("teachers").get(trial.teacherName());
                    tree.remove("teachers");
                    tree.set("teacher", own);
                }
            }
            case STUDENT_ALONE -> tree.remove(List.of("teacher", "teachers", "distillation"));
            case DISTILLED, CHAIN_STAGE, MUTUAL -> { }
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("seed", String.valueOf(trial.trainingSeed()));
        params.put("study.seed",
                rootSeed == null ? String.valueOf(trial.config().seed()) : StudyFileWriter.text(rootSeed));
        flatten("", tree, params);
        // trial-level params live under "trial." so they never collide with a config path
        params.put("trial.role", trial.role().label());
        params.put("trial.method", trial.method());
        return params;
    }

    /** Flattens a config tree into {@code a.b.c -> value} params (values as by {@link StudyFileWriter#text}). */
    static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
                    e.getValue(), out));
        } else {
            out.put(prefix, StudyFileWriter.text(node));
        }
    }
}
