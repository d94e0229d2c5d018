package io.distill4j.tracking.rest;

import io.distill4j.AtomicFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distill4j.tracking.DatasetInput;
import io.distill4j.tracking.MlflowFileStoreReader;
import io.distill4j.tracking.RunStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Replays a local MLflow file store (e.g. the offline store of {@link MlflowRestTracker}) to a server, exactly once.
 *
 * <p>For every ended run (parents before children): a run with the tag {@link MlflowRestTracker#REMOTE_RUN_TAG}
 * completes that server run; any other run is created on the server (same experiment name, run name, start time;
 * {@code mlflow.parentRunId} remapped to the parent's server id; tag {@code distill4j.synced_from} = the local run
 * id). Then its params, tags and metrics (original timestamps and steps) go in {@code log-batch} requests, the
 * dataset tag becomes a dataset input, the artifacts are uploaded and the status and end time are set.
 *
 * <p>The ledger {@code <store>/distill4j-sync.json} records, per server, local run id -> server run id and whether
 * the run was completed. A second sync skips completed runs, so it changes nothing. A run whose sync was cut off
 * (created, not completed) is deleted on the server ({@code runs/delete}) and synced again; a continuation run is
 * simply replayed again (params and tags are idempotent; metric points sent before the cut would appear twice).
 * Runs still RUNNING locally (and their children) are skipped and reported.
 */
public final class MlflowSync {
    /** Tag on server runs created by a sync: the local run id. */
    public static final String SYNCED_FROM_TAG = "distill4j.synced_from";
    static final String LEDGER = "distill4j-sync.json";

    /** What a sync did. */
    public record Result(int created, int completed, int alreadySynced, int skippedRunning) {
        @Override
        public String toString() {
            return created + " run(s) created, " + completed + " continued run(s) completed, " + alreadySynced
                    + " already synced, " + skippedRunning + " skipped (still running)";
        }
    }

    private MlflowSync() {
    }

    /** Syncs {@code localRoot} to the server behind {@code api}; {@code progress} gets one line per run. */
    public static Result sync(Path localRoot, MlflowRestApi api, Consumer<String> progress) {
        MlflowFileStoreReader reader = new MlflowFileStoreReader(localRoot);
        String target = api.http().base().toString();
        Path ledgerFile = localRoot.toAbsolutePath().resolve(LEDGER);
        ObjectNode ledger = readLedger(ledgerFile);
        ObjectNode entries = ledger.has(target) ? (ObjectNode) ledger.get(target) : ledger.putObject(target);
        int created = 0;
        int completed = 0;
        int already = 0;
        int running = 0;
        for (MlflowFileStoreReader.Experiment exp : reader.experiments()) {
            List<MlflowFileStoreReader.Run> runs = parentsFirst(reader.runs(exp.experimentId()));
            if (runs.isEmpty()) {
                continue;
            }
            String remoteExp = null;
            Map<String, String> remoteIds = new HashMap<>();
            Set<String> skipped = new HashSet<>();
            for (MlflowFileStoreReader.Run run : runs) {
                String parent = run.tags().get("mlflow.parentRunId");
                JsonNode entry = entries.get(run.runId());
                if (entry != null && entry.path("done").asBoolean()) {
                    remoteIds.put(run.runId(), entry.path("remote_run_id").asText());
                    already++;
                    continue;
                }
                if (run.status() == RunStatus.RUNNING || (parent != null && skipped.contains(parent))) {
                    skipped.add(run.runId());
                    running++;
                    progress.accept("skipped " + run.runName() + " (" + run.runId() + "): still running");
                    continue;
                }
                if (remoteExp == null) {
                    remoteExp = api.experimentId(exp.name());
                }
                String continued = run.tags().get(MlflowRestTracker.REMOTE_RUN_TAG);
                String remoteId;
                String artifactUri;
                if (continued != null) {
                    remoteId = continued;
                    artifactUri = api.artifactUri(remoteId);
                } else {
                    if (entry != null) { // cut off last time: start over
                        api.deleteRun(entry.path("remote_run_id").asText());
                    }
                    List<MlflowRestApi.KeyValue> tags = new ArrayList<>();
                    tags.add(new MlflowRestApi.KeyValue("mlflow.runName", run.runName()));
                    if (parent != null) {
                        String remoteParent = remoteIds.get(parent);
                        if (remoteParent == null) {
                            throw new IllegalStateException("parent " + parent + " of run " + run.runId()
                                    + " was not synced");
                        }
                        tags.add(new MlflowRestApi.KeyValue("mlflow.parentRunId", remoteParent));
                    }
                    tags.add(new MlflowRestApi.KeyValue(SYNCED_FROM_TAG, run.runId()));
                    MlflowRestApi.CreatedRun c = api.createRun(remoteExp, run.runName(), run.startTime(),
                            run.userId() == null ? "unknown" : run.userId(), tags);
                    remoteId = c.runId();
                    artifactUri = c.artifactUri();
                    entries.putObject(run.runId()).put("remote_run_id", remoteId).put("done", false);
                    writeLedger(ledgerFile, ledger);
                }
                replay(localRoot, exp, run, remoteId, artifactUri, remoteIds, api);
                remoteIds.put(run.runId(), remoteId);
                entries.putObject(run.runId()).put("remote_run_id", remoteId).put("done", true);
                writeLedger(ledgerFile, ledger);
                if (continued != null) {
                    completed++;
                } else {
                    created++;
                }
                progress.accept("synced " + run.runName() + " (" + run.runId() + ") -> " + remoteId);
            }
        }
        return new Result(created, completed, already, running);
    }

    private static void replay(Path localRoot, MlflowFileStoreReader.Experiment exp, MlflowFileStoreReader.Run run,
            String remoteId, String artifactUri, Map<String, String> remoteIds, MlflowRestApi api) {
        List<MlflowRestApi.KeyValue> params = new ArrayList<>();
        run.params().forEach((k, v) -> params.add(new MlflowRestApi.KeyValue(k, v)));
        List<MlflowRestApi.KeyValue> tags = new ArrayList<>();
        run.tags().forEach((k, v) -> {
            switch (k) {
                case "mlflow.parentRunId", MlflowRestTracker.REMOTE_RUN_TAG, "mlflow.runName" -> { }
                default -> tags.add(new MlflowRestApi.KeyValue(k, v));
            }
        });
        List<MlflowRestApi.MetricPoint> metrics = new ArrayList<>();
        run.metrics().forEach((k, points) -> points.forEach(p ->
                metrics.add(new MlflowRestApi.MetricPoint(k, p.value(), p.timestamp(), p.step()))));
        api.logBatch(remoteId, params, tags, metrics, null);
        var reader = new MlflowFileStoreReader(localRoot);
        for (DatasetInput dataset : reader.datasets(exp.experimentId(), run.runId())) {
            api.logInputs(remoteId, dataset);
        }
        Path artifacts = localRoot.toAbsolutePath().resolve(exp.experimentId()).resolve(run.runId())
                .resolve("artifacts");
        for (String rel : run.artifacts()) {
            api.uploadArtifact(artifactUri, rel, null, artifacts.resolve(rel));
        }
        api.endRun(remoteId, run.status(), run.endTime() == null ? run.startTime() : run.endTime());
    }

    /** Parents before children (a run's parent is in the same experiment). */
    static List<MlflowFileStoreReader.Run> parentsFirst(List<MlflowFileStoreReader.Run> runs) {
        Map<String, MlflowFileStoreReader.Run> byId = new HashMap<>();
        runs.forEach(r -> byId.put(r.runId(), r));
        List<MlflowFileStoreReader.Run> out = new ArrayList<>();
        Set<String> placed = new HashSet<>();
        for (MlflowFileStoreReader.Run r : runs) {
            place(r, byId, placed, out, new HashSet<>());
        }
        return out;
    }

    private static void place(MlflowFileStoreReader.Run r, Map<String, MlflowFileStoreReader.Run> byId,
            Set<String> placed, List<MlflowFileStoreReader.Run> out, Set<String> visiting) {
        if (placed.contains(r.runId()) || !visiting.add(r.runId())) {
            return;
        }
        String parent = r.tags().get("mlflow.parentRunId");
        if (parent != null && byId.containsKey(parent)) {
            place(byId.get(parent), byId, placed, out, visiting);
        }
        placed.add(r.runId());
        out.add(r);
    }

    private static ObjectNode readLedger(Path file) {
        try {
            if (Files.isRegularFile(file)) {
                return (ObjectNode) MlflowHttp.JSON.readTree(file.toFile());
            }
            return MlflowHttp.JSON.createObjectNode();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sync ledger " + file, e);
        }
    }

    private static void writeLedger(Path file, ObjectNode ledger) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            MlflowHttp.JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), ledger);
            AtomicFiles.replace(tmp, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the sync ledger " + file, e);
        }
    }
}
