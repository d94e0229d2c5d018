package io.distill4j.experiment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distill4j.Distill4jException;
import io.distill4j.EnvironmentException;
import io.distill4j.api.DistillationLoss;
import io.distill4j.api.InputKind;
import io.distill4j.api.Seeds;
import io.distill4j.api.TeacherFitContext;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.config.ConfigHash;
import io.distill4j.data.features.CrossTimeframeData;
import io.distill4j.data.features.PreparedData;
import io.distill4j.data.features.SampleSplit;
import io.distill4j.distill.StudentDistiller;
import io.distill4j.api.VertexNames;
import io.distill4j.eval.Cka;
import io.distill4j.eval.ClassificationMetrics;
import io.distill4j.eval.FeatureSimilarity;
import io.distill4j.eval.TradingMetrics;
import io.distill4j.data.DataConfig;
import io.distill4j.eval.RegressionMetrics;
import io.distill4j.loss.HardLabelCrossEntropy;
import io.distill4j.loss.RegressionKd;
import io.distill4j.loss.RegressionKdLossFunction;
import io.distill4j.model.Networks;
import io.distill4j.train.PhaseTimes;
import io.distill4j.train.TeacherCache;
import io.distill4j.train.TrainingDivergedException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs one {@link Trial}: a pure computation from the trial's description and a {@link TrialContext} to a
 * {@link TrialResult}. It trains (or reads from the cache) a teacher, or trains a student against the cached
 * outputs of its teachers, and evaluates on the splits of the context's {@link EvaluationScope}. It writes nothing
 * but the teacher cache: tracking, model export and progress are {@link TrialListener}s.
 *
 * <p>A trial that fails (diverged loss, any exception) comes back as a failed result with its reason, and the
 * listeners hear {@link TrialListener#trialFailed}; a teacher that fails on a user mistake (bad data or config,
 * a {@link Distill4jException}) and any trial the machine fails ({@link EnvironmentException}: disk full, read-only
 * file system) are rethrown after that, since every other trial would fail the same way.
 */
public final class TrialExecutor {
    private final TrialContext context;

    public TrialExecutor(TrialContext context) {
        this.context = context;
    }

    public TrialContext context() {
        return context;
    }

    /** Runs {@code trial}; its side effects go to {@code listener}. */
    public TrialResult execute(Trial trial, TrialListener listener) {
        listener.trialStarted(trial);
        long t0 = System.currentTimeMillis();
        try {
            TrialResult result = trial.role() == Trial.Role.TEACHER ? teacher(trial, listener, t0)
                    : trial.role() == Trial.Role.MUTUAL ? MutualTrials.run(this, trial, listener, t0)
                    : student(trial, listener, t0);
            listener.trialFinished(result);
            return result;
        } catch (RuntimeException e) {
            String reason = e instanceof TrainingDivergedException || e instanceof Distill4jException
                    ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
            Map<String, Double> facts = e instanceof TrialPrunedException pruned
                    ? Map.of(TrialPrunedException.PRUNED_EPOCH, (double) pruned.epoch(), "epochs_run",
                            (double) pruned.epoch())
                    : Map.of();
            TrialResult failed = new TrialResult(trial, trial.id(), Map.of(), Map.of(), 0,
                    System.currentTimeMillis() - t0, null, e instanceof TrialPrunedException ? e.getMessage() : reason,
                    facts);
            listener.trialFailed(failed, e);
            Optional<EnvironmentException> machine = EnvironmentException.of(e);
            if (machine.isPresent()) {
                throw machine.get(); // disk full and the like: every later trial would fail too
            }
            if (trial.role() == Trial.Role.TEACHER && e instanceof Distill4jException user) {
                throw user;
            }
            return failed;
        }
    }

    /**
     * The teacher cache key of one of a config's teachers: its config identity, the content hashes of the data and of
     * the teacher's own input files (a replaced file at the same path is never served stale), and the splits its
     * outputs cover when they are not all three. {@code trialSeed} is the seed the teacher serves (see
     * {@link StudyConfig#teacherSeed}).
     */
    public String teacherCacheKey(StudyConfig c, String teacherName, int trialSeed) {
        ObjectNode id = c.teacherIdentity(teacherName, trialSeed);
        id.put("data_sha256", context.data(c).description().sha256());
        context.crossTimeframe(c).ifPresent(x -> id.put("teacher_data_sha256", x.teacher().description().sha256()));
        var files = id.putArray("input_files_sha256");
        for (Path f : c.teachers().get(teacherName).inputFiles()) {
            files.add(context.fileHash(f));
        }
        if (!context.scope().includesTest()) {
            id.put("splits", String.join(",", context.scope().splits()));
        }
        return ConfigHash.of(id);
    }

    // ---- teachers ------------------------------------------------------------------------------

    private TrialResult teacher(Trial trial, TrialListener listener, long t0) {
        StudyConfig c = trial.config();
        PreparedData prepared = context.data(c);
        listener.dataReady(trial, prepared);
        TrialData data = new TrialData(prepared, context.scope());
        // cross-timeframe: the teacher trains on its own bars and its outputs are computed on the teacher samples
        // aligned to the student's, one row per student sample
        Optional<CrossTimeframeData> xtf = context.crossTimeframe(c);
        TrialData own = xtf.map(x -> new TrialData(x.teacher(), context.scope())).orElse(data);
        Map<String, io.distill4j.api.ModelInput> inputs = data.inputs();
        if (xtf.isPresent()) {
            inputs = new LinkedHashMap<>();
            for (String s : context.scope().splits()) {
                inputs.put(s, xtf.get().teacherInput(s));
            }
        }
        SampleSplit train = own.split("train");
        SampleSplit validation = own.split("validation");
        DataConfig.Task task = own.prepared().target().task();
        var fit = new TeacherFitContext(own.shape(), train, train.trainingLabels(task), validation,
                validation.trainingLabels(task), own.prepared().series(), c.teacherSeed(trial.seed()),
                report -> listener.epochFinished(trial, report));
        String key = teacherCacheKey(c, trial.teacherName(), trial.seed());
        TeacherCache.Entry entry = context.teacherCache().getOrFit(key, c.teachers().get(trial.teacherName()), fit,
                inputs);
        context.rememberTeacher(entry);
        listener.described(trial, trial.window() < 0 ? Map.of() : RollingTrials.params(trial, prepared, null),
                Map.of("distill4j.teacher_key", key, "distill4j.teacher_cached", String.valueOf(entry.fromCache())));
        listener.teacherReady(trial, entry);
        Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
        var regimes = TrialRegimes.labeller(c, prepared);
        for (String split : evaluated()) {
            Map<String, Double> m = teacherMetrics(entry.split(split).logits(), data.split(split));
            m.putAll(trading(entry.split(split).logits(), data.split(split), prepared, c));
            if (split.equals("test") && regimes.isPresent()) {
                m.putAll(TrialRegimes.metrics(entry.split(split).logits(), data.split(split), prepared,
                        regimes.get()));
            }
            entry.split(split).members().forEach((member, logits) -> {
                Map<String, Double> each = teacherMetrics(logits, data.split(split));
                each.putAll(trading(logits, data.split(split), prepared, c));
                each.forEach((k, v) -> m.put("member." + member + "." + k, v));
            });
            metrics.put(split, m);
        }
        Map<String, Double> facts = new LinkedHashMap<>(Map.of("train_seconds", entry.trainMillis() / 1000.0,
                "from_cache", entry.fromCache() ? 1.0 : 0.0, "trained_at_ms", (double) entry.trainedAtMillis(),
                Summary.CACHE_KEY_FACT, Summary.cacheKeyFact(key)));
        if (trial.window() >= 0) {
            facts.putAll(RollingTrials.facts(trial, prepared));
        }
        regimes.ifPresent(r -> facts.putAll(TrialRegimes.facts(r)));
        facts.putAll(routerLatency(c, entry, own));
        String predictions = "";
        if (context.scope().includesTest()) {
            INDArray logits = entry.split("test").logits();
            facts.putAll(reliability(logits, data.split("test")));
            predictions = predictionText(logits);
        }
        return new TrialResult(trial, trial.id(), metrics.getOrDefault("test", Map.of()), metrics.get("validation"),
                entry.parameterCount(), System.currentTimeMillis() - t0, null, null, facts, predictions);
    }

    /** The splits metrics are reported on: validation, and test when the scope has it. */
    private List<String> evaluated() {
        return context.scope().includesTest() ? List.of("test", "validation") : List.of("validation");
    }

    /**
     * The backtest and calibration metrics of logits on a split (see {@link TradingMetrics}); for a regression output
     * (width 1) the backtest of its predictions ({@link TradingMetrics#ofRegression}).
     */
    static Map<String, Double> trading(INDArray logits, SampleSplit split, PreparedData prepared, StudyConfig c) {
        if (logits.size(1) == 1) {
            return TradingMetrics.ofRegression(column(logits), split.barIndices(), prepared.series().timeMs(),
                    prepared.series().close(), prepared.description().intervalMs(), c.backtest());
        }
        return TradingMetrics.of(io.distill4j.loss.DoubleRows.of(logits),
                split.labels(), split.barIndices(), prepared.series().timeMs(), prepared.series().close(),
                prepared.description().intervalMs(), c.backtest());
    }

    /** The reliability curve of logits on a split, as facts (none for a regression output, which has no classes). */
    static Map<String, Double> reliability(INDArray logits, SampleSplit split) {
        if (logits.size(1) == 1) {
            return Map.of();
        }
        return TradingMetrics.reliabilityFacts(io.distill4j.loss.DoubleRows.of(logits), split.labels());
    }

    /** One output column as doubles (a regression network's predictions). */
    static double[] column(INDArray logits) {
        return logits.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).reshape(logits.size(0)).toDoubleVector();
    }

    /**
     * The test predictions as text: the argmax class, or for a regression output the class of its sign's position
     * ({@code sign + 1}: 0 sell, 1 flat, 2 buy), so the report's equity chart trades what the backtest trades.
     */
    /**
     * The single-sample latency of a chain's teacher when the chain has a router ({@link TierLatency}), on its cached
     * DL4J model; nothing for a teacher without one (a gbt or rule teacher) or without a router.
     */
    private Map<String, Double> routerLatency(StudyConfig c, TeacherCache.Entry entry, TrialData own) {
        Path zip = entry.folder().resolve("teacher.zip");
        if (!context.scope().includesTest() || !c.tree().has(Chain.KEY) || ChainRouter.of(c.file(), c.tree()).isEmpty()
                || !java.nio.file.Files.isRegularFile(zip)) {
            return Map.of();
        }
        try {
            ComputationGraph graph = org.deeplearning4j.util.ModelSerializer.restoreComputationGraph(zip.toFile(), false);
            return TierLatency.of(graph, own.split("test").input(c.teacher().inputKind()));
        } catch (java.io.IOException | RuntimeException e) { // a model that is not a graph: no latency
            return Map.of();
        }
    }

    static String predictionText(INDArray logits) {
        if (logits.size(1) == 1) {
            double[] p = column(logits);
            int[] sides = new int[p.length];
            for (int k = 0; k < p.length; k++) {
                sides[k] = (int) Math.signum(p[k]) + 1;
            }
            return TrialResult.predictionText(sides);
        }
        return TrialResult.predictionText(logits.argMax(1).toIntVector());
    }

    /** A teacher's metrics against the labels (agreement and KL with itself would be meaningless). */
    private static Map<String, Double> teacherMetrics(INDArray logits, SampleSplit split) {
        if (logits.size(1) == 1) {
            Map<String, Double> m = new LinkedHashMap<>(RegressionMetrics.of(column(logits), split.targets(),
                    split.timeMs(), null).asMap());
            m.remove("agreement");
            return m;
        }
        Map<String, Double> m = new LinkedHashMap<>(ClassificationMetrics.of(logits, split.labels(), null).asMap());
        m.remove("agreement");
        m.remove("kl_teacher");
        return m;
    }

    // ---- students ------------------------------------------------------------------------------

    private TrialResult student(Trial trial, TrialListener listener, long t0) {
        long preparing = System.nanoTime();
        StudyConfig c = trial.config();
        PreparedData prepared = context.data(c);
        PhaseTimes.since(PhaseTimes.Phase.DATA, preparing);
        listener.dataReady(trial, prepared);
        preparing = System.nanoTime();
        TrialData data = new TrialData(prepared, context.scope());
        Map<String, TeacherCache.Entry> teachers = teachers(trial);
        // a chain's stage k > 1 learns from stage k-1's student, cached like a teacher; the original teacher stays
        // the reference of the stage's *.original metrics
        TeacherCache.Entry original = teachers.get(c.primaryTeacher());
        Trial previousStage = ChainStages.previous(trial);
        if (previousStage != null) {
            String key = ChainStages.cacheKey(previousStage, prepared);
            teachers.put(c.primaryTeacher(), context.teacher(key).orElseThrow(() -> new IllegalStateException(
                    "the student of " + previousStage.description() + " (the teacher of " + trial.description()
                            + ") is not in the teacher cache (key " + key + "): the previous stage must run first")));
        }
        boolean distilled = trial.role() != Trial.Role.STUDENT_ALONE;
        DataConfig.Task task = prepared.target().task();
        List<DistillationLoss> losses = losses(trial, task);
        List<StudentDistiller.ScheduledParameter> schedules = schedules(trial, losses);
        Map<String, String> params = new LinkedHashMap<>();
        if (distilled) {
            c.schedules().forEach((key, s) -> params.put("trial.schedule." + key, s.describe()));
        }
        params.put("trial.loss", String.join(" + ", losses.stream().map(DistillationLoss::describe).toList()));
        if (distilled) {
            c.recency().ifPresent(r -> params.put("trial.recency", r.describe()));
        }
        if (trial.role() == Trial.Role.CHAIN_STAGE) {
            params.put("trial.chain.stage", trial.stageLabel());
            params.put("trial.chain.teacher", previousStage == null ? "teacher " + c.teacher().describe()
                    : previousStage.runName() + " (trial " + previousStage.id() + ")");
        }
        if (trial.window() >= 0) { // walk-forward lineage: window, bar ranges, teacher, where the student starts
            TeacherCache.Entry teacher = teachers.get(c.primaryTeacher());
            params.putAll(RollingTrials.params(trial, prepared, teacher.description() + " trained on " + c.rolling()
                    .orElseThrow().label() + " (cache key " + Summary.cacheKeyFact(teacher.key()) + ")"));
        }
        PhaseTimes.since(PhaseTimes.Phase.DATA, preparing);
        listener.described(trial, params, Map.of("distill4j.teacher_key", teachers.get(c.primaryTeacher()).key()));
        if (trial.neverUpdated()) {
            return neverUpdated(trial, c, prepared, data, teachers, t0);
        }
        Trial startFrom = RollingTrials.source(trial);
        ComputationGraph start = startFrom == null ? null : RollingTrials.student(context, startFrom, trial);

        preparing = System.nanoTime();
        InputKind kind = c.student().inputKind();
        SampleSplit trainSplit = data.split("train");
        SampleSplit validationSplit = data.split("validation");
        var train = trainData(trial, data, teachers);
        var validation = validationData(trial, data, teachers);
        var regimes = TrialRegimes.labeller(c, prepared); // fitted once: the loss's columns and the test metrics
        TrialRegimes.bind(losses, regimes, prepared, Map.of(trainSplit, train.oneHot(), validationSplit,
                validation.oneHot()));
        PhaseTimes.since(PhaseTimes.Phase.DATA, preparing);
        long trainStart = System.nanoTime();
        long trainCpuStart = threadCpuNanos();
        FusedTrials.Done fusedRun = fused.take(trial);
        StudentDistiller.Result trained = fusedRun != null
                ? fusedRun.trained().replay(report -> listener.epochFinished(trial, report))
                : c.student() instanceof io.distill4j.sequence.SequentialLstm sequential
                ? io.distill4j.sequence.SequentialDistiller.train(trial.description(), sequential, losses,
                        data.shape(), c.training(), train, validation, initSeed(trial),
                        report -> listener.epochFinished(trial, report))
                : StudentDistiller.train(trial.description(), c.student(), losses, schedules,
                data.shape(), c.training(), train, validation, initSeed(trial), shuffleSeed(trial),
                report -> listener.epochFinished(trial, report), start);
        double trainSeconds = fusedRun != null ? fusedRun.seconds() : (System.nanoTime() - trainStart) / 1e9;
        double trainCpuSeconds = fusedRun != null ? fusedRun.cpuSeconds()
                : (threadCpuNanos() - trainCpuStart) / 1e9;

        long evaluating = System.nanoTime();
        INDArray validationLogits = trained.logits(validation.input());
        Map<String, Double> val = evaluate(validationLogits, validationSplit, validation.teachers(),
                c.primaryTeacher());
        val.putAll(trading(validationLogits, validationSplit, prepared, c));
        Map<String, Double> test = Map.of();
        String predictions = "";
        Map<String, Double> facts = new LinkedHashMap<>();
        if (context.scope().includesTest()) {
            SampleSplit testSplit = data.split("test");
            INDArray logits = trained.logits(testSplit.input(kind));
            test = new LinkedHashMap<>(evaluate(logits, testSplit, outputs(teachers, "test"), c.primaryTeacher()));
            if (trial.role() == Trial.Role.CHAIN_STAGE) {
                test.putAll(ChainStages.metrics(logits, testSplit, teachers.get(c.primaryTeacher()).split("test"),
                        original.split("test"), losses.get(0)));
            }
            test.putAll(trading(logits, testSplit, prepared, c));
            if (regimes.isPresent()) {
                test.putAll(TrialRegimes.metrics(logits, testSplit, prepared, regimes.get()));
            }
            predictions = predictionText(logits);
            facts.putAll(reliability(logits, testSplit));
            String primaryKey = teachers.get(c.primaryTeacher()).key();
            FeatureSimilarity similarity = compareFeatures(trained.graph(), c.student().featureLayers(), losses,
                    testSplit.input(kind), outputs(teachers, "test"), c.primaryTeacher(),
                    (layer, activations) -> context.teacherCkaLayer(primaryKey, layer, activations));
            test.putAll(similarity.metrics());
            PhaseTimes.since(PhaseTimes.Phase.EVALUATION, evaluating);
            listener.featuresCompared(trial, similarity);
        } else {
            PhaseTimes.since(PhaseTimes.Phase.EVALUATION, evaluating);
        }
        long exporting = System.nanoTime();
        ComputationGraph deployable = Networks.deployable(trained.graph());
        PhaseTimes.since(PhaseTimes.Phase.EXPORT, exporting);
        if (trial.role() == Trial.Role.CHAIN_STAGE) {
            TeacherCache.Entry stage = context.teacherCache().getOrFit(ChainStages.cacheKey(trial, prepared),
                    ChainStages.asTeacher(trial, c.student(), deployable), null, data.inputs());
            context.rememberTeacher(stage);
            facts.put("chain_stage", (double) trial.chain().stage());
            facts.put("original_teacher_parameters", (double) original.parameterCount());
            facts.put("outputs_from_cache", stage.fromCache() ? 1.0 : 0.0);
            if (context.scope().includesTest() && ChainRouter.of(c.file(), c.tree()).isPresent()) {
                facts.putAll(TierLatency.of(deployable, data.split("test").input(kind)));
            }
        }
        if (RollingTrials.stored(trial)) { // the next window's warm start and the never-updated baseline read it
            context.teacherCache().getOrFit(RollingTrials.cacheKey(trial, prepared), new ChainStages.StageTeacher(
                    c.student(), c.student().describe() + " (" + trial.description() + ")", deployable), null,
                    data.inputs());
        }
        if (trial.window() >= 0) {
            facts.putAll(RollingTrials.facts(trial, prepared));
        }
        listener.studentTrained(trial, deployable);
        long teacherParams = teachers.values().stream().mapToLong(TeacherCache.Entry::parameterCount).sum();
        facts.put("teacher_parameters", (double) teacherParams);
        facts.put("epochs_run", (double) trained.outcome().epochsRun());
        if (fusedRun != null) {
            facts.putAll(fusedRun.facts());
        }
        facts.put(Summary.TRAIN_SECONDS, trainSeconds);
        if (trainCpuStart >= 0) {
            facts.put(TRAIN_CPU_SECONDS, trainCpuSeconds);
        }
        return new TrialResult(trial, trial.id(), test, val, deployable.numParams(), System.currentTimeMillis() - t0,
                null, null, facts, predictions);
    }

    /** The cached entries of a student trial's teachers, by name. */
    Map<String, TeacherCache.Entry> teachers(Trial trial) {
        StudyConfig c = trial.config();
        Map<String, TeacherCache.Entry> teachers = new LinkedHashMap<>();
        for (String name : c.teachers().keySet()) {
            String key = teacherCacheKey(c, name, trial.seed());
            teachers.put(name, context.teacher(key).orElseThrow(() -> new IllegalStateException("teacher '" + name
                    + "' of trial " + trial.id() + " is not in the teacher cache (key " + key + "): its teacher trial"
                    + " must run first")));
        }
        return teachers;
    }

    /** A student trial's loss heads: the study's (regime-conditional where configured), or the baseline's. */
    static List<DistillationLoss> losses(Trial trial, DataConfig.Task task) {
        StudyConfig c = trial.config();
        return trial.role() != Trial.Role.STUDENT_ALONE ? TrialRegimes.conditional(c, c.newLosses())
                : List.of(baselineLoss(c, task));
    }

    /** The study's schedules on {@code losses} (none for a student-alone baseline). */
    static List<StudentDistiller.ScheduledParameter> schedules(Trial trial, List<DistillationLoss> losses) {
        StudyConfig c = trial.config();
        List<StudentDistiller.ScheduledParameter> schedules = new ArrayList<>();
        if (trial.role() != Trial.Role.STUDENT_ALONE) {
            c.schedules().forEach((key, s) -> schedules.add(new StudentDistiller.ScheduledParameter(
                    c.scheduledLoss(key, losses), StudyConfig.scheduledParameter(key), s)));
        }
        return schedules;
    }

    /** A student's training samples: inputs, labels, teacher outputs and, with recency weights, its term weights. */
    StudentDistiller.SplitData trainData(Trial trial, TrialData data, Map<String, TeacherCache.Entry> teachers) {
        StudyConfig c = trial.config();
        SampleSplit split = data.split("train");
        var recency = trial.role() != Trial.Role.STUDENT_ALONE ? c.recency()
                : java.util.Optional.<io.distill4j.loss.RecencyWeights>empty();
        return new StudentDistiller.SplitData(split.input(c.student().inputKind()),
                split.trainingLabels(data.prepared().target().task()), outputs(teachers, "train"),
                recency.map(r -> r.termColumns(split.barIndices())).orElse(null));
    }

    /** A student's validation samples. */
    StudentDistiller.SplitData validationData(Trial trial, TrialData data, Map<String, TeacherCache.Entry> teachers) {
        SampleSplit split = data.split("validation");
        return new StudentDistiller.SplitData(split.input(trial.config().student().inputKind()),
                split.trainingLabels(data.prepared().target().task()), outputs(teachers, "validation"));
    }

    private final FusedTrials fused = new FusedTrials(this);

    /** Horizontally fused training of same-shape student trials before they run ({@link FusedTrials}). */
    public FusedTrials fused() {
        return fused;
    }

    /**
     * The never-updated baseline of a walk-forward window (see {@link Rolling}): window 1's distilled student of the
     * same seed, not trained again, reading the window's samples standardised as on its own window, evaluated like a
     * trained student (agreement and KL against this window's teacher) on the test split only.
     */
    private TrialResult neverUpdated(Trial trial, StudyConfig c, PreparedData prepared, TrialData data,
            Map<String, TeacherCache.Entry> teachers, long t0) {
        long evaluating = System.nanoTime();
        Trial source = RollingTrials.source(trial);
        ComputationGraph student = RollingTrials.student(context, source, trial);
        io.distill4j.data.features.Standardiser own = context.data(source.config()).standardiser();
        InputKind kind = c.student().inputKind();
        Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
        Map<String, Double> facts = new LinkedHashMap<>(RollingTrials.facts(trial, prepared));
        String predictions = "";
        // test only: it is never selected or tuned on a later window (nor picked by the verdict or registration)
        for (String split : context.scope().includesTest() ? List.of("test") : List.<String>of()) {
            SampleSplit samples = data.split(split);
            INDArray logits = RollingTrials.logits(student, RollingTrials.restandardised(samples.input(kind),
                    prepared.standardiser(), own));
            Map<String, Double> m = new LinkedHashMap<>(evaluate(logits, samples, outputs(teachers, split),
                    c.primaryTeacher()));
            m.putAll(trading(logits, samples, prepared, c));
            metrics.put(split, m);
            if (split.equals("test")) {
                predictions = predictionText(logits);
                facts.putAll(reliability(logits, samples));
            }
        }
        PhaseTimes.since(PhaseTimes.Phase.EVALUATION, evaluating);
        facts.put("teacher_parameters", (double) teachers.values().stream()
                .mapToLong(TeacherCache.Entry::parameterCount).sum());
        facts.put("epochs_run", 0.0);
        facts.put(Summary.TRAIN_SECONDS, 0.0);
        return new TrialResult(trial, trial.id(), metrics.getOrDefault("test", Map.of()), Map.of(),
                student.numParams(), System.currentTimeMillis() - t0, null, null, facts, predictions);
    }

    /**
     * The trial's training time as CPU time of the thread that trained it ({@code train_cpu_seconds} in the trial's
     * facts): with one ND4J thread per operation ({@code OMP_NUM_THREADS=1}) the training's work runs on that thread,
     * so unlike {@code train_seconds} it hardly moves with the machine's load (garbage collection and JIT threads
     * are not in it).
     */
    public static final String TRAIN_CPU_SECONDS = "train_cpu_seconds";

    /** The current thread's CPU time in ns, or -1 where the JVM does not measure it. */
    static long threadCpuNanos() {
        var bean = java.lang.management.ManagementFactory.getThreadMXBean();
        return bean.isCurrentThreadCpuTimeSupported() ? bean.getCurrentThreadCpuTime() : -1;
    }

    /**
     * The trained student against its primary teacher on {@code input} (the test split): linear CKA between every
     * teacher layer (its feature layers, then {@code logits}) and every student layer (its feature layers, then
     * {@code logits}), and the mean cosine similarity of every head that projects a student layer onto one teacher
     * layer of the same shape (e.g. a FitNets hint's regressor output against the hint layer). Student activations
     * come from one inference-mode forward pass; each layer is centred once ({@link Cka#layer}), not once per pair, and
     * each teacher layer through {@code teacherSide} (given the layer's name, {@code logits} for the outputs, and its
     * activations from the cache), which may hand out a layer prepared for an earlier trial of the same teacher.
     */
    static FeatureSimilarity compareFeatures(ComputationGraph graph, List<String> studentLayers,
            List<DistillationLoss> losses, INDArray input, Map<String, TeacherOutputs> teachers, String primary,
            java.util.function.BiFunction<String, java.util.function.Supplier<INDArray>, Cka.Layer> teacherSide) {
        graph.clear();
        Map<String, INDArray> student = graph.feedForward(input, false);
        INDArray[] heads = graph.output(false, input);
        graph.clear();
        List<String> columns = new ArrayList<>(studentLayers);
        columns.add(VertexNames.LOGITS);
        TeacherOutputs teacher = teachers.get(primary);
        List<String> rows = new ArrayList<>(teacher.featureLayers());
        rows.add(VertexNames.LOGITS);
        double[][] cka = new double[rows.size()][columns.size()];
        List<Cka.Layer> studentSide = columns.stream().map(c -> Cka.layer(student.get(c))).toList();
        for (int i = 0; i < rows.size(); i++) {
            String layer = rows.get(i);
            Cka.Layer t = i == rows.size() - 1 ? teacherSide.apply(VertexNames.LOGITS, teacher::logits)
                    : teacherSide.apply("feature " + layer, () -> teacher.feature(layer));
            for (int j = 0; j < columns.size(); j++) {
                cka[i][j] = Cka.linear(t, studentSide.get(j));
            }
        }
        Map<String, Double> cosine = new LinkedHashMap<>();
        for (int h = 0; h < losses.size(); h++) {
            DistillationLoss loss = losses.get(h);
            if (loss.teacherLayers().size() != 1 || loss.inputVertex().equals(VertexNames.LOGITS)
                    || loss.teacherName() == null || !teachers.containsKey(loss.teacherName())) {
                continue;
            }
            INDArray target = teachers.get(loss.teacherName()).feature(loss.teacherLayers().values().iterator().next());
            if (java.util.Arrays.equals(target.shape(), heads[h].shape())) {
                cosine.put(loss.headName(), Cka.meanCosine(heads[h], target));
            }
        }
        return new FeatureSimilarity(rows, columns, cka, cosine);
    }

    /**
     * The student-alone baseline's loss: cross-entropy on the classes, or for regression the label term of the study's
     * {@code regression_kd} loss (its label loss and delta; squared error when the loss is another type) alone.
     */
    static DistillationLoss baselineLoss(StudyConfig c, DataConfig.Task task) {
        if (task != DataConfig.Task.REGRESSION) {
            return new HardLabelCrossEntropy();
        }
        return c.newLosses().stream().filter(RegressionKd.class::isInstance).map(RegressionKd.class::cast)
                .findFirst().map(r -> RegressionKd.labelsOnly(r.labelLoss(), r.delta()))
                .orElse(RegressionKd.labelsOnly(RegressionKdLossFunction.LabelLoss.MSE, 1));
    }

    /**
     * The seed of a student's initial weights: a function of the trial's seed only, so a distilled student and the
     * student-alone baseline with the same seed start from the same weights (the summary's paired test relies on it).
     */
    static long initSeed(Trial trial) {
        return Seeds.derive(trial.seed(), "student");
    }

    /** The seed of a student's minibatch order: a function of the trial's seed only, as {@link #initSeed}. */
    static long shuffleSeed(Trial trial) {
        return Seeds.derive(trial.seed(), "shuffle");
    }

    static Map<String, TeacherOutputs> outputs(Map<String, TeacherCache.Entry> teachers, String split) {
        Map<String, TeacherOutputs> out = new LinkedHashMap<>();
        teachers.forEach((name, entry) -> out.put(name, entry.split(split)));
        return out;
    }

    /**
     * A student's metrics; agreement and KL against the primary teacher, and with several teachers also
     * {@code agreement.<name>} and {@code kl_teacher.<name>} against each.
     */
    static Map<String, Double> evaluate(INDArray logits, SampleSplit split, Map<String, TeacherOutputs> teachers,
            String primary) {
        if (logits.size(1) == 1) { // regression (one teacher, as StudyConfig requires): agreement is the correlation
            return RegressionMetrics.of(column(logits), split.targets(), split.timeMs(),
                    column(teachers.get(primary).logits())).asMap();
        }
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
}
