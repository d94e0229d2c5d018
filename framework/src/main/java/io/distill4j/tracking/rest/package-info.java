/**
 * MLflow tracking against a real server over its REST API 2.0: the tracking calls through MLflow's Java client
 * ({@code org.mlflow:mlflow-client}), artifacts through the server's artifact proxy in plain {@code java.net.http}:
 * {@link io.distill4j.tracking.rest.MlflowHttp} (server, credentials, the retry policy, artifact transfers),
 * {@link io.distill4j.tracking.rest.MlflowRestApi} (the calls distill4j uses, batch limits, proxied artifacts),
 * {@link io.distill4j.tracking.rest.MlflowRestTracker} (a {@link io.distill4j.tracking.Tracker} that buffers and
 * falls back to a local file store when the server is unreachable) and {@link io.distill4j.tracking.rest.MlflowSync}
 * (replays such a local store to a server exactly once).
 */
package io.distill4j.tracking.rest;
