package io.distill4j.tracking.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * An in-process MLflow tracking server for tests (real HTTP on 127.0.0.1): the REST endpoints distill4j uses and
 * the proxied artifact route, with MLflow's validation rules enforced (400 INVALID_PARAMETER_VALUE): key regex,
 * normalised paths, key length, param value length, param immutability, batch limits, integer timestamps and
 * steps (JSON numbers, or decimal strings as in protobuf's JSON mapping of int64, which MLflow's Java client
 * sends). {@code runs/search} pages with {@code max_results} and {@code page_token}. Records every request's method,
 * endpoint, {@code Authorization} and {@code User-Agent}. Can require an Authorization header and can fail (503)
 * after N requests until {@link #recover()}. With {@link #mlflow3} on, it has MLflow 3's logged-model endpoints,
 * shaped and checked after mlflow/protos/service.proto ({@code CreateLoggedModel}, {@code FinalizeLoggedModel},
 * {@code GetLoggedModel}, {@code LogOutputs}).
 */
final class FakeMlflowServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern KEY = Pattern.compile("^[/\\w.\\- :]*$");

    record Metric(String key, double value, long timestamp, long step) {
    }

    static final class Run {
        String id;
        String experimentId;
        String name;
        String status = "RUNNING";
        long startTime;
        Long endTime;
        String lifecycle = "active";
        final Map<String, String> params = new LinkedHashMap<>();
        final Map<String, String> tags = new LinkedHashMap<>();
        final List<Metric> metrics = new ArrayList<>();
        final List<JsonNode> inputs = new ArrayList<>();
        /** The run's model outputs ({@code runs/outputs}): model id and step. */
        final List<String> outputs = new ArrayList<>();
    }

    /** An MLflow 3 logged model ({@code LoggedModelInfo} of mlflow/protos/service.proto). */
    static final class LoggedModel {
        String id;
        String experimentId;
        String name;
        String modelType;
        String sourceRunId;
        String status = "LOGGED_MODEL_PENDING";
        final Map<String, String> params = new LinkedHashMap<>();

        String artifactUri() {
            return "mlflow-artifacts:/" + experimentId + "/models/" + id + "/artifacts";
        }
    }

    /** A registered model of the Model Registry and its versions (MLflow numbers them 1, 2, ...). */
    static final class RegisteredModel {
        String name;
        String description;
        final Map<String, String> tags = new LinkedHashMap<>();
        final List<ObjectNode> versions = new ArrayList<>();
    }

    final Map<String, RegisteredModel> registeredModels = new ConcurrentHashMap<>();
    final Map<String, String> experiments = new ConcurrentHashMap<>(); // name -> id
    final Map<String, Run> runs = new ConcurrentHashMap<>();
    final Map<String, byte[]> artifacts = new ConcurrentHashMap<>();
    final Map<String, LoggedModel> loggedModels = new ConcurrentHashMap<>();
    /**
     * Whether the server has MLflow 3's logged-model endpoints ({@code logged-models} create/finalize/get and
     * {@code runs/outputs}). Off, it answers them as a real MLflow 2.17.2 server does: HTTP 404 with Flask's HTML
     * "Not Found" page.
     */
    volatile boolean mlflow3;
    final List<String> authHeaders = java.util.Collections.synchronizedList(new ArrayList<>());
    /** Every request as {@code METHOD path User-Agent}. */
    final List<String> requestLog = java.util.Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger requests = new AtomicInteger();
    private volatile int failAfter = Integer.MAX_VALUE;
    private volatile int failStatus = 503;
    /** The most runs one {@code runs/search} page holds (MLflow may answer fewer than {@code max_results}). */
    volatile int pageLimit = Integer.MAX_VALUE;
    private volatile String requiredAuth;
    private final HttpServer server;

    FakeMlflowServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        server.start();
    }

    String uri() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void requireAuth(String header) {
        requiredAuth = header;
    }

    /** Every request after the next {@code n} answers 503. */
    void failAfter(int n) {
        failAfter(n, 503);
    }

    /** Every request after the next {@code n} answers {@code status} (e.g. 429). */
    void failAfter(int n, int status) {
        failStatus = status;
        failAfter = requests.get() + n;
    }

    void recover() {
        failAfter = Integer.MAX_VALUE;
    }

    synchronized List<Run> runsOf(String experimentName) {
        String id = experiments.get(experimentName);
        return runs.values().stream().filter(r -> r.experimentId.equals(id) && r.lifecycle.equals("active")).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    static final class Invalid extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;

        Invalid(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }

    private static Invalid invalid(String message) {
        return new Invalid(400, "INVALID_PARAMETER_VALUE", message);
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            handleOpen(ex);
        } finally {
            ex.close();
        }
    }

    private void handleOpen(HttpExchange ex) throws IOException {
        try {
            int n = requests.incrementAndGet();
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth != null) {
                authHeaders.add(auth);
            }
            requestLog.add(ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath() + " "
                    + ex.getRequestHeaders().getFirst("User-Agent"));
            if (n > failAfter) {
                send(ex, failStatus, ("{\"error_code\":\"" + (failStatus == 429 ? "REQUEST_LIMIT_EXCEEDED"
                        : "TEMPORARILY_UNAVAILABLE") + "\",\"message\":\"down\"}").getBytes());
                return;
            }
            if (requiredAuth != null && !requiredAuth.equals(auth)) {
                send(ex, 401, "{\"error_code\":\"UNAUTHENTICATED\",\"message\":\"no\"}".getBytes());
                return;
            }
            String path = ex.getRequestURI().getRawPath();
            byte[] body = ex.getRequestBody().readAllBytes();
            String artifactPrefix = "/api/2.0/mlflow-artifacts/artifacts/";
            if (path.startsWith(artifactPrefix)) {
                String p = URLDecoder.decode(path.substring(artifactPrefix.length()), StandardCharsets.UTF_8);
                if (ex.getRequestMethod().equals("PUT")) {
                    artifacts.put(p, body);
                    send(ex, 200, "{}".getBytes());
                } else {
                    byte[] a = artifacts.get(p);
                    send(ex, a == null ? 404 : 200, a == null ? "{}".getBytes() : a);
                }
                return;
            }
            String api = "/api/2.0/mlflow/";
            if (!path.startsWith(api)) {
                send(ex, 404, "{\"error_code\":\"ENDPOINT_NOT_FOUND\",\"message\":\"no\"}".getBytes());
                return;
            }
            String endpoint = path.substring(api.length());
            boolean v3 = endpoint.equals("logged-models") || endpoint.startsWith("logged-models/")
                    || endpoint.equals("runs/outputs");
            if (v3 && !mlflow3) {
                ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                byte[] page = ("<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
                        + "<p>The requested URL was not found on the server.</p>\n").getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(404, page.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(page);
                }
                return;
            }
            JsonNode in = ex.getRequestMethod().equals("GET") ? query(ex.getRequestURI())
                    : JSON.readTree(body.length == 0 ? "{}".getBytes() : body);
            JsonNode out;
            synchronized (this) {
                out = v3 ? dispatchV3(ex.getRequestMethod(), endpoint, in) : dispatch(endpoint, in);
            }
            send(ex, 200, out.toString().getBytes(StandardCharsets.UTF_8));
        } catch (Invalid e) {
            ObjectNode err = JSON.createObjectNode().put("error_code", e.code).put("message", e.getMessage());
            send(ex, e.status, err.toString().getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            ObjectNode err = JSON.createObjectNode().put("error_code", "INTERNAL_ERROR").put("message", e.toString());
            send(ex, 500, err.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    private static JsonNode query(URI uri) {
        ObjectNode q = JSON.createObjectNode();
        if (uri.getRawQuery() != null) {
            for (String kv : uri.getRawQuery().split("&")) {
                String[] p = kv.split("=", 2);
                q.put(URLDecoder.decode(p[0], StandardCharsets.UTF_8),
                        p.length > 1 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "");
            }
        }
        return q;
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        }
    }

    private JsonNode dispatch(String endpoint, JsonNode in) {
        ObjectNode out = JSON.createObjectNode();
        switch (endpoint) {
            case "experiments/get-by-name" -> {
                String name = text(in, "experiment_name");
                String id = experiments.get(name);
                if (id == null) {
                    throw new Invalid(404, "RESOURCE_DOES_NOT_EXIST", "Could not find experiment with name '" + name
                            + "'");
                }
                out.putObject("experiment").put("experiment_id", id).put("name", name)
                        .put("lifecycle_stage", "active").put("artifact_location", "mlflow-artifacts:/" + id);
            }
            case "experiments/create" -> {
                String name = text(in, "name");
                if (experiments.containsKey(name)) {
                    throw new Invalid(400, "RESOURCE_ALREADY_EXISTS", "Experiment '" + name + "' already exists.");
                }
                String id = String.valueOf(experiments.size() + 1);
                experiments.put(name, id);
                out.put("experiment_id", id);
            }
            case "runs/create" -> {
                String exp = text(in, "experiment_id");
                if (!experiments.containsValue(exp)) {
                    throw new Invalid(404, "RESOURCE_DOES_NOT_EXIST", "No experiment " + exp);
                }
                Run r = new Run();
                r.id = UUID.randomUUID().toString().replace("-", "");
                r.experimentId = exp;
                r.startTime = integer(in, "start_time");
                for (JsonNode t : in.path("tags")) {
                    setTag(r, t);
                }
                r.name = in.path("run_name").asText(r.tags.getOrDefault("mlflow.runName", "run"));
                r.tags.put("mlflow.runName", r.name);
                r.tags.put("mlflow.user", in.path("user_id").asText(""));
                runs.put(r.id, r);
                out.putObject("run").set("info", info(r));
            }
            case "runs/get" -> out.putObject("run").set("info", info(run(in)));
            case "runs/update" -> {
                Run r = run(in);
                if (in.has("status")) {
                    r.status = text(in, "status");
                }
                if (in.has("end_time")) {
                    r.endTime = integer(in, "end_time");
                }
                if (in.has("run_name")) {
                    r.name = text(in, "run_name");
                    r.tags.put("mlflow.runName", r.name);
                }
                out.set("run_info", info(r));
            }
            case "runs/delete" -> run(in).lifecycle = "deleted";
            case "runs/set-tag" -> setTag(run(in), in);
            case "runs/log-batch" -> logBatch(run(in), in);
            case "runs/log-inputs" -> {
                Run r = run(in);
                for (JsonNode d : in.path("datasets")) {
                    for (String f : List.of("name", "digest", "source_type", "source")) {
                        if (!d.path("dataset").hasNonNull(f)) {
                            throw invalid("dataset field '" + f + "' is required");
                        }
                    }
                    r.inputs.add(d);
                }
            }
            case "runs/search" -> {
                ArrayNode arr = out.putArray("runs");
                List<String> ids = new ArrayList<>();
                in.path("experiment_ids").forEach(i -> ids.add(i.asText()));
                long max = in.has("max_results") ? integer(in, "max_results") : 1000;
                if (max < 1 || max > 50000) {
                    throw invalid("Invalid value for request parameter max_results: " + max);
                }
                int from = in.path("page_token").asText("").isEmpty() ? 0
                        : Integer.parseInt(in.path("page_token").asText());
                List<Run> matching = runs.values().stream().filter(r -> ids.contains(r.experimentId)
                        && r.lifecycle.equals("active")).sorted((a, b) -> a.id.compareTo(b.id)).toList();
                int to = (int) Math.min(matching.size(), from + Math.min(max, pageLimit));
                if (to < matching.size()) {
                    out.put("next_page_token", String.valueOf(to));
                }
                for (Run r : matching.subList(Math.min(from, to), to)) {
                    {
                        ObjectNode o = arr.addObject();
                        o.set("info", info(r));
                        ObjectNode data = o.putObject("data");
                        ArrayNode ms = data.putArray("metrics");
                        Map<String, Metric> latest = new LinkedHashMap<>();
                        r.metrics.forEach(m -> latest.merge(m.key(), m, (a, b) -> b.step() >= a.step() ? b : a));
                        latest.values().forEach(m -> ms.addObject().put("key", m.key()).put("value", m.value())
                                .put("timestamp", m.timestamp()).put("step", m.step()));
                        ArrayNode ps = data.putArray("params");
                        r.params.forEach((k, v) -> ps.addObject().put("key", k).put("value", v));
                        ArrayNode ts = data.putArray("tags");
                        r.tags.forEach((k, v) -> ts.addObject().put("key", k).put("value", v));
                    }
                }
            }
            case "registered-models/create" -> {
                String name = text(in, "name");
                if (name.isEmpty()) {
                    throw invalid("Registered model name cannot be empty.");
                }
                if (registeredModels.containsKey(name)) {
                    throw new Invalid(400, "RESOURCE_ALREADY_EXISTS", "Registered Model (name=" + name
                            + ") already exists.");
                }
                RegisteredModel m = new RegisteredModel();
                m.name = name;
                m.description = in.path("description").asText(null);
                registryTags(in, m.tags);
                registeredModels.put(name, m);
                out.set("registered_model", registeredModel(m));
            }
            case "registered-models/get" -> out.set("registered_model", registeredModel(model(text(in, "name"))));
            case "model-versions/create" -> {
                RegisteredModel m = model(text(in, "name"));
                String source = text(in, "source");
                String runId = in.path("run_id").asText("");
                checkSource(source, runId);
                Map<String, String> tags = new LinkedHashMap<>();
                registryTags(in, tags);
                ObjectNode v = JSON.createObjectNode().put("name", m.name)
                        .put("version", String.valueOf(m.versions.size() + 1))
                        .put("creation_timestamp", System.currentTimeMillis()).put("current_stage", "None")
                        .put("source", source).put("run_id", runId).put("status", "READY");
                if (in.hasNonNull("description")) {
                    v.put("description", in.get("description").asText());
                }
                ArrayNode ts = v.putArray("tags");
                tags.forEach((k, val) -> ts.addObject().put("key", k).put("value", val));
                m.versions.add(v);
                out.set("model_version", v);
            }
            case "model-versions/get" -> {
                RegisteredModel m = model(text(in, "name"));
                String version = text(in, "version");
                out.set("model_version", m.versions.stream().filter(v -> v.get("version").asText().equals(version))
                        .findFirst().orElseThrow(() -> new Invalid(404, "RESOURCE_DOES_NOT_EXIST",
                                "Model Version (name=" + m.name + ", version=" + version + ") not found")));
            }
            default -> throw new Invalid(404, "ENDPOINT_NOT_FOUND", "no endpoint " + endpoint);
        }
        return out;
    }

    /** MLflow 3's logged-model endpoints (mlflow/protos/service.proto). */
    private JsonNode dispatchV3(String method, String endpoint, JsonNode in) {
        ObjectNode out = JSON.createObjectNode();
        if (method.equals("POST") && endpoint.equals("logged-models")) {
            String exp = text(in, "experiment_id");
            if (!experiments.containsValue(exp)) {
                throw new Invalid(404, "RESOURCE_DOES_NOT_EXIST", "No Experiment with id=" + exp + " exists");
            }
            LoggedModel m = new LoggedModel();
            m.id = "m-" + UUID.randomUUID().toString().replace("-", "");
            m.experimentId = exp;
            m.name = in.hasNonNull("name") ? text(in, "name") : "model";
            if (Pattern.compile("[/:.%\"']").matcher(m.name).find()) {
                throw invalid("Invalid model name ('" + m.name + "') provided. Model name must not contain any of the"
                        + " following characters: '/', ':', '.', '%', '\"', \"'\"");
            }
            m.modelType = in.hasNonNull("model_type") ? text(in, "model_type") : null;
            if (in.hasNonNull("source_run_id")) {
                m.sourceRunId = run(JSON.createObjectNode().put("run_id", text(in, "source_run_id"))).id;
            }
            for (JsonNode p : in.path("params")) {
                String k = text(p, "key");
                checkKey("param", k);
                m.params.put(k, text(p, "value"));
            }
            loggedModels.put(m.id, m);
            out.set("model", loggedModel(m));
            return out;
        }
        if (endpoint.equals("runs/outputs") && method.equals("POST")) {
            Run r = run(in);
            if (!in.path("models").isArray()) {
                throw invalid("Missing value for required parameter 'models'");
            }
            List<String> ids = new ArrayList<>();
            for (JsonNode m : in.path("models")) {
                String id = text(m, "model_id");
                integer(m, "step");
                loggedModel(id);
                ids.add(id);
            }
            r.outputs.addAll(ids);
            return out;
        }
        if (endpoint.startsWith("logged-models/") && endpoint.indexOf('/', "logged-models/".length()) < 0) {
            LoggedModel m = loggedModel(URLDecoder.decode(endpoint.substring("logged-models/".length()),
                    StandardCharsets.UTF_8));
            if (method.equals("PATCH")) {
                if (!m.id.equals(text(in, "model_id"))) {
                    throw invalid("model_id in the body differs from the path");
                }
                String status = text(in, "status");
                if (!status.equals("LOGGED_MODEL_READY") && !status.equals("LOGGED_MODEL_UPLOAD_FAILED")) {
                    throw invalid("Invalid status '" + status + "': a model is finalized as LOGGED_MODEL_READY or "
                            + "LOGGED_MODEL_UPLOAD_FAILED");
                }
                m.status = status;
                out.set("model", loggedModel(m));
                return out;
            }
            if (method.equals("GET")) {
                out.set("model", loggedModel(m));
                return out;
            }
        }
        throw new Invalid(404, "ENDPOINT_NOT_FOUND", "no endpoint " + method + " " + endpoint);
    }

    private LoggedModel loggedModel(String id) {
        return found(loggedModels.get(id), "Logged model with ID '" + id + "' not found");
    }

    /** {@code value}, or MLflow's 404 RESOURCE_DOES_NOT_EXIST when there is none. */
    private static <T> T found(T value, String message) {
        if (value == null) {
            throw new Invalid(404, "RESOURCE_DOES_NOT_EXIST", message);
        }
        return value;
    }

    private static ObjectNode loggedModel(LoggedModel m) {
        ObjectNode model = JSON.createObjectNode();
        ObjectNode info = model.putObject("info").put("model_id", m.id).put("experiment_id", m.experimentId)
                .put("name", m.name).put("artifact_uri", m.artifactUri()).put("status", m.status);
        if (m.modelType != null) {
            info.put("model_type", m.modelType);
        }
        if (m.sourceRunId != null) {
            info.put("source_run_id", m.sourceRunId);
        }
        ArrayNode ps = model.putObject("data").putArray("params");
        m.params.forEach((k, v) -> ps.addObject().put("key", k).put("value", v));
        return model;
    }

    private RegisteredModel model(String name) {
        return found(registeredModels.get(name), "Registered Model with name=" + name + " not found");
    }

    private static ObjectNode registeredModel(RegisteredModel m) {
        ObjectNode o = JSON.createObjectNode().put("name", m.name);
        if (m.description != null) {
            o.put("description", m.description);
        }
        ArrayNode ts = o.putArray("tags");
        m.tags.forEach((k, v) -> ts.addObject().put("key", k).put("value", v));
        return o;
    }

    /** MLflow's registry tag rules: tag-name rules, keys of at most 250 and values of at most 5000 characters. */
    private static void registryTags(JsonNode in, Map<String, String> into) {
        for (JsonNode t : in.path("tags")) {
            String key = t.path("key").asText();
            String value = t.path("value").asText(null);
            checkKey("tag", key);
            if (value == null) {
                throw invalid("Tag value cannot be None");
            }
            if (value.length() > 5000) {
                throw invalid("Model version value '" + value.substring(0, 20) + "...' had length "
                        + value.length() + ", which exceeded length limit of 5000");
            }
            into.put(key, value);
        }
    }

    /**
     * MLflow's {@code _validate_source}: a local source ({@code file:} or a plain path) needs a run id and must lie
     * inside that run's artifact folder; any other source must not hold relative path segments.
     */
    private void checkSource(String source, String runId) {
        URI u = URI.create(source.replace(" ", "%20"));
        boolean local = u.getScheme() == null || u.getScheme().equals("file");
        if (local) {
            Run r = runId.isEmpty() ? null : runs.get(runId);
            throw invalid("Invalid model version source: '" + source + "'. To use a local path as a model version "
                    + "source, the run_id request parameter has to be specified and the local path has to be "
                    + "contained within the artifact directory of the run specified by the run_id."
                    + (r == null ? "" : " (this server's runs have mlflow-artifacts: roots)"));
        }
        for (String segment : u.getPath() == null ? new String[0] : u.getPath().split("/")) {
            if (segment.equals("..") || segment.equals(".")) {
                throw invalid("Invalid model version source: '" + source + "'. Relative paths are not allowed.");
            }
        }
    }

    private ObjectNode info(Run r) {
        ObjectNode o = JSON.createObjectNode().put("run_id", r.id).put("run_uuid", r.id)
                .put("experiment_id", r.experimentId).put("run_name", r.name).put("status", r.status)
                .put("start_time", r.startTime).put("lifecycle_stage", r.lifecycle)
                .put("artifact_uri", "mlflow-artifacts:/" + r.experimentId + "/" + r.id + "/artifacts");
        if (r.endTime != null) {
            o.put("end_time", r.endTime);
        }
        return o;
    }

    private Run run(JsonNode in) {
        String id = text(in, "run_id");
        Run r = runs.get(id);
        if (r == null) {
            throw new Invalid(404, "RESOURCE_DOES_NOT_EXIST", "Run '" + id + "' not found");
        }
        return r;
    }

    private static String text(JsonNode in, String field) {
        if (!in.hasNonNull(field) || !in.get(field).isTextual()) {
            throw invalid("Missing value for required parameter '" + field + "'");
        }
        return in.get(field).asText();
    }

    private static long integer(JsonNode in, String field) {
        JsonNode v = in.get(field);
        if (v != null && v.isIntegralNumber()) {
            return v.asLong();
        }
        if (v != null && v.isTextual() && v.asText().matches("-?\\d{1,19}")) {
            return Long.parseLong(v.asText());
        }
        throw invalid("Parameter '" + field + "' must be an integer, got " + v);
    }

    static void checkKey(String kind, String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw invalid("Invalid " + kind + " name: '" + key + "'. Names may only contain alphanumerics, "
                    + "underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).");
        }
        if (key.length() > 250) {
            throw invalid(kind + " name '" + key + "' exceeds 250 characters");
        }
        if (key.isEmpty() || key.startsWith("/") || key.endsWith("/") || key.contains("//")
                || List.of(key.split("/")).stream().anyMatch(s -> s.equals(".") || s.equals(".."))) {
            throw invalid("Invalid " + kind + " name: '" + key + "'. Names must be normalized paths");
        }
    }

    private void setTag(Run r, JsonNode t) {
        String k = text(t, "key");
        checkKey("tag", k);
        String v = text(t, "value");
        if (v.length() > 8000) {
            throw invalid("tag value too long");
        }
        r.tags.put(k, v);
        if (k.equals("mlflow.runName")) {
            r.name = v;
        }
    }

    private void logBatch(Run r, JsonNode in) {
        JsonNode ms = in.path("metrics");
        JsonNode ps = in.path("params");
        JsonNode ts = in.path("tags");
        if (ms.size() > 1000 || ps.size() > 100 || ts.size() > 100 || ms.size() + ps.size() + ts.size() > 1000) {
            throw invalid("A batch logging request can contain at most 1000 metrics, 100 params, 100 tags and 1000"
                    + " items; got " + ms.size() + ", " + ps.size() + ", " + ts.size());
        }
        Map<String, String> newParams = new LinkedHashMap<>();
        for (JsonNode p : ps) {
            String k = text(p, "key");
            checkKey("param", k);
            String v = text(p, "value");
            if (v.length() > 6000) {
                throw invalid("Param value '" + v.substring(0, 20) + "...' had length " + v.length()
                        + ", which exceeded length limit of 6000");
            }
            String old = r.params.containsKey(k) ? r.params.get(k) : newParams.get(k);
            if (old != null && !old.equals(v)) {
                throw invalid("Changing param values is not allowed. Param with key='" + k + "' was already logged "
                        + "with value='" + old + "' for run ID='" + r.id + "'. Attempted logging new value '" + v
                        + "'.");
            }
            newParams.put(k, v);
        }
        List<Metric> newMetrics = new ArrayList<>();
        for (JsonNode m : ms) {
            String k = text(m, "key");
            checkKey("metric", k);
            JsonNode v = m.get("value");
            double value;
            if (v != null && v.isNumber()) {
                value = v.asDouble();
            } else if (v != null && v.isTextual()) {
                value = MlflowRestApi.number(v);
            } else {
                throw invalid("Got invalid value " + v + " for metric '" + k + "'");
            }
            newMetrics.add(new Metric(k, value, integer(m, "timestamp"), integer(m, "step")));
        }
        for (JsonNode t : ts) {
            checkKey("tag", text(t, "key"));
        }
        r.params.putAll(newParams);
        r.metrics.addAll(newMetrics);
        for (JsonNode t : ts) {
            setTag(r, t);
        }
    }
}
