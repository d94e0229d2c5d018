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
import java.util.Objects;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MLflow server: its address, credentials and retry policy, and plain HTTP for what MLflow's Java client cannot
 * do (artifact transfers through the server's artifact proxy; the tracking API goes through the client, see
 * {@link MlflowRestApi}). {@link #withRetries} is the one retry loop for both: transient failures (connection
 * refused or reset, timeouts, HTTP 429 and 5xx) are retried with exponential backoff, and when the retries are used
 * up it throws {@link Unavailable}; an error the server meant (other 4xx) is an {@link ApiError} and is never
 * retried.
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

    TrackingAuth auth() {
        return auth;
    }

    /** PUTs bytes to the proxied artifact {@code path} ({@code /api/2.0/mlflow-artifacts/artifacts/<path>}). */
    public void putArtifact(String path, byte[] content) {
        send(HttpRequest.newBuilder(artifact(path)).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)), "PUT artifact " + path);
    }

    /**
     * Sends a JSON body with {@code method} (e.g. {@code PATCH}, which MLflow's Java client cannot send) to the REST
     * endpoint {@code /api/2.0/mlflow/<endpoint>} and returns the answer's text.
     */
    public String sendJson(String method, String endpoint, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/2.0/mlflow/" + endpoint))
                .timeout(Duration.ofMinutes(1)).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        return new String(send(b, method + " " + endpoint).body(), StandardCharsets.UTF_8);
    }

    /** GETs the proxied artifact {@code path}. */
    public byte[] getArtifact(String path) {
        return send(HttpRequest.newBuilder(artifact(path)).timeout(Duration.ofMinutes(5)).GET(),
                "GET artifact " + path).body();
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

    private HttpResponse<byte[]> send(HttpRequest.Builder request, String what) {
        auth.header().ifPresent(h -> request.header("Authorization", h));
        HttpRequest built = request.build();
        return withRetries(what, () -> {
            HttpResponse<byte[]> r;
            try {
                r = client.send(built, HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                throw new Transient(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": "
                        + e.getMessage()), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Unavailable(what + ": interrupted", e);
            }
            int s = r.statusCode();
            if (s / 100 == 2) {
                return r;
            }
            if (retryable(s)) {
                throw new Transient("HTTP " + s, null);
            }
            throw apiError(what, s, new String(r.body(), StandardCharsets.UTF_8));
        });
    }

    /** One try of a call: returns, throws {@link Transient} to be retried, or throws anything else to stop. */
    @FunctionalInterface
    interface Attempt<T> {
        T run() throws Transient;
    }

    /** A failure that retrying may fix: no connection, a timeout, HTTP 429 or 5xx. */
    static final class Transient extends Exception {
        private static final long serialVersionUID = 1L;

        Transient(String reason, Throwable cause) {
            super(reason, cause, false, false);
        }
    }

    /** Whether an HTTP status is transient (429 and 5xx). */
    static boolean retryable(int status) {
        return status == 429 || status / 100 == 5;
    }

    /**
     * Runs {@code attempt} under this server's {@link Retry} policy: a {@link Transient} failure is retried with
     * exponential backoff and, once the attempts are used up, becomes {@link Unavailable}; anything else (e.g. an
     * {@link ApiError}) passes through at once. The one retry loop for plain HTTP and MLflow's Java client.
     */
    <T> T withRetries(String what, Attempt<T> attempt) {
        long delay = retry.firstDelay().toMillis();
        Transient last = null;
        for (int i = 1; i <= retry.attempts(); i++) {
            if (i > 1) {
                sleep(delay);
                delay = Math.min(delay * 2, retry.maxDelay().toMillis());
            }
            try {
                return attempt.run();
            } catch (Transient e) {
                last = e;
                LOG.debug("{}: {} (attempt {} of {})", what, e.getMessage(), i, retry.attempts());
            }
        }
        throw new Unavailable("MLflow server " + base + " unavailable (" + what + ": " + last.getMessage() + " after "
                + retry.attempts() + " attempt(s))", last.getCause());
    }

    /** An {@link ApiError} from an error answer, with MLflow's {@code error_code} and message when it sent JSON. */
    static ApiError apiError(String what, int status, String text) {
        String body = text == null ? "" : text;
        String code = "HTTP_" + status;
        String message = body.length() > 500 ? body.substring(0, 500) + "..." : body;
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null) {
                code = n.path("error_code").asText(code);
                message = n.path("message").asText(message);
            }
        } catch (IOException | RuntimeException ignored) {
            // not JSON: keep the raw text
        }
        return new ApiError(status, code, what + ": " + status + " " + code + ": " + message);
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
