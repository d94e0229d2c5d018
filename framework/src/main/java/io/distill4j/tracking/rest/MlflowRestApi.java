package io.distill4j.tracking.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distill4j.Distill4jException;
import io.distill4j.tracking.DatasetInput;
import io.distill4j.tracking.MlflowFileStoreReader;
import io.distill4j.tracking.MlflowKeys;
import io.distill4j.tracking.RunStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.RunsPage;
import org.mlflow_project.google.protobuf.InvalidProtocolBufferException;

/**
 * The MLflow REST API 2.0 calls distill4j uses: experiments by name, runs (create, update, delete, search),
 * {@code log-batch} split within MLflow's limits, {@code log-inputs}, artifacts, and the Model Registry's
 * {@code registered-models/create} and {@code model-versions/create}.
 *
 * <p><b>MLflow's Java client.</b> Tracking goes through {@code org.mlflow:mlflow-client}'s {@link MlflowClient}
 * (built by {@link MlflowJavaClient} with the {@link TrackingAuth} credentials, so the client sends the
 * {@code Authorization} header): {@code getExperimentByName}, {@code createExperiment}, {@code createRun},
 * {@code getRun}, {@code setTerminated} ({@code runs/update}), {@code deleteRun}, {@code logBatch} and
 * {@code searchRuns} (paged). The client has no typed method for {@code runs/log-inputs} or for creating registered
 * models and versions, so those requests are built here as JSON and sent with the client's generic
 * {@code sendPost} (same auth and connection).
 *
 * <p><b>Plain HTTP.</b> Only artifact upload does not use the client: its {@code logArtifact} shells out to Python
 * ({@code mlflow.store.artifact.cli}) and fails without a Python MLflow install, so artifacts are PUT by
 * {@link MlflowHttp} to the server's artifact proxy ({@code /api/2.0/mlflow-artifacts/artifacts/...}, for
 * {@code mlflow-artifacts:} artifact URIs), or copied into the folder of a server whose artifact root is a shared
 * folder ({@code file:} artifact URIs).
 *
 * <p><b>Failures.</b> Every client call goes through {@link #call}, which applies {@link MlflowHttp}'s retry policy
 * (the client's own retries are switched off): transport failures ({@link MlflowClientException} caused by an
 * {@link IOException}) and HTTP 429/5xx ({@link MlflowHttpException}) are retried with backoff and then become
 * {@link MlflowHttp.Unavailable} (the tracker goes offline); other HTTP errors become {@link MlflowHttp.ApiError} at
 * once, with MLflow's {@code error_code}; an answer the client cannot parse is an {@code ApiError}
 * {@code BAD_RESPONSE}.
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
    private final MlflowClient client;

    public MlflowRestApi(MlflowHttp http) {
        this.http = http;
        this.client = MlflowJavaClient.create(http.base(), http.auth());
    }

    public MlflowHttp http() {
        return http;
    }

    /** The id of the active experiment {@code name}, if it exists. */
    public Optional<String> experimentByName(String name) {
        Optional<Service.Experiment> found;
        try {
            found = call("experiments/get-by-name", () -> client.getExperimentByName(name));
        } catch (MlflowHttp.ApiError e) {
            if (e.status() == 404 || "RESOURCE_DOES_NOT_EXIST".equals(e.errorCode())) {
                return Optional.empty();
            }
            throw e;
        }
        if (found.isPresent() && "deleted".equals(found.get().getLifecycleStage())) {
            throw new Distill4jException("MLflow experiment '" + name + "' is deleted on the server; restore it "
                    + "or choose another name (tracking.experiment)");
        }
        return found.map(Service.Experiment::getExperimentId);
    }

    /** The id of experiment {@code name}, created if missing. */
    public String experimentId(String name) {
        Optional<String> id = experimentByName(name);
        if (id.isPresent()) {
            return id.get();
        }
        try {
            return call("experiments/create", () -> client.createExperiment(name));
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
        Service.CreateRun.Builder request = Service.CreateRun.newBuilder().setExperimentId(experimentId)
                .setRunName(runName).setStartTime(startTime).setUserId(user);
        tags.forEach(kv -> request.addTags(Service.RunTag.newBuilder().setKey(kv.key()).setValue(kv.value())));
        Service.RunInfo info = call("runs/create", () -> client.createRun(request.build()));
        String id = info.getRunId().isEmpty() ? info.getRunUuid() : info.getRunId();
        if (id.isEmpty()) {
            throw new MlflowHttp.ApiError(200, "BAD_RESPONSE", "runs/create answered without a run id");
        }
        return new CreatedRun(id, info.getArtifactUri());
    }

    /** {@code runs/get}: the run's artifact URI. */
    public String artifactUri(String runId) {
        return call("runs/get", () -> client.getRun(runId)).getInfo().getArtifactUri();
    }

    /** {@code runs/get}: the run's status, or empty when the server does not know the run. */
    public Optional<RunStatus> runStatus(String runId) {
        try {
            Service.RunInfo info = call("runs/get", () -> client.getRun(runId)).getInfo();
            return info.hasStatus() ? Optional.of(RunStatus.valueOf(info.getStatus().name())) : Optional.empty();
        } catch (MlflowHttp.ApiError e) {
            return Optional.empty();
        }
    }

    /** {@code runs/update}: terminal status and end time. */
    public void endRun(String runId, RunStatus status, long endTime) {
        Service.RunStatus s = Service.RunStatus.valueOf(status.name());
        call("runs/update", () -> {
            client.setTerminated(runId, s, endTime);
            return null;
        });
    }

    /** {@code runs/delete} (the run goes to the server's trash); a missing run is not an error. */
    public void deleteRun(String runId) {
        try {
            call("runs/delete", () -> {
                client.deleteRun(runId);
                return null;
            });
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
            List<Service.Param> ps = params.subList(p, p + np).stream()
                    .map(kv -> Service.Param.newBuilder().setKey(kv.key()).setValue(kv.value()).build()).toList();
            List<Service.RunTag> ts = tags.subList(t, t + nt).stream()
                    .map(kv -> Service.RunTag.newBuilder().setKey(kv.key()).setValue(kv.value()).build()).toList();
            List<Service.Metric> ms = metrics.subList(m, m + nm).stream()
                    .map(x -> Service.Metric.newBuilder().setKey(x.key()).setValue(x.value())
                            .setTimestamp(x.timestamp()).setStep(x.step()).build()).toList();
            call("runs/log-batch", () -> {
                client.logBatch(runId, ms, ps, ts);
                return null;
            });
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
        String json = body.toString();
        call("runs/log-inputs", () -> client.sendPost("runs/log-inputs", json)); // no typed method in the client
    }

    /** An MLflow 3 logged model: its id and the URI of its own artifact folder. */
    public record LoggedModel(String modelId, String artifactUri) {
    }

    /**
     * {@code POST logged-models} (MLflow 3's {@code CreateLoggedModel}: {@code experiment_id}, {@code name},
     * {@code model_type}, {@code source_run_id}, {@code params} and {@code tags} as key/value lists; the answer's
     * {@code model.info} carries {@code model_id}, {@code artifact_uri} and {@code status}
     * {@code LOGGED_MODEL_PENDING}; mlflow/protos/service.proto, rpc createLoggedModel).
     *
     * @return empty when the server has no such endpoint: MLflow 2.x answers HTTP 404 (2.17.2 with an HTML page,
     *     checked against a real server), other servers may answer 404 {@code ENDPOINT_NOT_FOUND}
     */
    public Optional<LoggedModel> createLoggedModel(String experimentId, String name, String modelType,
            String sourceRunId, List<KeyValue> params) {
        ObjectNode body = obj().put("experiment_id", experimentId).put("name", name).put("model_type", modelType)
                .put("source_run_id", sourceRunId);
        params.forEach(p -> body.withArray("params").addObject().put("key", p.key()).put("value", p.value()));
        String answer;
        try {
            answer = http.sendJson("POST", "logged-models", body.toString());
        } catch (MlflowHttp.ApiError e) {
            if (e.status() == 404 && !"RESOURCE_DOES_NOT_EXIST".equals(e.errorCode())) {
                return Optional.empty();
            }
            throw e;
        }
        JsonNode info;
        try {
            info = MlflowHttp.JSON.readTree(answer).path("model").path("info");
        } catch (IOException e) {
            throw new MlflowHttp.ApiError(200, "BAD_RESPONSE", "logged-models: " + e.getMessage());
        }
        if (!info.hasNonNull("model_id") || !info.hasNonNull("artifact_uri")) {
            throw new MlflowHttp.ApiError(200, "BAD_RESPONSE", "logged-models answered no model_id and artifact_uri: "
                    + answer);
        }
        return Optional.of(new LoggedModel(info.get("model_id").asText(), info.get("artifact_uri").asText()));
    }

    /**
     * {@code PATCH logged-models/<model_id>} (MLflow 3's {@code FinalizeLoggedModel}: {@code model_id} and
     * {@code status}, {@code LOGGED_MODEL_READY} or {@code LOGGED_MODEL_UPLOAD_FAILED}).
     */
    public void finalizeLoggedModel(String modelId, boolean ready) {
        ObjectNode body = obj().put("model_id", modelId)
                .put("status", ready ? "LOGGED_MODEL_READY" : "LOGGED_MODEL_UPLOAD_FAILED");
        http.sendJson("PATCH", "logged-models/" + URLEncoder.encode(modelId, StandardCharsets.UTF_8),
                body.toString());
    }

    /**
     * {@code POST runs/outputs} (MLflow 3's {@code LogOutputs}: {@code run_id} and {@code models}, a list of
     * {@code ModelOutput} with {@code model_id} and {@code step}): links a logged model to the run that produced it.
     */
    public void logOutputs(String runId, String modelId, long step) {
        ObjectNode body = obj().put("run_id", runId);
        body.putArray("models").addObject().put("model_id", modelId).put("step", step);
        http.sendJson("POST", "runs/outputs", body.toString());
    }

    /** A model version the Model Registry holds ({@code version} is MLflow's decimal string, from 1). */
    public record ModelVersion(String name, String version, String source, String runId, String status) {
    }

    /**
     * {@code registered-models/create}: a registered model {@code name} with a description and tags.
     *
     * @return false if a registered model of that name exists already (it is left as it is)
     */
    public boolean createRegisteredModel(String name, String description, List<KeyValue> tags) {
        ObjectNode body = obj().put("name", name);
        if (description != null) {
            body.put("description", description);
        }
        tags.forEach(t -> body.withArray("tags").addObject().put("key", t.key()).put("value", t.value()));
        String json = body.toString();
        try {
            call("registered-models/create", () -> client.sendPost("registered-models/create", json));
            return true;
        } catch (MlflowHttp.ApiError e) {
            if ("RESOURCE_ALREADY_EXISTS".equals(e.errorCode())) {
                return false;
            }
            throw e;
        }
    }

    /**
     * {@code model-versions/create}: a new version of registered model {@code name} from {@code source} (the model
     * folder's artifact URI) produced by run {@code runId}.
     */
    public ModelVersion createModelVersion(String name, String source, String runId, String description,
            List<KeyValue> tags) {
        ObjectNode body = obj().put("name", name).put("source", source).put("run_id", runId);
        if (description != null) {
            body.put("description", description);
        }
        tags.forEach(t -> body.withArray("tags").addObject().put("key", t.key()).put("value", t.value()));
        String json = body.toString();
        String answer = call("model-versions/create", () -> client.sendPost("model-versions/create", json));
        JsonNode v;
        try {
            v = MlflowHttp.JSON.readTree(answer).path("model_version");
        } catch (IOException e) {
            throw new MlflowHttp.ApiError(200, "BAD_RESPONSE", "model-versions/create: " + e.getMessage());
        }
        if (!v.hasNonNull("version")) {
            throw new MlflowHttp.ApiError(200, "BAD_RESPONSE", "model-versions/create answered no version: "
                    + answer);
        }
        return new ModelVersion(v.path("name").asText(name), v.get("version").asText(), v.path("source").asText(),
                v.path("run_id").asText(), v.path("status").asText());
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
            String pageToken = token;
            RunsPage page = call("runs/search", () -> client.searchRuns(List.of(experimentId), null,
                    Service.ViewType.ACTIVE_ONLY, 1000, List.of(), pageToken));
            page.getItems().forEach(r -> runs.add(toRun(r)));
            token = page.getNextPageToken().orElse("");
        } while (!token.isEmpty());
        return runs;
    }

    static MlflowFileStoreReader.Run toRun(Service.Run run) {
        Service.RunInfo info = run.getInfo();
        Service.RunData data = run.getData();
        Map<String, String> params = new TreeMap<>();
        data.getParamsList().forEach(p -> params.put(p.getKey(), p.getValue()));
        Map<String, String> tags = new TreeMap<>();
        data.getTagsList().forEach(p -> tags.put(p.getKey(), p.getValue()));
        Map<String, List<MlflowFileStoreReader.Metric>> metrics = new TreeMap<>();
        data.getMetricsList().forEach(m -> metrics.put(m.getKey(), List.of(new MlflowFileStoreReader.Metric(
                m.getTimestamp(), m.getValue(), m.getStep()))));
        String status = info.hasStatus() ? info.getStatus().name() : "RUNNING";
        return new MlflowFileStoreReader.Run(info.getRunId().isEmpty() ? info.getRunUuid() : info.getRunId(),
                info.getExperimentId(), info.hasRunName() ? info.getRunName() : tags.get("mlflow.runName"),
                RunStatus.valueOf(status), info.getStartTime(), info.hasEndTime() ? info.getEndTime() : null,
                info.hasLifecycleStage() ? info.getLifecycleStage() : "active", info.getUserId(),
                info.getArtifactUri(), params, tags, metrics, List.of());
    }

    /**
     * Runs one call of MLflow's Java client under {@link MlflowHttp}'s retry policy, mapping its exceptions: HTTP
     * 429 and 5xx and transport failures are retried and end as {@link MlflowHttp.Unavailable}; other HTTP errors
     * are an {@link MlflowHttp.ApiError} at once; an answer the client cannot parse is an {@code ApiError}
     * {@code BAD_RESPONSE}.
     */
    private <T> T call(String what, Supplier<T> request) {
        return http.withRetries(what, () -> {
            try {
                return request.get();
            } catch (MlflowHttpException e) {
                if (MlflowHttp.retryable(e.getStatusCode())) {
                    throw new MlflowHttp.Transient("HTTP " + e.getStatusCode(), null);
                }
                throw MlflowHttp.apiError(what, e.getStatusCode(), e.getBodyMessage());
            } catch (MlflowClientException e) {
                Throwable cause = e.getCause();
                if (cause instanceof IOException && !(cause instanceof InvalidProtocolBufferException)) {
                    throw new MlflowHttp.Transient(cause.getClass().getSimpleName()
                            + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), cause);
                }
                throw new MlflowHttp.ApiError(200, "BAD_RESPONSE", what + ": " + e.getMessage());
            }
        });
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
