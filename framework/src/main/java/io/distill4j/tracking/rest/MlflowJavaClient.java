package io.distill4j.tracking.rest;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.net.URI;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.creds.MlflowHostCreds;
import org.mlflow.tracking.creds.MlflowHostCredsProvider;
import org.mlflow_project.apachehttp.client.config.RequestConfig;
import org.mlflow_project.apachehttp.impl.client.CloseableHttpClient;
import org.mlflow_project.apachehttp.impl.client.HttpClientBuilder;

/**
 * Builds MLflow's Java client ({@code org.mlflow:mlflow-client} 2.17.2) for one server: {@code new
 * MlflowClient(MlflowHostCredsProvider)} with a provider answering {@link TrackingAuth}'s credentials as
 * {@code BasicMlflowHostCreds} (TLS verified), so the client itself sends the {@code Authorization} header.
 *
 * <p>The client retries on its own, and its defaults do not fit: any HTTP error except 429 is re-sent at once up to 3
 * times (a 400 too), a 429 is retried for up to 60 s, and its HTTP connections have no timeouts. It has no public
 * setting for this, so its internal {@code MlflowHttpCaller} is replaced once, by reflection, with one that makes a
 * single attempt (no 429 loop) over an HTTP client with timeouts (connect 5 s, read 60 s) and no automatic retries.
 * Retrying is then {@link MlflowHttp}'s policy alone. If a future client version changes those internals this fails
 * at construction with a clear message, never silently.
 */
final class MlflowJavaClient {
    static final int CONNECT_TIMEOUT_MS = 5_000;
    static final int READ_TIMEOUT_MS = 60_000;

    private MlflowJavaClient() {
    }

    static MlflowClient create(URI base, TrackingAuth auth) {
        String host = base.toString();
        MlflowHostCredsProvider creds = new MlflowHostCredsProvider() {
            @Override
            public MlflowHostCreds getHostCreds() {
                return auth.hostCreds(host);
            }

            @Override
            public void refresh() {
                // static credentials
            }

            @Override
            public String toString() {
                return "MlflowHostCredsProvider[" + host + ", " + auth.describe() + "]";
            }
        };
        MlflowClient client = new MlflowClient(creds);
        RequestConfig timeouts = RequestConfig.custom().setConnectTimeout(CONNECT_TIMEOUT_MS)
                .setConnectionRequestTimeout(READ_TIMEOUT_MS).setSocketTimeout(READ_TIMEOUT_MS).build();
        CloseableHttpClient http = HttpClientBuilder.create().setDefaultRequestConfig(timeouts)
                .disableAutomaticRetries().setMaxConnPerRoute(8).setMaxConnTotal(16).build();
        try {
            Class<?> callerClass = Class.forName("org.mlflow.tracking.MlflowHttpCaller");
            Constructor<?> make = callerClass.getDeclaredConstructor(MlflowHostCredsProvider.class, int.class,
                    int.class, int.class, CloseableHttpClient.class);
            make.setAccessible(true);
            // maxRateLimitIntervalMillis 0 (no 429 loop), rateLimitRetrySleepInitMillis 0, maxRetryAttempts 1
            Object caller = make.newInstance(creds, 0, 0, 1, http);
            Field field = MlflowClient.class.getDeclaredField("httpCaller");
            field.setAccessible(true);
            field.set(client, caller);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot configure MLflow's Java client (org.mlflow:mlflow-client) to "
                    + "leave retries to distill4j; is it the expected version 2.17.2? " + e, e);
        }
        return client;
    }
}
