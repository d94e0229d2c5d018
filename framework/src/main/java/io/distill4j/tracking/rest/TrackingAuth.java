package io.distill4j.tracking.rest;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;

/**
 * Credentials for an MLflow server, as MLflow's own clients read them: {@code MLFLOW_TRACKING_TOKEN} (sent as
 * {@code Authorization: Bearer ...}) or {@code MLFLOW_TRACKING_USERNAME} and {@code MLFLOW_TRACKING_PASSWORD}
 * ({@code Authorization: Basic ...}); the token wins when both are set. The secret never appears in
 * {@link #toString()}, messages, logs, params or tags: only the header is built from it.
 */
public final class TrackingAuth {
    /** No credentials. */
    public static final TrackingAuth NONE = new TrackingAuth(null, null, null, "none");

    private final String token;
    private final String user;
    private final String password;
    private final String kind;

    private TrackingAuth(String token, String user, String password, String kind) {
        this.token = token;
        this.user = user;
        this.password = password;
        this.kind = kind;
    }

    /** Credentials from environment variables (pass {@code System.getenv()}). */
    public static TrackingAuth fromEnv(Map<String, String> env) {
        String token = env.get("MLFLOW_TRACKING_TOKEN");
        if (token != null && !token.isEmpty()) {
            return new TrackingAuth(token, null, null, "bearer token");
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
        return new TrackingAuth(null, user, password, "basic auth as " + user);
    }

    /** The {@code Authorization} header value, if any. */
    Optional<String> header() {
        if (token != null) {
            return Optional.of("Bearer " + token);
        }
        if (user != null) {
            String pair = user + ":" + password;
            return Optional.of("Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        return Optional.empty();
    }

    /**
     * The same credentials for MLflow's Java client, which builds the {@code Authorization} header from them (a
     * token as {@code Bearer}, else user and password as {@code Basic}); TLS certificates are always verified.
     */
    BasicMlflowHostCreds hostCreds(String host) {
        return new BasicMlflowHostCreds(host, token == null ? user : null, token == null ? password : null, token,
                false);
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
