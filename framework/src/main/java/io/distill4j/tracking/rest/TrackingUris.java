package io.distill4j.tracking.rest;

import io.distill4j.tracking.MlflowFileStore;
import io.distill4j.tracking.Tracker;

import io.distill4j.Distill4jException;
import io.distill4j.tracking.rest.MlflowHttp;
import io.distill4j.tracking.rest.MlflowRestApi;
import io.distill4j.tracking.rest.MlflowRestTracker;
import io.distill4j.tracking.rest.TrackingAuth;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Which tracking store a study logs to, and opening it. The URI is the first of: {@code --tracking-uri}, the study
 * file's {@code tracking.uri}, the environment variable {@code MLFLOW_TRACKING_URI}, {@code <results>/mlruns}. A
 * folder path or {@code file:} URI is an {@link MlflowFileStore}; {@code http://} or {@code https://} is an
 * {@link MlflowRestTracker} (credentials from {@code MLFLOW_TRACKING_TOKEN} or
 * {@code MLFLOW_TRACKING_USERNAME}/{@code MLFLOW_TRACKING_PASSWORD}) whose offline store is
 * {@code <results>/mlruns-offline}.
 */
public final class TrackingUris {
    private TrackingUris() {
    }

    /** The URI to use; never null. */
    public static String resolve(String cliUri, String studyUri, Map<String, String> env, Path results) {
        if (cliUri != null && !cliUri.isBlank()) {
            return cliUri;
        }
        if (studyUri != null && !studyUri.isBlank()) {
            return studyUri;
        }
        String envUri = env.get("MLFLOW_TRACKING_URI");
        if (envUri != null && !envUri.isBlank()) {
            return envUri;
        }
        return results.resolve("mlruns").toString();
    }

    /** Whether {@code uri} names an MLflow server (http or https). */
    public static boolean isServer(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        return lower.startsWith("http://") || lower.startsWith("https://");
    }

    /** The file store folder of a path or {@code file:} URI. */
    public static Path fileStore(String uri) {
        if (uri.toLowerCase(Locale.ROOT).startsWith("file:")) {
            try {
                return Path.of(URI.create(uri));
            } catch (IllegalArgumentException e) {
                throw new Distill4jException("tracking URI '" + uri + "' is not a valid file: URI (use file:///abs/path"
                        + " or a plain folder path)");
            }
        }
        if (uri.matches("^[A-Za-z][A-Za-z0-9+.-]+:.*") && !uri.matches("^[A-Za-z]:[\\\\/].*")) {
            throw new Distill4jException("tracking URI '" + uri + "' is not supported: use a folder, a file: URI, "
                    + "or http(s)://host:port of an MLflow server");
        }
        return Path.of(uri);
    }

    /** The REST API of a server URI with credentials from {@code env}. */
    public static MlflowRestApi api(String uri, Map<String, String> env, MlflowHttp.Retry retry) {
        URI u;
        try {
            u = URI.create(uri);
        } catch (IllegalArgumentException e) {
            throw new Distill4jException("tracking URI '" + uri + "' is not a valid URI");
        }
        if (u.getRawUserInfo() != null) {
            throw new Distill4jException("tracking URI must not contain credentials; set MLFLOW_TRACKING_USERNAME and "
                    + "MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN) instead");
        }
        return new MlflowRestApi(new MlflowHttp(u, TrackingAuth.fromEnv(env), retry));
    }

    /** Opens the tracker for {@code uri}. */
    public static Tracker open(String uri, Path results, String sourceName, Map<String, String> env) {
        return open(uri, results, sourceName, env, MlflowHttp.Retry.DEFAULT);
    }

    /** Opens the tracker for {@code uri} with a retry policy (tests use short ones). */
    public static Tracker open(String uri, Path results, String sourceName, Map<String, String> env,
            MlflowHttp.Retry retry) {
        if (isServer(uri)) {
            return new MlflowRestTracker(api(uri, env, retry), results.resolve("mlruns-offline"), sourceName);
        }
        return new MlflowFileStore(fileStore(uri), sourceName);
    }
}
