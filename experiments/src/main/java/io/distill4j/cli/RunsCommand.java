package io.distill4j.cli;

import io.distill4j.Distill4jException;
import io.distill4j.tracking.MlflowFileStoreReader;
import io.distill4j.tracking.RunsTable;
import io.distill4j.tracking.rest.TrackingUris;
import io.distill4j.tracking.rest.MlflowHttp;
import io.distill4j.tracking.rest.MlflowRestApi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code distill4j runs}: a study's runs from a file store or a server, as a table sorted by a metric. Without
 * {@code --experiment}, a file store shows its most recent study (the experiment whose latest run started last) and
 * names the others.
 */
@Command(name = "runs", mixinStandardHelpOptions = true,
        description = "List a study's runs (file store or MLflow server) as a table sorted by a metric.")
public final class RunsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--tracking-uri", paramLabel = "URI",
            description = "Folder, file: URI or http(s):// server (default: MLFLOW_TRACKING_URI, else <results>/mlruns).")
    String trackingUri;

    @Option(names = "--results", paramLabel = "DIR", defaultValue = "results",
            description = "Results folder whose mlruns/ to read (default: ${DEFAULT-VALUE}).")
    Path results;

    @Option(names = {"--experiment", "--study"}, paramLabel = "NAME",
            description = "Experiment (= study name unless tracking.experiment says otherwise). Default for a file "
                    + "store: the most recent study (the others are named).")
    String experiment;

    @Option(names = "--sort", paramLabel = "METRIC", description = "Sort by this metric, e.g. test_accuracy.")
    String sort;

    @Option(names = "--desc", description = "Sort high to low.")
    boolean desc;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "Show at most N runs (0: all).")
    int limit;

    @Override
    public Integer call() {
        String uri = TrackingUris.resolve(trackingUri, null, System.getenv(), results);
        List<MlflowFileStoreReader.Run> runs;
        String name;
        String note = null;
        if (TrackingUris.isServer(uri)) {
            MlflowRestApi api = TrackingUris.api(uri, System.getenv(), MlflowHttp.Retry.DEFAULT);
            if (experiment == null) {
                throw new Distill4jException("--experiment NAME is needed with a tracking server");
            }
            name = experiment;
            try {
                String id = api.experimentByName(experiment).orElseThrow(() -> new Distill4jException(
                        "no experiment '" + experiment + "' on " + uri));
                runs = api.searchRuns(id);
            } catch (MlflowHttp.Unavailable | MlflowHttp.ApiError e) {
                throw new Distill4jException(e.getMessage());
            }
        } else {
            Path store = TrackingUris.fileStore(uri);
            if (!Files.isDirectory(store)) {
                throw new Distill4jException("no MLflow file store at " + store);
            }
            MlflowFileStoreReader reader = new MlflowFileStoreReader(store);
            List<MlflowFileStoreReader.Experiment> exps = reader.experiments().stream()
                    .filter(e -> experiment == null ? !reader.runs(e.experimentId()).isEmpty()
                            : e.name().equals(experiment))
                    .toList();
            if (exps.isEmpty()) {
                throw new Distill4jException(experiment == null ? "no runs in " + store
                        : "no experiment '" + experiment + "' in " + store);
            }
            Map<MlflowFileStoreReader.Experiment, List<MlflowFileStoreReader.Run>> byExperiment =
                    new LinkedHashMap<>();
            exps.forEach(e -> byExperiment.put(e, reader.runs(e.experimentId())));
            MlflowFileStoreReader.Experiment shown = exps.stream()
                    .max(Comparator.comparingLong(e -> lastStart(byExperiment.get(e)))).orElseThrow();
            if (exps.size() > 1) {
                note = exps.size() + " studies in " + store + ": " + String.join(", ", exps.stream()
                        .sorted(Comparator.comparingLong(e -> -lastStart(byExperiment.get(e))))
                        .map(e -> e.name() + " (" + byExperiment.get(e).size() + " run(s), last started "
                                + Instant.ofEpochMilli(lastStart(byExperiment.get(e))) + ")").toList())
                        + "; showing the most recent; pick another with --experiment NAME";
            }
            name = shown.name();
            runs = byExperiment.get(shown);
        }
        if (limit < 0) {
            throw new Distill4jException("--limit must be >= 0");
        }
        var out = spec.commandLine().getOut();
        if (note != null) {
            out.println(note);
        }
        out.println("experiment " + name + ": " + runs.size() + " run(s)");
        out.print(RunsTable.render(runs, sort, desc, limit));
        out.flush();
        return 0;
    }

    private static long lastStart(List<MlflowFileStoreReader.Run> runs) {
        return runs.stream().mapToLong(MlflowFileStoreReader.Run::startTime).max().orElse(Long.MIN_VALUE);
    }
}
