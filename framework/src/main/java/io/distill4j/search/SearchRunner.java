package io.distill4j.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distill4j.AtomicFiles;
import io.distill4j.Distill4jException;
import io.distill4j.api.EpochReport;
import io.distill4j.config.ConfigHash;
import io.distill4j.config.ConfigNode;
import io.distill4j.config.ConfigOverrides;
import io.distill4j.config.GridCell;
import io.distill4j.config.StudyFileWriter;
import io.distill4j.experiment.EvaluationScope;
import io.distill4j.experiment.ResultsPaths;
import io.distill4j.experiment.Study;
import io.distill4j.experiment.StudyListener;
import io.distill4j.experiment.StudyRunner;
import io.distill4j.experiment.Trial;
import io.distill4j.experiment.TrialCodec;
import io.distill4j.experiment.TrialContext;
import io.distill4j.experiment.TrialDispatcher;
import io.distill4j.experiment.TrialExecutor;
import io.distill4j.experiment.TrialLedger;
import io.distill4j.experiment.TrialListener;
import io.distill4j.experiment.TrialPrunedException;
import io.distill4j.experiment.TrialResult;
import io.distill4j.experiment.TrialTask;
import io.distill4j.experiment.TrialTracking;
import io.distill4j.experiment.Provenance;
import io.distill4j.tracking.RunStatus;
import io.distill4j.tracking.TrackedRun;
import io.distill4j.tracking.Tracker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.optimize.api.CandidateGenerator;
import org.deeplearning4j.arbiter.optimize.api.OptimizationResult;

/**
 * Runs a {@link Search}: Arbiter generates candidates, this project's {@link TrialExecutor} trains and scores them.
 *
 * <ol>
 * <li>The study's teachers are trained (or read from the cache) once, on train and validation only; every candidate
 * distils from them.</li>
 * <li>Candidates come in batches of {@code workers}; each trains its seeds one after another under
 * {@link EvaluationScope#VALIDATION_ONLY} (its trials never prepare, infer or score the test split), optionally
 * pruned by the {@link MedianPruner}; its score is the objective's validation metric averaged over its seeds. After a
 * batch, the scores are reported to the generator in candidate order (the genetic search breeds from them), so the
 * candidate sequence does not depend on how many workers ran or which finished first.</li>
 * <li>Each candidate is recorded in {@code results/<study>/search/candidates/<index>.json} as it ends; with
 * {@code resume}, the generator replays the same sequence from the same seed and recorded candidates are taken from
 * there instead of trained again.</li>
 * <li>The best finished candidate is written as a ready-to-run study, {@code results/<study>/best.yaml}; then one
 * final study runs it on the test split beside the student alone and the study's default configuration, with the
 * same budget and seeds ({@link StudyRunner}, its summary in {@code results/<study>/summary.md}), and
 * {@code results/<study>/search.md} lists the top candidates and the final comparison.</li>
 * </ol>
 *
 * <p>In MLflow the search is a parent run, each candidate a child run of it (params: its values; metric
 * {@code score}; tag {@code distill4j.status} FINISHED, PRUNED or FAILED; PRUNED and FAILED runs end KILLED and
 * FAILED) and each candidate's trials children of the candidate's run.
 */
public final class SearchRunner {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path resultsDir;
    private final Tracker tracker;
    private final SearchListener listener;
    private final StudyListener finalListener;
    private final int workers;
    private final String device;

    /**
     * @param finalListener follows the final study (the command line's progress bar)
     * @param device the {@code distill4j.device} tag of runs; null: from the ND4J backend
     */
    public SearchRunner(Path resultsDir, Tracker tracker, SearchListener listener, StudyListener finalListener,
            int workers, String device) {
        this.resultsDir = resultsDir;
        this.tracker = tracker;
        this.listener = listener;
        this.finalListener = finalListener;
        this.workers = Math.max(1, workers);
        this.device = device != null ? device : TrialContext.backendDevice();
    }

    private TrialDispatcher dispatcher;

    /**
     * Dispatches the search's teachers and candidates, and its final study's trials, to {@code dispatcher} (a cluster
     * engine, {@code distill4j search --engine spark}) instead of this process's threads: a batch of
     * {@code workers} candidates at a time, as the generator on this driver gives them ({@link CandidateTask}).
     */
    public SearchRunner withDispatcher(TrialDispatcher dispatcher) {
        this.dispatcher = dispatcher;
        return this;
    }

    /** What a search produced. */
    public record Outcome(Search search, List<CandidateResult> candidates, Optional<CandidateResult> best,
            StudyRunner.Outcome finalRun, SearchSummary summary, Path folder, boolean stoppedByTime) {
    }

    /** Runs the search and its final comparison; with {@code resume}, candidates an earlier run recorded are kept. */
    public Outcome run(Search search, boolean resume) {
        long started = System.currentTimeMillis();
        Path folder = ResultsPaths.studyFolder(resultsDir, search.name());
        Path records = folder.resolve("search").resolve("candidates");
        if (!resume) {
            deleteRecords(records);
        }
        TrialLedger ledger = new TrialLedger(folder.resolve("search").resolve("trials"));
        StudyRunner.closeInterrupted(ledger, tracker);
        SearchConfig config = search.config();
        String experimentId = tracker.experimentId(search.defaults().base().trackingExperiment());
        Map<String, String> tags = new LinkedHashMap<>(Provenance.tags());
        tags.put("distill4j.study", search.name());
        tags.put("distill4j.role", "search");
        tags.put("distill4j.device", device);
        tags.put("distill4j.config_hash", ConfigHash.of(search.tree()));
        if (resume) {
            tags.put("distill4j.resumed", "true");
        }
        TrackedRun parent = tracker.startRun(experimentId, search.name() + " search", null, tags);
        ledger.started(TrialLedger.STUDY, experimentId, parent.runId());
        parent.logParam("strategy", config.strategy().key());
        parent.logParam("candidates", String.valueOf(config.candidates()));
        parent.logParam("seeds", config.seeds().toString());
        parent.logParam("objective", config.metric() + " (" + (config.maximize() ? "maximize" : "minimize") + ")");
        parent.logParam("search_seed", String.valueOf(config.seed()));
        parent.logParam("pruning", config.pruning().map(p -> "median, warmup " + p.warmupEpochs() + ", after "
                + p.minCandidates() + " candidates").orElse("off"));
        RunStatus status = RunStatus.FAILED;
        try {
            TrialExecutor executor = new TrialExecutor(TrialContext.at(ResultsPaths.teacherCache(resultsDir),
                    EvaluationScope.VALIDATION_ONLY, device));
            trainTeachers(search, executor, new TrialDispatcher.Batch(resultsDir, experimentId, parent.runId()),
                    ledger);
            listener.searchStarted(search.name(), config.candidates());
            Candidates run = candidates(search, executor, experimentId, parent, ledger, records, resume, started);
            Optional<CandidateResult> best = best(run.all(), config);
            best.ifPresent(b -> {
                parent.setTag("distill4j.best_candidate", String.valueOf(b.index()));
                parent.logMetric("best_score", b.score(), 0);
                writeBest(search, b, folder.resolve("best.yaml"));
            });
            StudyRunner.Outcome finalRun = best.map(b -> finalRun(search, b, resume)).orElse(null);
            SearchSummary summary = SearchSummary.of(search, run.all(), best, finalRun, run.stoppedByTime());
            summary.write(folder.resolve("search.md"));
            parent.logArtifact("search.md", folder.resolve("search.md"));
            if (best.isPresent()) {
                parent.logArtifact("best.yaml", folder.resolve("best.yaml"));
            }
            status = RunStatus.FINISHED;
            return new Outcome(search, run.all(), best, finalRun, summary, folder, run.stoppedByTime());
        } finally {
            parent.end(status);
            if (status == RunStatus.FINISHED) {
                ledger.studyFinished(experimentId, parent.runId());
            }
        }
    }

    /** The best finished candidate by score (the earlier one on a tie). */
    static Optional<CandidateResult> best(List<CandidateResult> results, SearchConfig config) {
        Comparator<CandidateResult> byScore = Comparator.comparingDouble(CandidateResult::score);
        return results.stream().filter(c -> c.status() == CandidateResult.Status.FINISHED)
                .filter(c -> Double.isFinite(c.score()))
                .reduce((a, b) -> (config.maximize() ? byScore.compare(b, a) > 0 : byScore.compare(b, a) < 0) ? b : a);
    }

    // ---- teachers ------------------------------------------------------------------------------

    private void trainTeachers(Search search, TrialExecutor executor, TrialDispatcher.Batch batch,
            TrialLedger ledger) {
        List<Trial> teachers = search.defaults().trials().stream().filter(t -> t.role() == Trial.Role.TEACHER)
                .toList();
        List<TrialResult> results = new ArrayList<>();
        if (dispatcher != null) { // a first stage of one task per teacher; the candidates read them from the cache
            dispatcher.runTasks(teachers.stream().map(t -> CandidateTask.teacher(search, t, batch,
                    dispatcher.trackingUri())).toList(), teachers.stream().map(t -> "teacher " + t.teacherLabel())
                    .toList(), new CandidateTask.Work(), d -> results.add(TrialTask.decode(teachers.get(d.index()),
                            d)));
        } else {
            for (Trial t : teachers) {
                results.add(teacher(t, executor, batch, ledger));
            }
        }
        for (TrialResult r : results) {
            if (r.failed()) {
                throw new Distill4jException("the search's teacher " + r.trial().teacherLabel() + " failed: "
                        + r.failure());
            }
        }
    }

    /** Trains (or reads from the cache) one of the search's teachers, tracked under the search's run. */
    TrialResult teacher(Trial t, TrialExecutor executor, TrialDispatcher.Batch batch, TrialLedger ledger) {
        return executor.execute(t, tracking(executor, batch.experimentId(), batch.parentRunId(), ledger));
    }

    private TrialTracking tracking(TrialExecutor executor, String experimentId, String parentRunId,
            TrialLedger ledger) {
        return new TrialTracking(tracker, experimentId, parentRunId, device,
                (trial, runId) -> ledger.started(trial.id(), experimentId, runId), trial -> null,
                executor.context()::dataFacts);
    }

    // ---- candidates ----------------------------------------------------------------------------

    /** The default configuration's candidate (null when not included) and the generated ones, in order. */
    private record Candidates(CandidateResult defaults, List<CandidateResult> results, boolean stoppedByTime) {
        List<CandidateResult> all() {
            List<CandidateResult> out = new ArrayList<>();
            if (defaults != null) {
                out.add(defaults);
            }
            out.addAll(results);
            return out;
        }
    }

    private Candidates candidates(Search search, TrialExecutor executor, String experimentId, TrackedRun parent,
            TrialLedger ledger, Path records, boolean resume, long started) {
        SearchConfig config = search.config();
        CandidateSpace space = new CandidateSpace(config.parameters());
        CandidateGenerator generator = CandidateGenerators.create(config, space);
        MedianPruner pruner = new MedianPruner(config.pruning());
        List<CandidateResult> results = new ArrayList<>();
        long trainedMillis = 0;
        int trained = 0;
        double best = Double.NaN;
        boolean stoppedByTime = false;
        ExecutorService pool = workers > 1 ? Executors.newFixedThreadPool(workers, r -> {
            Thread th = new Thread(r, "distill4j-candidate");
            th.setDaemon(true);
            return th;
        }) : null;
        CandidateResult defaults = null;
        if (config.includeDefault()) { // the baseline every candidate must beat, scored the same way
            LinkedHashMap<String, JsonNode> assignments = search.defaultValues();
            defaults = (resume ? read(search, records, -1, new double[0], assignments) : Optional.<CandidateResult>empty())
                    .orElseGet(() -> dispatcher != null ? dispatch(search, List.of(new Pending(-1, new double[0],
                            assignments)), pruner, experimentId, parent.runId(), records).get(0)
                            : runCandidate(search, -1, new double[0], assignments, executor, experimentId,
                                    parent.runId(), ledger, pruner, records));
            if (defaults.status() == CandidateResult.Status.FINISHED) {
                pruner.add(defaults.curves());
                best = defaults.score();
            }
            listener.candidateEnded(defaults, 0, config.candidates(), best, -1);
        }
        try {
            while (results.size() < config.candidates() && generator.hasMoreCandidates()) {
                if (config.minutes() > 0 && System.currentTimeMillis() - started >= config.minutes() * 60_000) {
                    stoppedByTime = true;
                    break;
                }
                int size = Math.min(workers, config.candidates() - results.size());
                List<Candidate> batch = new ArrayList<>();
                while (batch.size() < size && generator.hasMoreCandidates()) {
                    Candidate c = generator.getCandidate();
                    if (c.getException() != null || c.getFlatParameters() == null) {
                        break; // the genetic generator found no new genes: the sequence ends here
                    }
                    batch.add(c);
                }
                if (batch.isEmpty()) {
                    break;
                }
                List<Future<CandidateResult>> futures = new ArrayList<>();
                List<CandidateResult> ended = new ArrayList<>();
                List<Pending> remote = new ArrayList<>();
                List<Integer> positions = new ArrayList<>();
                for (Candidate c : batch) {
                    @SuppressWarnings("unchecked")
                    LinkedHashMap<String, JsonNode> assignments = (LinkedHashMap<String, JsonNode>) c.getValue();
                    Optional<CandidateResult> recorded = resume
                            ? read(search, records, c.getIndex(), c.getFlatParameters(), assignments)
                            : Optional.empty();
                    if (recorded.isPresent()) {
                        ended.add(recorded.get());
                        futures.add(null);
                    } else if (dispatcher != null) {
                        ended.add(null);
                        futures.add(null);
                        positions.add(ended.size() - 1);
                        remote.add(new Pending(c.getIndex(), c.getFlatParameters(), assignments));
                    } else {
                        ended.add(null);
                        java.util.concurrent.Callable<CandidateResult> task = () -> runCandidate(search,
                                c.getIndex(), c.getFlatParameters(), assignments, executor, experimentId,
                                parent.runId(), ledger, pruner, records);
                        futures.add(pool == null ? java.util.concurrent.CompletableFuture.completedFuture(
                                call(task)) : pool.submit(task));
                    }
                }
                List<CandidateResult> dispatched = dispatch(search, remote, pruner, experimentId, parent.runId(),
                        records);
                for (int i = 0; i < positions.size(); i++) {
                    ended.set(positions.get(i), dispatched.get(i));
                }
                for (int i = 0; i < batch.size(); i++) {
                    if (futures.get(i) != null || positions.contains(i)) {
                        CandidateResult r = futures.get(i) != null ? get(futures.get(i)) : ended.get(i);
                        ended.set(i, r);
                        trainedMillis += r.millis();
                        trained++;
                    }
                }
                for (int i = 0; i < batch.size(); i++) { // in candidate order, whatever finished first
                    CandidateResult r = ended.get(i);
                    results.add(r);
                    generator.reportResults(new OptimizationResult(batch.get(i),
                            r.status() == CandidateResult.Status.FINISHED ? (Double) r.score() : null,
                            r.index(), null, null, null));
                    if (r.status() == CandidateResult.Status.FINISHED) {
                        pruner.add(r.curves());
                        if (Double.isNaN(best) || (config.maximize() ? r.score() > best : r.score() < best)) {
                            best = r.score();
                        }
                    }
                    long eta = trained == 0 ? -1 : (trainedMillis / trained) * (config.candidates() - results.size())
                            / workers;
                    listener.candidateEnded(r, results.size(), config.candidates(), best, eta);
                }
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        return new Candidates(defaults, results, stoppedByTime);
    }

    private static CandidateResult call(java.util.concurrent.Callable<CandidateResult> task) {
        try {
            return task.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static CandidateResult get(Future<CandidateResult> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Distill4jException("the search was interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** A generated candidate not trained yet: its index (-1: the default configuration), genes and values. */
    record Pending(int index, double[] genes, LinkedHashMap<String, JsonNode> assignments) {
    }

    /**
     * Runs {@code pending} as cluster tasks at once, each with the pruner's history as it is now, and returns their
     * results in order. A candidate whose task failed for good is recorded as FAILED with the engine's reason (as a
     * candidate failing in-process is), so the search goes on and reports it.
     */
    private List<CandidateResult> dispatch(Search search, List<Pending> pending, MedianPruner pruner,
            String experimentId, String parentRunId, Path records) {
        CandidateResult[] out = new CandidateResult[pending.size()];
        if (pending.isEmpty()) {
            return List.of();
        }
        TrialDispatcher.Batch batch = new TrialDispatcher.Batch(resultsDir, experimentId, parentRunId);
        List<List<List<Double>>> history = pruner.history();
        dispatcher.runTasks(pending.stream().map(c -> CandidateTask.candidate(search, c, history, batch,
                dispatcher.trackingUri())).toList(), pending.stream().map(c -> search.name() + " " + name(c.index()))
                .toList(), new CandidateTask.Work(), d -> {
                    Pending c = pending.get(d.index());
                    if (d.failure() == null) {
                        out[d.index()] = fromJson(search, json(d.result()), false);
                    } else {
                        out[d.index()] = new CandidateResult(c.index(), c.genes(), c.assignments(), search.cell(
                                Math.max(0, c.index()), c.assignments()).label(), CandidateResult.Status.FAILED,
                                Double.NaN, List.of(), List.of(), d.failure(), 0, null);
                        write(records, out[d.index()]);
                    }
                });
        return List.of(out);
    }

    /** Trains a candidate's seeds one after another; stops at the first pruned or failed seed. */
    CandidateResult runCandidate(Search search, int index, double[] genes,
            LinkedHashMap<String, JsonNode> assignments, TrialExecutor executor, String experimentId,
            String parentRunId, TrialLedger ledger, MedianPruner pruner, Path records) {
        SearchConfig config = search.config();
        GridCell cell = search.cell(Math.max(0, index), assignments);
        Map<String, String> tags = new LinkedHashMap<>(Provenance.tags());
        tags.put("distill4j.study", search.name());
        tags.put("distill4j.role", "candidate");
        tags.put("distill4j.candidate", index < 0 ? "default" : String.valueOf(index));
        tags.put("distill4j.device", device);
        TrackedRun run = tracker.startRun(experimentId, name(index) + " " + cell.label(), parentRunId, tags);
        String record = index < 0 ? "candidate-default" : "candidate-" + index;
        ledger.started(record, experimentId, run.runId());
        Map<String, String> params = new LinkedHashMap<>();
        assignments.forEach((k, v) -> params.put(k, CandidateSpace.text(v)));
        run.logParams(params);
        TrialTracking tracking = tracking(executor, experimentId, run.runId(), ledger);
        long t0 = System.currentTimeMillis();
        List<TrialResult> trials = new ArrayList<>();
        List<List<Double>> curves = new ArrayList<>();
        CandidateResult.Status status = CandidateResult.Status.FINISHED;
        String reason = null;
        for (int seed : config.seeds()) {
            Trial trial = new Trial(Trial.Role.DISTILLED, cell.label(), assignments, seed, null, search.file(),
                    cell.resolved());
            List<Double> curve = new ArrayList<>();
            TrialListener pruning = new TrialListener() {
                @Override
                public void epochFinished(Trial t, EpochReport report) {
                    if (!report.scope().isEmpty()) {
                        return;
                    }
                    curve.add(report.validationLoss());
                    pruner.verdict(report.epoch() + 1, report.epochs(), report.validationLoss()).ifPresent(why -> {
                        throw new TrialPrunedException(report.epoch() + 1, why);
                    });
                }
            };
            TrialResult r = executor.execute(trial, TrialListener.all(List.of(tracking, pruning)));
            r = r.withRunId(tracking.runId(trial));
            trials.add(r);
            curves.add(curve);
            if (r.failed()) {
                ledger.failed(r, experimentId);
                status = TrialPrunedException.pruned(r) ? CandidateResult.Status.PRUNED
                        : CandidateResult.Status.FAILED;
                reason = "seed " + seed + ": " + r.failure();
                break;
            }
            ledger.finished(r, experimentId);
        }
        double score = status == CandidateResult.Status.FINISHED
                ? trials.stream().mapToDouble(t -> t.validation(config.metric())).average().orElse(Double.NaN)
                : Double.NaN;
        if (status == CandidateResult.Status.FINISHED && !Double.isFinite(score)) {
            status = CandidateResult.Status.FAILED;
            reason = "no finite validation " + config.metric();
        }
        CandidateResult result = new CandidateResult(index, genes, assignments, cell.label(), status,
                score, trials, curves, reason, System.currentTimeMillis() - t0, run.runId());
        if (Double.isFinite(score)) {
            run.logMetric("score", score, 0);
            run.logMetric("val_" + config.metric(), score, 0);
        }
        run.setTag("distill4j.status", status.name());
        if (reason != null) {
            run.setTag("distill4j.error", reason);
        }
        write(records, result);
        run.end(switch (status) {
            case FINISHED -> RunStatus.FINISHED;
            case PRUNED -> RunStatus.KILLED;
            case FAILED -> RunStatus.FAILED;
        });
        ledger.ended(record, experimentId, run.runId());
        return result;
    }

    // ---- records -------------------------------------------------------------------------------

    private static void write(Path records, CandidateResult r) {
        ObjectNode n = toJson(r);
        try {
            Files.createDirectories(records);
            Path tmp = Files.createTempFile(records, ".tmp-", ".part");
            Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
            AtomicFiles.replace(tmp, records.resolve(fileName(r.index())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the candidate record " + records.resolve(fileName(r.index()))
                    + ": " + e.getMessage(), e);
        }
    }

    /** A candidate's result as JSON: its record file, and what a cluster task sends back. */
    static ObjectNode toJson(CandidateResult r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("index", r.index());
        ArrayNode genes = n.putArray("genes");
        for (double g : r.genes()) {
            genes.add(g);
        }
        ObjectNode values = n.putObject("assignments");
        r.assignments().forEach(values::set);
        n.put("status", r.status().name());
        n.put("score", Double.isFinite(r.score()) ? JSON.getNodeFactory().numberNode(r.score())
                : JSON.getNodeFactory().textNode(Double.toString(r.score())));
        if (r.reason() != null) {
            n.put("reason", r.reason());
        }
        n.put("millis", r.millis());
        n.put("run_id", r.runId());
        ArrayNode trials = n.putArray("trials");
        for (int i = 0; i < r.trials().size(); i++) {
            ObjectNode t = trials.addObject();
            t.put("seed", r.trials().get(i).trial().seed());
            t.set("result", TrialCodec.encode(r.trials().get(i)));
            ArrayNode curve = t.putArray("curve");
            r.curves().get(i).forEach(curve::add);
        }
        return n;
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not a candidate result: " + e.getMessage(), e);
        }
    }

    /** A candidate's record file: {@code <index>.json}, {@code default.json} for the default configuration. */
    private static String fileName(int index) {
        return (index < 0 ? "default" : String.valueOf(index)) + ".json";
    }

    /** A candidate's name in runs and messages. */
    static String name(int index) {
        return index < 0 ? "default candidate" : "candidate " + index;
    }

    static LinkedHashMap<String, JsonNode> values(JsonNode n) {
        LinkedHashMap<String, JsonNode> out = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** A candidate an earlier run recorded, if its genes are the ones the generator gave now. */
    private static Optional<CandidateResult> read(Search search, Path records, int index, double[] generated,
            LinkedHashMap<String, JsonNode> assignments) {
        Path p = records.resolve(fileName(index));
        if (!Files.isRegularFile(p)) {
            return Optional.empty();
        }
        JsonNode n;
        try {
            n = JSON.readTree(p.toFile());
        } catch (IOException e) {
            return Optional.empty(); // unreadable: trained again
        }
        if (!Arrays.equals(genes(n), generated) || !assignments.equals(values(n.path("assignments")))) {
            throw new Distill4jException("cannot resume the search of " + search.name() + ": " + name(index) + " in " + p + " is not the one the search generates now (the search section, "
                    + "its seed or the study changed); run it again without --resume");
        }
        return Optional.of(fromJson(search, n, true));
    }

    /** A validation-loss curve from JSON (values that are not finite are written as strings). */
    static List<Double> curve(JsonNode n) {
        List<Double> curve = new ArrayList<>();
        n.forEach(v -> curve.add(v.isNumber() ? v.asDouble() : Double.parseDouble(v.asText())));
        return curve;
    }

    static double[] genes(JsonNode n) {
        double[] genes = new double[n.path("genes").size()];
        for (int i = 0; i < genes.length; i++) {
            genes[i] = n.path("genes").get(i).asDouble();
        }
        return genes;
    }

    /** A candidate's result from {@link #toJson}; {@code recorded}: read from an earlier run's record. */
    static CandidateResult fromJson(Search search, JsonNode n, boolean recorded) {
        int index = n.path("index").asInt();
        double[] genes = genes(n);
        LinkedHashMap<String, JsonNode> assignments = values(n.path("assignments"));
        GridCell cell = search.cell(Math.max(0, index), assignments);
        List<TrialResult> trials = new ArrayList<>();
        List<List<Double>> curves = new ArrayList<>();
        for (JsonNode t : n.path("trials")) {
            Trial trial = new Trial(Trial.Role.DISTILLED, cell.label(), assignments, t.path("seed").asInt(), null,
                    search.file(), cell.resolved());
            TrialResult r = TrialCodec.decodeResult(trial, t.path("result"));
            trials.add(recorded ? r.withFact(TrialResult.FROM_LEDGER, 1.0) : r);
            curves.add(curve(t.path("curve")));
        }
        JsonNode score = n.path("score");
        return new CandidateResult(index, genes, assignments, cell.label(),
                CandidateResult.Status.valueOf(n.path("status").asText()),
                score.isNumber() ? score.asDouble() : Double.parseDouble(score.asText("NaN")), trials, curves,
                n.hasNonNull("reason") ? n.get("reason").asText() : null, n.path("millis").asLong(),
                n.path("run_id").asText(null));
    }

    private static void deleteRecords(Path records) {
        if (!Files.isDirectory(records)) {
            return;
        }
        try (Stream<Path> files = Files.list(records)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + records + ": " + e.getMessage(), e);
        }
    }

    // ---- best and the final comparison ---------------------------------------------------------

    /** Writes the best candidate as a study file: the study (no search section) with the candidate's values. */
    static void writeBest(Search search, CandidateResult best, Path file) {
        // written in results/<study>/: relative file paths of the study file are made absolute, so they still hold
        ObjectNode tree = (ObjectNode) ConfigOverrides.absolutePaths(Search.withoutSearch(search.tree()),
                ConfigNode.root(search.file(), search.tree()).folder());
        best.assignments().forEach((p, v) -> io.distill4j.config.ConfigPaths.set(search.file(), tree, p,
                v.deepCopy(), true));
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file.getParent() + ": " + e.getMessage(), e);
        }
        StudyFileWriter.write(file, tree, "The best (" + name(best.index()) + ") of the search of "
                + search.file() + ": validation " + search.config().metric() + " " + String.format(
                java.util.Locale.ROOT, "%.4f", best.score()) + " (mean of seeds " + search.config().seeds()
                + ").\nRun it: distill4j run " + file);
    }

    /** The final study: the default configuration and the best candidate, each with the student alone. */
    private StudyRunner.Outcome finalRun(Search search, CandidateResult best, boolean resume) {
        GridCell defaults = search.defaults().cells().get(0);
        List<GridCell> cells = new ArrayList<>(List.of(defaults));
        GridCell chosen = search.cell(1, best.assignments());
        if (!ConfigHash.of(chosen.resolved()).equals(ConfigHash.of(defaults.resolved()))) {
            cells.add(chosen);
        }
        Study study = Study.of(search.file(), Search.withoutSearch(search.tree()), cells, search.config().seeds(),
                search.overrides());
        return new StudyRunner(resultsDir, tracker, finalListener, workers, device).withDispatcher(dispatcher)
                .run(study, resume);
    }
}
