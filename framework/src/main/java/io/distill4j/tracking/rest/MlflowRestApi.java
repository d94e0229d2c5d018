package io.distill4j.tracking.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distill4j.Distill4jException;
import io.distill4j.tracking.DatasetInput;
import io.distill4j.tracking.MlflowFileStoreReader;
import io.distill4j.tracking.MlflowKeys;
import io.distill4j.tracking.RunStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The MLflow REST API 2.0 endpoints distill4j uses, over {@link MlflowHttp}: experiments by name, runs (create,
 * update, delete, search), {@code log-batch} split within MLflow's limits, {@code log-inputs}, and artifacts
 * through the server's proxy ({@code mlflow-artifacts:} artifact URIs) or, for a server whose artifact root is a
 * shared folder ({@code file:} artifact URIs), by copying into that folder.
 */
public final class MlflowRestApi {
    /** MLflow's {@code log-batch} limits. */
    public static final int MAX_METRICS = 1000;
    public static final int MAX_PARAMS = 100;
    public static final int MAX_TAGS = 100;
    public static final int MAX_ITEMS = 1000;

    /** A param or tag. */
    public record KeyValue(String key, String value) {
    }

    /** A metric point. */
    public record MetricPoint(String key, double value, long timestamp, long step) {
    }

    /** What {@code runs/create} answered. */
    public record CreatedRun(String runId, String artifactUri) {
    }

    private final MlflowHttp http;

    public MlflowRestApi(MlflowHttp http) {
        this.http = http;
    }

    public MlflowHttp http() {
        return http;
    }

    /** The id of the active experiment {@code name}, if it exists. */
    public Optional<String> experimentByName(String name) {
        try {
            JsonNode e = http.get("experiments/get-by-name", Map.of("experiment_name", name)).path("experiment");
            if ("deleted".equals(e.path("lifecycle_stage").asText())) {
                throw new Distill4jException("MLflow experiment '" + name + "' is deleted on the server; restore it "
                        + "or choose another name (tracking.experiment)");
            }
            return Optional.of(e.path("experiment_id").asText());
        } catch (MlflowHttp.ApiError e) {
            if (e.status() == 404 || "RESOURCE_DOES_NOT_EXIST".equals(e.errorCode())) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The id of experiment {@code name}, created if missing. */
    public String experimentId(String name) {
        Optional<String> id = experimentByName(name);
        if (id.isPresent()) {
            return id.get();
        }
        try {
            return http.post("experiments/create", obj().put("name", name)).path("experiment_id").asText();
        } catch (MlflowHttp.ApiError e) {
            if ("RESOURCE_ALREADY_EXISTS".equals(e.errorCode())) { // created meanwhile by someone else
                return experimentByName(name).orElseThrow(() -> e);
            }
            throw e;
        }
    }

    /** {@code runs/create}; {@code tags} go with the request (keep them few: run name, parent, source). */
    public CreatedRun createRun(String experimentId, String runName, long startTime, String user,
            List<KeyValue> tags) {
        ObjectNode body = obj().put("experiment_id", experimentId).put("start_time", startTime)
                .put("run_name", runName).put("user_id", user);
        ArrayNode t = body.putArray("tags");
        tags.forEach(kv -> t.addObject().put("key", kv.key()).put("value", kv.value()));
        JsonNode info = http.post("runs/create", body).path("run").path("info");
        String id = info.path("run_id").asText(info.path("run_uuid").asText());
        if (id.isEmpty()) {
            throw new MlflowHttp.ApiError(200, "BAD_RESPONSE", "runs/create answered without a run id");
        }
        return new CreatedRun(id, info.path("artifact_uri").asText(""));
    }

    /** {@code runs/get}: the run's artifact URI. */
    public String artifactUri(String runId) {
        return http.get("runs/get", Map.of("run_id", runId)).path("run").path("info").path("artifact_uri").asText("");
    }

    /** {@code runs/get}: the run's status, or empty when the server does not know the run. */
    public Optional<RunStatus> runStatus(String runId) {
        try {
            String status = http.get("runs/get", Map.of("run_id", runId)).path("run").path("info").path("status")
                    .asText("");
            return status.isEmpty() ? Optional.empty() : Optional.of(RunStatus.valueOf(status));
        } catch (MlflowHttp.ApiError e) {
            return Optional.empty();
        }
    }

    /** {@code runs/update}: terminal status and end time. */
    public void endRun(String runId, RunStatus status, long endTime) {
        http.post("runs/update", obj().put("run_id", runId).put("status", status.name()).put("end_time", endTime));
    }

    /** {@code runs/delete} (the run goes to the server's trash); a missing run is not an error. */
    public void deleteRun(String runId) {
        try {
            http.post("runs/delete", obj().put("run_id", runId));
        } catch (MlflowHttp.ApiError e) {
            if (e.status() != 404 && !"RESOURCE_DOES_NOT_EXIST".equals(e.errorCode())) {
                throw e;
            }
        }
    }

    /**
     * Sends params, tags and metrics with as few {@code log-batch} requests as MLflow's limits allow (at most
     * {@value #MAX_METRICS} metrics, {@value #MAX_PARAMS} params, {@value #MAX_TAGS} tags and {@value #MAX_ITEMS}
     * items per request), in order: a failure leaves the items of the failed and later requests unsent.
     *
     * @param progress told after each successful request (may be null)
     */
    public void logBatch(String runId, List<KeyValue> params, List<KeyValue> tags, List<MetricPoint> metrics,
            BatchProgress progress) {
        int p = 0;
        int t = 0;
        int m = 0;
        while (p < params.size() || t < tags.size() || m < metrics.size()) {
            int np = Math.min(MAX_PARAMS, params.size() - p);
            int nt = Math.min(MAX_TAGS, tags.size() - t);
            int nm = Math.min(Math.min(MAX_METRICS, MAX_ITEMS - np - nt), metrics.size() - m);
            ObjectNode body = obj().put("run_id", runId);
            ArrayNode pa = body.putArray("params");
            params.subList(p, p + np).forEach(kv -> pa.addObject().put("key", kv.key()).put("value", kv.value()));
            ArrayNode ta = body.putArray("tags");
            tags.subList(t, t + nt).forEach(kv -> ta.addObject().put("key", kv.key()).put("value", kv.value()));
            ArrayNode ma = body.putArray("metrics");
            metrics.subList(m, m + nm).forEach(x -> ma.addObject().put("key", x.key()).put("value", x.value())
                    .put("timestamp", x.timestamp()).put("step", x.step()));
            http.post("runs/log-batch", body);
            p += np;
            t += nt;
            m += nm;
            if (progress != null) {
                progress.sent(np, nt, nm);
            }
        }
    }

    /** Told after every successful {@code log-batch} request how many params, tags and metrics it carried. */
    @FunctionalInterface
    public interface BatchProgress {
        void sent(int params, int tags, int metrics);
    }

    /** {@code runs/log-inputs} with one dataset and its context tag. */
    public void logInputs(String runId, DatasetInput d) {
        ObjectNode body = obj().put("run_id", runId);
        ObjectNode input = body.putArray("datasets").addObject();
        if (d.context() != null) {
            input.putArray("tags").addObject().put("key", "mlflow.data.context").put("value", d.context());
        }
        ObjectNode ds = input.putObject("dataset");
        ds.put("name", d.name()).put("digest", d.digest()).put("source_type", d.sourceType()).put("source", d.source());
        if (d.schema() != null) {
            ds.put("schema", d.schema());
        }
        ds.put("profile", d.profile());
        http.post("runs/log-inputs", body);
    }

    /**
     * Stores an artifact of a run whose artifact root is {@code artifactUri}: {@code mlflow-artifacts:/<p>} (or
     * {@code mlflow-artifacts://host/<p>}) is PUT to the server's proxy at {@code <p>/<relativePath>}; a
     * {@code file:} URI (a server with a shared folder as artifact root) is copied into that folder.
     *
     * @throws UnsupportedOperationException for other artifact stores (s3:, gs:, ...), which need MLflow's Python
     *     client; start the server with proxied artifacts (the default since MLflow 2.0)
     */
    public void uploadArtifact(String artifactUri, String relativePath, byte[] content, Path file) {
        String rel = MlflowKeys.checkArtifactPath(relativePath);
        URI uri = URI.create(artifactUri);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        if (scheme.equals("mlflow-artifacts")) {
            String prefix = uri.getPath() == null ? "" : uri.getPath();
            byte[] bytes = content;
            if (bytes == null) {
                try {
                    bytes = Files.readAllBytes(file);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + file, e);
                }
            }
            http.putArtifact(prefix + "/" + rel, bytes);
        } else if (scheme.equals("file")) {
            Path target = Path.of(uri).resolve(rel).normalize();
            try {
                Files.createDirectories(target.getParent());
                if (content != null) {
                    Files.write(target, content);
                } else {
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write artifact " + target + " (the server's artifact root "
                        + "must be a folder this machine can write)", e);
            }
        } else {
            throw new UnsupportedOperationException("artifact store '" + scheme + ":' is not supported from Java; "
                    + "run the MLflow server with proxied artifacts (the default; --artifacts-destination)");
        }
    }

    /** Every active run of an experiment via {@code runs/search}, with params, tags and latest metric values. */
    public List<MlflowFileStoreReader.Run> searchRuns(String experimentId) {
        List<MlflowFileStoreReader.Run> runs = new ArrayList<>();
        String token = null;
        do {
            ObjectNode body = obj().put("max_results", 1000);
            body.putArray("experiment_ids").add(experimentId);
            if (token != null) {
                body.put("page_token", token);
            }
            JsonNode r = http.post("runs/search", body);
            for (JsonNode run : r.path("runs")) {
                runs.add(toRun(run));
            }
            token = r.path("next_page_token").asText("");
        } while (!token.isEmpty());
        return runs;
    }

    static MlflowFileStoreReader.Run toRun(JsonNode run) {
        JsonNode info = run.path("info");
        JsonNode data = run.path("data");
        Map<String, String> params = new TreeMap<>();
        data.path("params").forEach(p -> params.put(p.path("key").asText(), p.path("value").asText()));
        Map<String, String> tags = new TreeMap<>();
        data.path("tags").forEach(p -> tags.put(p.path("key").asText(), p.path("value").asText()));
        Map<String, List<MlflowFileStoreReader.Metric>> metrics = new TreeMap<>();
        data.path("metrics").forEach(m -> metrics.put(m.path("key").asText(), List.of(new MlflowFileStoreReader.Metric(
                m.path("timestamp").asLong(), number(m.path("value")), m.path("step").asLong()))));
        String status = info.path("status").asText("RUNNING");
        return new MlflowFileStoreReader.Run(info.path("run_id").asText(info.path("run_uuid").asText()),
                info.path("experiment_id").asText(), info.path("run_name").asText(tags.get("mlflow.runName")),
                RunStatus.valueOf(status), info.path("start_time").asLong(),
                info.hasNonNull("end_time") ? info.get("end_time").asLong() : null,
                info.path("lifecycle_stage").asText("active"), info.path("user_id").asText(""),
                info.path("artifact_uri").asText(""), params, tags, metrics, List.of());
    }

    static double number(JsonNode v) {
        if (v.isNumber()) {
            return v.asDouble();
        }
        return switch (v.asText()) {
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(v.asText());
        };
    }

    private static ObjectNode obj() {
        return MlflowHttp.JSON.createObjectNode();
    }
}
