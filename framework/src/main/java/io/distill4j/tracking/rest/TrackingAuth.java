package io.distill4j.tracking.rest;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Credentials for an MLflow server, as MLflow's own clients read them: {@code MLFLOW_TRACKING_TOKEN} (sent as
 * {@code Authorization: Bearer ...}) or {@code MLFLOW_TRACKING_USERNAME} and {@code MLFLOW_TRACKING_PASSWORD}
 * ({@code Authorization: Basic ...}); the token wins when both are set. The secret never appears in
 * {@link #toString()}, messages, logs, params or tags: only the header is built from it.
 */
public final class TrackingAuth {
    /** No credentials. */
    public static final TrackingAuth NONE = new TrackingAuth(null, "none");

    private final String header;
    private final String kind;

    private TrackingAuth(String header, String kind) {
        this.header = header;
        this.kind = kind;
    }

    /** Credentials from environment variables (pass {@code System.getenv()}). */
    public static TrackingAuth fromEnv(Map<String, String> env) {
        String token = env.get("MLFLOW_TRACKING_TOKEN");
        if (token != null && !token.isEmpty()) {
            return new TrackingAuth("Bearer " + token, "bearer token");
        }
        String user = env.get("MLFLOW_TRACKING_USERNAME");
        String password = env.get("MLFLOW_TRACKING_PASSWORD");
        if (user != null && !user.isEmpty()) {
            return basic(user, password == null ? "" : password);
        }
        return NONE;
    }

    /** HTTP Basic credentials. */
    public static TrackingAuth basic(String user, String password) {
        String pair = user + ":" + password;
        return new TrackingAuth("Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)),
                "basic auth as " + user);
    }

    /** The {@code Authorization} header value, if any. */
    Optional<String> header() {
        return Optional.ofNullable(header);
    }

    /** What kind of credentials these are, without the secret ({@code bearer token}, {@code none}). */
    public String describe() {
        return kind;
    }

    @Override
    public String toString() {
        return "TrackingAuth[" + kind + "]";
    }
}
