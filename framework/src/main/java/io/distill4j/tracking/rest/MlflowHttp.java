package io.distill4j.tracking.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP to one MLflow server: JSON calls to {@code /api/2.0/mlflow/<endpoint>} and raw artifact transfers, with the
 * {@link TrackingAuth} header, timeouts, and retries with exponential backoff on transient failures (connection
 * refused or reset, timeouts, HTTP 429 and 5xx). When the retries are used up it throws {@link Unavailable}; an
 * error the server meant (other 4xx) is an {@link ApiError} and is never retried.
 */
public final class MlflowHttp {
    private static final Logger LOG = LoggerFactory.getLogger(MlflowHttp.class);
    static final ObjectMapper JSON = new ObjectMapper();

    /** How often and how patiently to retry. */
    public record Retry(int attempts, Duration firstDelay, Duration maxDelay) {
        /** 5 attempts, 0.25 s doubling up to 4 s (about 4 s in all before giving up). */
        public static final Retry DEFAULT = new Retry(5, Duration.ofMillis(250), Duration.ofSeconds(4));

        public Retry {
            if (attempts < 1) {
                throw new IllegalArgumentException("attempts must be >= 1");
            }
        }
    }

    /** The server could not be reached or kept failing transiently after every retry. */
    public static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The server answered with an error that retrying does not fix (e.g. 400 INVALID_PARAMETER_VALUE). */
    public static final class ApiError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final String errorCode;

        ApiError(int status, String errorCode, String message) {
            super(message);
            this.status = status;
            this.errorCode = errorCode;
        }

        public int status() {
            return status;
        }

        public String errorCode() {
            return errorCode;
        }
    }

    private final URI base;
    private final TrackingAuth auth;
    private final Retry retry;
    private final HttpClient client;

    /**
     * @param base the server, e.g. {@code http://127.0.0.1:5000} (a path prefix is kept; user info is not allowed)
     */
    public MlflowHttp(URI base, TrackingAuth auth, Retry retry) {
        if (base.getRawUserInfo() != null) {
            throw new IllegalArgumentException("put credentials in MLFLOW_TRACKING_USERNAME/PASSWORD, not the URI");
        }
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.auth = Objects.requireNonNull(auth, "auth");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** The server's base URI (no credentials). */
    public URI base() {
        return base;
    }

    /** POSTs {@code body} as JSON to {@code /api/2.0/mlflow/<endpoint>} and returns the parsed answer. */
    public JsonNode post(String endpoint, JsonNode body) {
        return json(HttpRequest.newBuilder(api(endpoint))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())), "POST " + endpoint);
    }

    /** GETs {@code /api/2.0/mlflow/<endpoint>?query}. */
    public JsonNode get(String endpoint, Map<String, String> query) {
        StringJoiner q = new StringJoiner("&");
        query.forEach((k, v) -> q.add(enc(k) + "=" + enc(v)));
        URI uri = URI.create(api(endpoint) + (query.isEmpty() ? "" : "?" + q));
        return json(HttpRequest.newBuilder(uri).GET(), "GET " + endpoint);
    }

    /** PUTs bytes to the proxied artifact {@code path} ({@code /api/2.0/mlflow-artifacts/artifacts/<path>}). */
    public void putArtifact(String path, byte[] content) {
        send(HttpRequest.newBuilder(artifact(path)).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)), "PUT artifact " + path);
    }

    /** GETs the proxied artifact {@code path}. */
    public byte[] getArtifact(String path) {
        return send(HttpRequest.newBuilder(artifact(path)).timeout(Duration.ofMinutes(5)).GET(),
                "GET artifact " + path).body();
    }

    private URI api(String endpoint) {
        return URI.create(base + "/api/2.0/mlflow/" + endpoint);
    }

    private URI artifact(String path) {
        StringJoiner j = new StringJoiner("/");
        for (String segment : path.split("/")) {
            if (!segment.isEmpty()) {
                j.add(enc(segment).replace("+", "%20"));
            }
        }
        return URI.create(base + "/api/2.0/mlflow-artifacts/artifacts/" + j);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private JsonNode json(HttpRequest.Builder request, String what) {
        byte[] body = send(request.timeout(Duration.ofSeconds(60)), what).body();
        try {
            return body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            throw new ApiError(200, "BAD_RESPONSE", what + ": the server's answer is not JSON: " + e.getMessage());
        }
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request, String what) {
        auth.header().ifPresent(h -> request.header("Authorization", h));
        HttpRequest built = request.build();
        long delay = retry.firstDelay().toMillis();
        String last = null;
        Throwable lastCause = null;
        for (int attempt = 1; attempt <= retry.attempts(); attempt++) {
            if (attempt > 1) {
                sleep(delay);
                delay = Math.min(delay * 2, retry.maxDelay().toMillis());
            }
            try {
                HttpResponse<byte[]> r = client.send(built, HttpResponse.BodyHandlers.ofByteArray());
                int s = r.statusCode();
                if (s / 100 == 2) {
                    return r;
                }
                if (s == 429 || s / 100 == 5) {
                    last = "HTTP " + s;
                    lastCause = null;
                    LOG.debug("{}: {} (attempt {} of {})", what, last, attempt, retry.attempts());
                    continue;
                }
                throw apiError(what, r);
            } catch (IOException e) {
                last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                lastCause = e;
                LOG.debug("{}: {} (attempt {} of {})", what, last, attempt, retry.attempts());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Unavailable(what + ": interrupted", e);
            }
        }
        throw new Unavailable("MLflow server " + base + " unavailable (" + what + ": " + last + " after "
                + retry.attempts() + " attempt(s))", lastCause);
    }

    private static ApiError apiError(String what, HttpResponse<byte[]> r) {
        String text = new String(r.body(), StandardCharsets.UTF_8);
        String code = "HTTP_" + r.statusCode();
        String message = text.length() > 500 ? text.substring(0, 500) + "..." : text;
        try {
            JsonNode n = JSON.readTree(text);
            code = n.path("error_code").asText(code);
            message = n.path("message").asText(message);
        } catch (IOException | RuntimeException ignored) {
            // not JSON: keep the raw text
        }
        return new ApiError(r.statusCode(), code, what + ": " + r.statusCode() + " " + code + ": " + message);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while waiting to retry", e);
        }
    }
}
