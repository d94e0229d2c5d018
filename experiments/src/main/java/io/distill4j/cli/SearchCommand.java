package io.distill4j.cli;

import io.distill4j.device.DeviceDecision;
import io.distill4j.device.DeviceEnvironment;
import io.distill4j.device.DeviceSelector;
import io.distill4j.experiment.ResultsLock;
import io.distill4j.experiment.TrialDispatcher;
import io.distill4j.search.CandidateResult;
import io.distill4j.search.Search;
import io.distill4j.search.SearchConfig;
import io.distill4j.search.SearchListener;
import io.distill4j.search.SearchRunner;
import io.distill4j.tracking.Tracker;
import io.distill4j.tracking.rest.TrackingUris;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code distill4j search STUDY.yaml}: a hyperparameter search declared by the study's {@code search} section. */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Search a study's hyperparameters (its search section): candidates scored on the validation "
                + "split only, then the best run once on the test split beside the default configuration and the "
                + "student alone.")
public final class SearchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "STUDY", description = "The study file with a search section (YAML).")
    Path studyFile;

    @Option(names = "--set", paramLabel = "PATH=VALUE",
            description = "Override a config value by path, e.g. --set search.strategy=grid. Repeatable.")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--dry-run", description = "Validate the study and its search, check the data, print the plan.")
    boolean dryRun;

    @Option(names = "--resume", description = "Continue an interrupted search: the same candidate sequence (same "
            + "seed), candidates recorded in results/<study>/search/candidates/ are not trained again.")
    boolean resume;

    @Option(names = "--results", paramLabel = "DIR", defaultValue = "results",
            description = "Results folder (default: ${DEFAULT-VALUE}).")
    Path results;

    @Option(names = "--tracking-uri", paramLabel = "URI",
            description = "MLflow tracking, as for 'run' (default: tracking.uri, MLFLOW_TRACKING_URI, <results>/mlruns).")
    String trackingUri;

    @Option(names = "--workers", paramLabel = "N",
            description = "Candidates trained at once, one thread each (default: the number of cores); with "
                    + "--engine spark, candidates dispatched at once (default: Spark's task slots).")
    Integer workers;

    @Mixin
    EngineOptions engine = new EngineOptions();

    @Option(names = "--device", paramLabel = "auto|cpu|gpu", description = "Where to train, as for 'run'.")
    String device;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        RunCommand.checkResults(results);
        Search search = Search.load(studyFile, overrides);
        var mode = RunCommand.deviceMode(device, search.defaults().base().device());
        TrialDispatcher.Factory cluster = engine.factory(null);
        List<String> data = RunCommand.validateData(search.defaults());
        SearchConfig c = search.config();
        out.printf(Locale.ROOT, "search %s: %s, at most %d candidate(s)%s x seeds %s, objective validation %s (%s), "
                + "pruning %s%n", search.name(), c.strategy().key(), c.candidates(),
                c.minutes() > 0 ? " or " + c.minutes() + " minute(s)" : "", c.seeds(), c.metric(),
                c.maximize() ? "maximize" : "minimize", c.pruning().isPresent() ? "median" : "off");
        for (SearchConfig.Parameter p : c.parameters()) {
            out.printf(Locale.ROOT, "  %s: %s%n", p.path(), p.kind() == SearchConfig.Kind.CHOICE
                    ? "choice " + p.values() : p.kind().name().toLowerCase(Locale.ROOT) + " [" + p.min() + ", "
                    + p.max() + "]");
        }
        data.forEach(line -> out.println("data " + line));
        if (dryRun) {
            return 0;
        }
        if (workers != null) {
            RunCommand.checkWorkers(workers);
        }
        String uri = TrackingUris.resolve(trackingUri, search.defaults().base().trackingUri(), System.getenv(),
                results);
        DeviceDecision decision = DeviceSelector.select(mode, DeviceEnvironment.detect());
        ResultsLock lock = ResultsLock.acquire(results);
        out.println("device " + decision.message());
        out.flush();
        try (lock; Tracker tracker = TrackingUris.open(uri, results, search.file(), System.getenv());
                TrialDispatcher dispatcher = engine.open(cluster, uri, out)) {
            Thread onInterrupt = new Thread(tracker::close, "distill4j-interrupt");
            Runtime.getRuntime().addShutdownHook(onInterrupt);
            PrintWriter err = spec.commandLine().getErr();
            ProgressBar finalBar = new ProgressBar(err);
            int atOnce = workers != null ? workers : dispatcher != null ? dispatcher.slots() : RunCommand.workers(null);
            SearchRunner.Outcome outcome = new SearchRunner(results, tracker, progress(err, c), finalBar, atOnce,
                    decision.tag()).withDispatcher(dispatcher).run(search, resume);
            Runtime.getRuntime().removeShutdownHook(onInterrupt);
            if (outcome.finalRun() != null) {
                finalBar.finish();
            }
            out.println();
            out.print(outcome.summary().text());
            out.println();
            out.println("search: " + outcome.folder().resolve("search.md") + "; best configuration: "
                    + outcome.folder().resolve("best.yaml") + "; final study: "
                    + outcome.folder().resolve("summary.md"));
            RunCommand.printTracking(out, tracker, uri, search.defaults().base().trackingExperiment());
            return outcome.best().isPresent() ? 0 : 3;
        }
    }

    /** One line per candidate: its status and score, the best so far and the ETA of the budget. */
    static SearchListener progress(PrintWriter err, SearchConfig c) {
        return new SearchListener() {
            @Override
            public void candidateEnded(CandidateResult r, int done, int planned, double best, long etaMillis) {
                int width = 20;
                int filled = (int) Math.round(Math.min(1.0, (double) done / planned) * width);
                String what = switch (r.status()) {
                    case FINISHED -> String.format(Locale.ROOT, "%s %.4f", c.metric(), r.score());
                    default -> r.status() + " (" + r.reason() + ")";
                };
                boolean resumed = !r.trials().isEmpty() && r.trials().get(0).fromLedger();
                err.printf(Locale.ROOT, "[%s%s] candidate %d/%d %s: %s%s | best %s | ETA %s%n", "#".repeat(filled),
                        ".".repeat(width - filled), done, planned, r.label(), what, resumed ? " (recorded earlier)"
                        : "", Double.isNaN(best) ? "-" : String.format(Locale.ROOT, "%.4f", best),
                        etaMillis < 0 ? "?" : ProgressBar.duration(etaMillis));
                err.flush();
            }
        };
    }
}
