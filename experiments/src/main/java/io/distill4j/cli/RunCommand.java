package io.distill4j.cli;

import io.distill4j.device.DeviceDecision;
import io.distill4j.device.DeviceEnvironment;
import io.distill4j.device.DeviceMode;
import io.distill4j.device.DeviceSelector;
import io.distill4j.config.ConfigHash;
import io.distill4j.config.GridCell;
import io.distill4j.data.features.CrossTimeframeData;
import io.distill4j.data.features.DatasetPreparer;
import io.distill4j.experiment.DataFacts;
import io.distill4j.experiment.ResultsLock;
import io.distill4j.experiment.Shard;
import io.distill4j.experiment.TrialDispatcher;
import io.distill4j.experiment.Study;
import io.distill4j.experiment.TooManyTrialsException;
import io.distill4j.experiment.StudyConfig;
import io.distill4j.experiment.ModelRegistration;
import io.distill4j.experiment.StudyRunner;
import io.distill4j.experiment.Trial;
import io.distill4j.tracking.Tracker;
import io.distill4j.tracking.rest.TrackingUris;
import io.distill4j.tracking.rest.MlflowHttp;
import io.distill4j.tracking.rest.MlflowRestTracker;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code distill4j run STUDY.yaml}: validates, plans and runs a study. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a distillation study: teacher, student-alone baseline and every distilled grid cell x seed.")
public final class RunCommand implements Callable<Integer> {
    /** Studies with more trials than this run only with {@code --yes} (a grid typo can multiply a study by 100). */
    static final int CONFIRM_TRIALS_ABOVE = 500;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "STUDY", description = "The study file (YAML), e.g. configs/quickstart.yaml.")
    Path studyFile;

    @Option(names = "--set", paramLabel = "PATH=VALUE",
            description = "Override a config value by path, e.g. --set training.epochs=5 "
                    + "--set grid.distillation.loss.alpha=[0.3,0.7]. Repeatable.")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--dry-run", description = "Validate the study and its data files (reading and checking every "
            + "kline file), print the expanded trials and the data quality, without training.")
    boolean dryRun;

    @Option(names = "--resume", description = "Skip the trials an earlier run of this study finished (by trial id, "
            + "from results/<study>/trials/) and run the rest.")
    boolean resume;

    @Option(names = "--results", paramLabel = "DIR", defaultValue = "results",
            description = "Results folder (default: ${DEFAULT-VALUE}).")
    Path results;

    @Option(names = "--tracking-uri", paramLabel = "URI",
            description = "MLflow tracking: a folder or file: URI (file store) or http(s)://host:port (an MLflow "
                    + "server). Default: tracking.uri of the study, else MLFLOW_TRACKING_URI, else <results>/mlruns.")
    String trackingUri;

    @Option(names = "--workers", paramLabel = "N",
            description = "Student trials trained at once, one thread each (default: the number of cores).")
    Integer workers;

    @Option(names = "--no-fuse", description = "Train every student trial alone (by default student trials that "
            + "share an MLP shape, a budget and the data train together as one fused network; see README 'Performance "
            + "notes').")
    boolean noFuse;

    @Option(names = "--yes", description = "Run a study of more than " + CONFIRM_TRIALS_ABOVE
            + " trials (without it such a study stops before training, saying how many trials it has).")
    boolean yes;

    @Option(names = "--shard", paramLabel = "i/n",
            description = "Run only shard i of n: a deterministic share of the trials (for a Slurm array or a "
                    + "Kubernetes indexed Job); its records go to <results>/<study>/shards/shard-i-of-n; when all n "
                    + "have run: distill4j merge <results>/<study>.")
    String shard;

    @Mixin
    EngineOptions engine = new EngineOptions();

    @Option(names = "--device", paramLabel = "auto|cpu|gpu",
            description = "Where to train (overrides the study's 'device', default auto): auto uses a supported GPU "
                    + "when the CUDA backend is in the build (./distill4j --cuda), else the CPU.")
    String device;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        checkResults(results);
        Study study = Study.load(studyFile, overrides, dryRun || yes ? Long.MAX_VALUE : CONFIRM_TRIALS_ABOVE);
        DeviceMode mode = deviceMode(device, study.base().device());
        Shard share = shard == null ? null : Shard.parse(shard);
        TrialDispatcher.Factory cluster = engine.factory(share);
        List<Trial> trials = share == null ? study.trials() : share.select(study.trials());
        // bad data stops here, once, before any trial starts (and before the results lock), in a dry run too
        List<String> data = validateData(study);
        if (dryRun) {
            printPlan(study, trials, share, out);
            data.forEach(line -> out.println("data " + line));
            return 0;
        }
        int workers = workers(this.workers);
        checkWorkers(workers);
        if (study.trials().size() > CONFIRM_TRIALS_ABOVE && !yes) {
            throw new TooManyTrialsException(study.name(), study.trials().size(), false, study.cells().size(),
                    study.seeds().size(), CONFIRM_TRIALS_ABOVE);
        }
        String uri = TrackingUris.resolve(trackingUri, study.base().trackingUri(), System.getenv(), results);
        DeviceDecision decision = DeviceSelector.select(mode, DeviceEnvironment.detect());
        // held until the run ends: a second run on the same results folder fails at once, naming this one
        // a shard locks its own folder: the shards of a study may share one results folder (and teacher cache)
        ResultsLock lock = ResultsLock.acquire(share == null ? results : share.folder(results, study.name()));
        out.printf("study %s: %d trial(s) (%d grid cell(s) x %d seed(s), plus teacher and student-alone)%n",
                study.name(), study.trials().size(), study.cells().size(), study.seeds().size());
        if (share != null) {
            out.printf("shard %s: %d of the %d trial(s)%n", share, trials.size(), study.trials().size());
        }
        data.forEach(line -> out.println("data " + line));
        out.println("device " + decision.message());
        out.flush();
        try (lock; Tracker tracker = TrackingUris.open(uri, results, study.file(), System.getenv())) {
            // Ctrl-C (or a plain kill): runs still open are ended as KILLED, never left RUNNING
            Thread onInterrupt = new Thread(tracker::close, "distill4j-interrupt");
            Runtime.getRuntime().addShutdownHook(onInterrupt);
            ProgressBar progress = new ProgressBar(spec.commandLine().getErr());
            StudyRunner.Outcome outcome;
            try (TrialDispatcher dispatcher = engine.open(cluster, uri, out)) {
                outcome = new StudyRunner(results, tracker, progress, workers, decision.tag())
                        .withReporter(io.distill4j.report.StudyReport.reporter(results)).withShard(share)
                        .withDispatcher(dispatcher).withFusion(!noFuse).run(study, resume);
            }
            Runtime.getRuntime().removeShutdownHook(onInterrupt);
            progress.finish();
            out.println();
            if (share != null) {
                long failed = outcome.results().stream().filter(r -> r.failed()).count();
                out.printf("shard %s: %d trial(s) recorded in %s (%d failed)%n", share, outcome.results().size(),
                        outcome.folder().resolve("trials"), failed);
                out.println("when all " + share.count() + " shards have run: distill4j merge "
                        + outcome.folder().getParent().getParent());
                printTracking(out, tracker, uri, study.base().trackingExperiment());
                return failed == 0 ? 0 : 3;
            }
            printSummary(out, outcome);
            printTracking(out, tracker, uri, study.base().trackingExperiment());
            if (tracker instanceof MlflowRestTracker rest) {
                if (rest.offlineStore().isEmpty()) {
                    register(study, outcome, uri, out);
                }
            } else if (study.base().trackingRegister() != null) {
                out.println("tracking.register: registering needs an MLflow server (--tracking-uri http://...); "
                        + "nothing registered");
            }
            return outcome.summary().failures().isEmpty() ? 0 : 3;
        }
    }

    /** The summary table, its notes, the verdict, failures and where the summary and report are. */
    static void printSummary(PrintWriter out, StudyRunner.Outcome outcome) {
        out.print(outcome.summary().toText());
        out.println();
        outcome.summary().dataNotes().forEach(out::println);
        outcome.summary().teacherNotes().forEach(out::println);
        out.println(outcome.summary().verdict());
        if (!outcome.summary().failures().isEmpty()) {
            out.println(outcome.summary().failures().size() + " trial(s) failed; see "
                    + outcome.folder().resolve("summary.md"));
        }
        out.println();
        out.println("summary: " + outcome.folder().resolve("summary.md") + " and summary.csv");
        out.println("report: " + outcome.folder().resolve("report.html"));
    }

    /** Where the runs went: the MLflow server (or its offline store to sync), or the file store's UI command. */
    static void printTracking(PrintWriter out, Tracker tracker, String uri, String experiment) {
        if (tracker instanceof MlflowRestTracker rest) {
            tracker.close();
            if (rest.offlineStore().isPresent()) {
                Path offline = rest.offlineStore().get();
                out.println("tracking: the MLflow server " + rest.server() + " was unreachable; runs were written"
                        + " to " + offline + "; replay them with: distill4j mlflow sync " + offline + " --to "
                        + rest.server());
            } else {
                out.println("tracking: " + rest.server() + " (experiment " + experiment + ")");
            }
        } else {
            out.println("tracking: mlflow ui --backend-store-uri " + TrackingUris.fileStore(uri));
        }
    }

    /** The device mode: {@code --device} when given, else the study's. */
    static DeviceMode deviceMode(String option, DeviceMode study) {
        if (option == null) {
            return study;
        }
        return DeviceMode.parse(option).orElseThrow(() -> new io.distill4j.Distill4jException(
                "--device must be auto, cpu or gpu, got '" + option + "'"));
    }

    /** Refuses an empty {@code --results}. */
    static void checkResults(Path results) {
        if (results.toString().isBlank()) {
            throw new io.distill4j.Distill4jException("--results must name a folder (an empty one would write into "
                    + "the current folder), e.g. --results results");
        }
    }

    /**
     * The worker threads of a run: {@code requested}, or by default one per core (each trial runs ND4J on one thread,
     * {@code OMP_NUM_THREADS=1}), at most 64.
     */
    static int workers(Integer requested) {
        return requested != null ? requested : Math.max(1, Math.min(64, Runtime.getRuntime().availableProcessors()));
    }

    /** Refuses a {@code --workers} outside [1, 64]. */
    static void checkWorkers(int workers) {
        if (workers < 1 || workers > 64) {
            throw new io.distill4j.Distill4jException("--workers must be in [1, 64], got " + workers);
        }
    }

    /**
     * {@code tracking.register}: registers the best distilled trial's model (see
     * {@link ModelRegistration#bestDistilledTrial}); a failure is reported and does not fail the study.
     */
    private static void register(Study study, StudyRunner.Outcome outcome, String uri, PrintWriter out) {
        String name = study.base().trackingRegister();
        if (name == null) {
            return;
        }
        var best = ModelRegistration.bestDistilledTrial(outcome.summary(), outcome.results());
        if (best.isEmpty()) {
            out.println("tracking.register: no finished distilled trial to register");
            return;
        }
        try {
            var r = ModelRegistration.register(TrackingUris.api(uri, System.getenv(), MlflowHttp.Retry.DEFAULT),
                    outcome.folder(), study.base().trackingExperiment(), best.get().trialId(), name);
            out.printf("registered %s version %s: %s (trial %s, run %s)%n", r.version().name(), r.version().version(),
                    best.get().trial().description(), best.get().trialId(), r.runId());
        } catch (io.distill4j.Distill4jException | MlflowHttp.Unavailable | MlflowHttp.ApiError e) {
            out.println("tracking.register: not registered: " + e.getMessage() + " (retry with: distill4j register "
                    + outcome.folder() + " --trial " + best.get().trialId() + " --name " + name + ")");
        }
    }

    /**
     * Reads, checks and prepares every distinct data set of {@code study} (as training will) and returns one line per
     * data set: its source and quality ({@code DataDescription.describe()}). Bad data is a {@code DataException}.
     */
    static List<String> validateData(Study study) {
        Map<String, String> lines = new LinkedHashMap<>();
        for (GridCell cell : study.cells()) {
            StudyConfig config = StudyConfig.parse(study.file(), cell.resolved());
            if (config.teacherData().isPresent()) { // cross-timeframe: both sources, aligned, and what it kept
                String key = DataFacts.key(config);
                if (!lines.containsKey(key)) {
                    var x = CrossTimeframeData.prepare(config.data(), config.teacherData().get());
                    lines.putIfAbsent(ConfigHash.of(config.tree().get("data")), x.student().description().describe());
                    lines.put(key, "for the teachers " + x.teacher().description().describe() + "; "
                            + x.student().note());
                }
                continue;
            }
            lines.computeIfAbsent(ConfigHash.of(config.tree().get("data")),
                    k -> DatasetPreparer.prepare(config.data()).description().describe());
        }
        return List.copyOf(lines.values());
    }

    private static void printPlan(Study study, List<Trial> trials, Shard share, PrintWriter out) {
        out.printf("study %s (%s): %d grid cell(s), seeds %s, %d trial(s)%n", study.name(), study.file(),
                study.cells().size(), study.seeds(), study.trials().size());
        if (share != null) {
            out.printf("shard %s: %d of them%n", share, trials.size());
        }
        for (Trial t : trials) {
            out.printf("  %s  %-14s %s%n", t.id(), t.role().label(), t.description());
        }
    }
}
