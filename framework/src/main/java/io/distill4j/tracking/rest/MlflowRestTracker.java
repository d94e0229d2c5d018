package io.distill4j.tracking.rest;

import io.distill4j.tracking.DatasetInput;
import io.distill4j.tracking.MlflowFileStore;
import io.distill4j.tracking.MlflowKeys;
import io.distill4j.tracking.RunKeys;
import io.distill4j.tracking.RunStatus;
import io.distill4j.tracking.TrackedRun;
import io.distill4j.tracking.Tracker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Tracker} logging to an MLflow server over REST, with an offline fallback.
 *
 * <p><b>Buffering.</b> Params, tags and metrics are buffered per run and sent with {@code runs/log-batch} (within
 * MLflow's limits) when a buffer reaches {@value MlflowRestApi#MAX_METRICS} items, on {@link TrackedRun#flush()}
 * (every epoch end), before an artifact, and when the run ends. Params are checked locally: re-logging a param with
 * another value throws, as the file store does. Keys go through {@link RunKeys} (valid and collision-free).
 *
 * <p><b>Offline.</b> When the server cannot be reached (after {@link MlflowHttp}'s retries), the tracker switches
 * for good, once, with one warning, to a local {@link MlflowFileStore} ({@code offlineRoot}):
 * <ul>
 *   <li>at start (the experiment lookup fails): every run of the study is written there;</li>
 *   <li>mid-study: runs started afterwards are written there; a run already created on the server gets a local
 *       <em>continuation</em> run (same name, parent and tags, plus the tag {@value #REMOTE_RUN_TAG} = the
 *       server's run id) that receives everything not yet sent, including its end status. Children started
 *       offline point at their parent's continuation.</li>
 * </ul>
 * {@link MlflowSync} replays the local store later: new runs are created, continuations complete their server
 * run. The study itself never fails because the server is gone.
 */
public final class MlflowRestTracker implements Tracker {
    /** Tag of a local continuation run: the id of the server run it continues. */
    public static final String REMOTE_RUN_TAG = "distill4j.remote_run_id";
    private static final Logger LOG = LoggerFactory.getLogger(MlflowRestTracker.class);

    private final MlflowRestApi api;
    private final Path offlineRoot;
    private final String sourceName;
    private final String user;
    private final LongSupplier clock;
    private final Object modeLock = new Object();
    private volatile MlflowFileStore offline;
    private final Map<String, String> remoteExperimentNames = new ConcurrentHashMap<>();
    private final Map<String, RestRun> remoteRuns = new ConcurrentHashMap<>();
    private final Set<RestRun> open = ConcurrentHashMap.newKeySet();
    private volatile boolean artifactWarning;
    /** Whether the server has MLflow 3's logged-model entities: null until the first model asks. */
    private volatile Boolean loggedModels;

    public MlflowRestTracker(MlflowRestApi api, Path offlineRoot, String sourceName) {
        this(api, offlineRoot, sourceName, System.getProperty("user.name", "unknown"), System::currentTimeMillis);
    }

    MlflowRestTracker(MlflowRestApi api, Path offlineRoot, String sourceName, String user, LongSupplier clock) {
        this.api = Objects.requireNonNull(api, "api");
        this.offlineRoot = offlineRoot.toAbsolutePath().normalize();
        this.sourceName = sourceName;
        this.user = user;
        this.clock = clock;
    }

    /** The local store, if the tracker had to go offline. */
    public Optional<Path> offlineStore() {
        return offline == null ? Optional.empty() : Optional.of(offlineRoot);
    }

    /** The server. */
    public String server() {
        return api.http().base().toString();
    }

    private MlflowFileStore goOffline(RuntimeException cause) {
        synchronized (modeLock) {
            if (offline == null) {
                offline = new MlflowFileStore(offlineRoot, sourceName);
                LOG.warn("{}; tracking goes on in the local store {} (replay it later with: distill4j mlflow sync {}"
                        + " --to {})", cause.getMessage(), offlineRoot, offlineRoot, server());
            }
            return offline;
        }
    }

    private boolean isOffline() {
        return offline != null;
    }

    @Override
    public String experimentId(String name) {
        if (!isOffline()) {
            try {
                String id = api.experimentId(name);
                remoteExperimentNames.put(id, name);
                return id;
            } catch (MlflowHttp.Unavailable e) {
                goOffline(e);
            }
        }
        return offline.experimentId(name);
    }

    private String localExperiment(String experimentId) {
        String name = remoteExperimentNames.get(experimentId);
        return name == null ? experimentId : offline.experimentId(name);
    }

    @Override
    public TrackedRun startRun(String experimentId, String runName, String parentRunIdOrNull,
            Map<String, String> tags) {
        RunKeys tagKeys = new RunKeys();
        Map<String, String> allTags = new LinkedHashMap<>();
        if (tags != null) {
            tags.forEach((k, v) -> allTags.put(tagKeys.key(k), Objects.requireNonNull(v, k)));
        }
        String name = runName != null ? runName : allTags.get("mlflow.runName");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("run name must not be blank");
        }
        allTags.put("mlflow.runName", name);
        allTags.putIfAbsent("mlflow.user", user);
        allTags.putIfAbsent("mlflow.source.type", "LOCAL");
        allTags.putIfAbsent("mlflow.source.name", sourceName);
        RestRun parent = parentRunIdOrNull == null ? null : remoteRuns.get(parentRunIdOrNull);
        if (!isOffline() && (parentRunIdOrNull == null || parent != null)) {
            try {
                List<MlflowRestApi.KeyValue> createTags = new ArrayList<>();
                createTags.add(new MlflowRestApi.KeyValue("mlflow.runName", name));
                if (parentRunIdOrNull != null) {
                    createTags.add(new MlflowRestApi.KeyValue("mlflow.parentRunId", parentRunIdOrNull));
                }
                long start = clock.getAsLong();
                MlflowRestApi.CreatedRun created = api.createRun(experimentId, name, start, user, createTags);
                RestRun run = new RestRun(created, experimentId, name, parent, allTags, tagKeys);
                remoteRuns.put(created.runId(), run);
                open.add(run);
                return run;
            } catch (MlflowHttp.Unavailable e) {
                goOffline(e);
            }
        }
        String localParent = parentRunIdOrNull;
        if (parent != null) {
            localParent = parent.continuation().runId();
        }
        if (!isOffline()) {
            goOffline(new MlflowHttp.Unavailable("parent run " + parentRunIdOrNull + " is not on the server", null));
        }
        return offline.startRun(localExperiment(experimentId), name, localParent, allTags);
    }

    /**
     * Ends an interrupted run on the server ({@code runs/update} and a tag), or in the offline store when the run was
     * created there; a server that cannot be reached leaves it for a later resume.
     */
    @Override
    public boolean endInterrupted(String experimentId, String runId, RunStatus status, String reason) {
        if (offline != null && offline.endInterrupted(localExperiment(experimentId), runId, status, reason)) {
            return true;
        }
        if (isOffline()) {
            return false;
        }
        try {
            List<String> toEnd = new ArrayList<>();
            if (api.runStatus(runId).filter(s -> s == RunStatus.RUNNING).isPresent()) {
                toEnd.add(runId);
            }
            for (var child : api.searchRuns(experimentId)) {
                if (child.status() == RunStatus.RUNNING && runId.equals(child.tags().get("mlflow.parentRunId"))) {
                    toEnd.add(child.runId());
                }
            }
            for (String id : toEnd) {
                api.logBatch(id, List.of(), List.of(new MlflowRestApi.KeyValue("distill4j.error", reason)),
                        List.of(), null);
                api.endRun(id, status, System.currentTimeMillis());
            }
            return !toEnd.isEmpty();
        } catch (MlflowHttp.Unavailable e) {
            goOffline(e);
            return false;
        }
    }

    /**
     * Logs to a run on the server (or, once this tracker has gone offline or was started offline, in its offline
     * store). Fails with {@link MlflowHttp.Unavailable} when the server cannot be reached.
     */
    @Override
    public void appendToRun(String experimentId, String runId, Map<String, Double> metrics, Map<String, String> tags,
            Map<String, byte[]> artifacts) {
        if (isOffline()) {
            offline.appendToRun(experimentId, runId, metrics, tags, artifacts);
            return;
        }
        if (api.runStatus(runId).isEmpty()) {
            throw new IllegalArgumentException("no run " + runId + " on " + server());
        }
        long now = clock.getAsLong();
        List<MlflowRestApi.MetricPoint> points = new ArrayList<>();
        metrics.forEach((k, v) -> points.add(new MlflowRestApi.MetricPoint(MlflowKeys.sanitise(k), v, now, 0)));
        List<MlflowRestApi.KeyValue> kvs = new ArrayList<>();
        tags.forEach((k, v) -> kvs.add(new MlflowRestApi.KeyValue(MlflowKeys.sanitise(k), v)));
        api.logBatch(runId, List.of(), kvs, points, null);
        if (!artifacts.isEmpty()) {
            String root = api.artifactUri(runId);
            artifacts.forEach((path, content) -> api.uploadArtifact(root, path, content, null));
        }
    }

    @Override
    public void close() {
        for (RestRun run : new ArrayList<>(open)) {
            run.endIfRunning(RunStatus.KILLED);
        }
        if (offline != null) {
            offline.close();
        }
    }

    /** A run on the server; continues in the local store if the server goes away. */
    final class RestRun implements TrackedRun {
        private final String runId;
        private final String artifactUri;
        private final String experimentId;
        private final String name;
        private final RestRun parent;
        private final Map<String, String> initialTags;
        private final RunKeys paramKeys = new RunKeys();
        private final RunKeys tagKeys;
        private final RunKeys metricKeys = new RunKeys();
        private final Map<String, String> params = new HashMap<>();
        private final List<MlflowRestApi.KeyValue> pendingParams = new ArrayList<>();
        private final Map<String, String> pendingTags = new LinkedHashMap<>();
        private final List<MlflowRestApi.MetricPoint> pendingMetrics = new ArrayList<>();
        private TrackedRun continuation;
        private RunStatus status = RunStatus.RUNNING;

        RestRun(MlflowRestApi.CreatedRun created, String experimentId, String name, RestRun parent,
                Map<String, String> tags, RunKeys tagKeys) {
            this.runId = created.runId();
            this.artifactUri = created.artifactUri();
            this.experimentId = experimentId;
            this.name = name;
            this.parent = parent;
            this.initialTags = new LinkedHashMap<>(tags);
            this.tagKeys = tagKeys;
            pendingTags.putAll(tags);
            pendingTags.remove("mlflow.runName");
        }

        @Override
        public String runId() {
            return runId;
        }

        /** The local continuation of this run (created on first use, after the tracker went offline). */
        synchronized TrackedRun continuation() {
            if (continuation == null) {
                MlflowFileStore store = offline != null ? offline : goOffline(
                        new MlflowHttp.Unavailable("MLflow server " + server() + " unavailable", null));
                Map<String, String> tags = new LinkedHashMap<>(initialTags);
                tags.put(REMOTE_RUN_TAG, runId);
                tags.remove("mlflow.parentRunId");
                String localParent = parent == null ? null : parent.continuation().runId();
                continuation = store.startRun(localExperiment(experimentId), name, localParent, tags);
                // what was not sent yet goes to the continuation
                pendingParams.forEach(kv -> continuation.logParam(kv.key(), kv.value()));
                pendingTags.forEach(continuation::setTag);
                pendingMetrics.forEach(m -> continuation.logMetric(m.key(), m.value(), m.step(), m.timestamp()));
                pendingParams.clear();
                pendingTags.clear();
                pendingMetrics.clear();
            }
            return continuation;
        }

        private boolean local() {
            return continuation != null || isOffline();
        }

        private void checkRunning() {
            if (status.isTerminal()) {
                throw new IllegalStateException("run " + runId + " (" + name + ") has ended with status " + status
                        + "; nothing more can be logged to it");
            }
        }

        @Override
        public synchronized void logParam(String key, String value) {
            checkRunning();
            String k = paramKeys.key(key);
            MlflowKeys.checkParamValue(k, value);
            String old = params.get(k);
            if (old != null) {
                if (!old.equals(value)) {
                    throw new IllegalStateException("param '" + k + "' of run " + runId + " was logged as '" + old
                            + "'; it cannot change to '" + value + "'");
                }
                return;
            }
            params.put(k, value);
            if (local()) {
                continuation().logParam(k, value);
            } else {
                pendingParams.add(new MlflowRestApi.KeyValue(k, value));
                maybeFlush();
            }
        }

        @Override
        public synchronized void logParams(Map<String, String> values) {
            checkRunning();
            Map<String, String> checked = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : values.entrySet()) {
                String k = paramKeys.key(e.getKey());
                MlflowKeys.checkParamValue(k, e.getValue());
                String old = params.containsKey(k) ? params.get(k) : checked.get(k);
                if (old != null && !old.equals(e.getValue())) {
                    throw new IllegalStateException("param '" + k + "' of run " + runId + " was logged as '" + old
                            + "'; it cannot change to '" + e.getValue() + "'");
                }
                checked.put(k, e.getValue());
            }
            checked.forEach(this::logParam);
        }

        @Override
        public synchronized void setTag(String key, String value) {
            checkRunning();
            String k = tagKeys.key(key);
            Objects.requireNonNull(value, () -> "tag '" + k + "' has a null value");
            if (local()) {
                continuation().setTag(k, value);
            } else {
                pendingTags.remove(k);
                pendingTags.put(k, value);
                maybeFlush();
            }
        }

        @Override
        public void logMetric(String key, double value, long step) {
            logMetric(key, value, step, clock.getAsLong());
        }

        @Override
        public synchronized void logMetric(String key, double value, long step, long timestampMillis) {
            checkRunning();
            String k = metricKeys.key(key);
            if (local()) {
                continuation().logMetric(k, value, step, timestampMillis);
            } else {
                pendingMetrics.add(new MlflowRestApi.MetricPoint(k, value, timestampMillis, step));
                maybeFlush();
            }
        }

        private void maybeFlush() {
            if (pendingMetrics.size() >= MlflowRestApi.MAX_METRICS || pendingParams.size() >= MlflowRestApi.MAX_PARAMS
                    || pendingTags.size() >= MlflowRestApi.MAX_TAGS) {
                flush();
            }
        }

        @Override
        public synchronized void flush() {
            if (local()) {
                continuation(); // moves anything pending
                return;
            }
            if (pendingParams.isEmpty() && pendingTags.isEmpty() && pendingMetrics.isEmpty()) {
                return;
            }
            List<MlflowRestApi.KeyValue> tags = new ArrayList<>();
            pendingTags.forEach((k, v) -> tags.add(new MlflowRestApi.KeyValue(k, v)));
            List<MlflowRestApi.KeyValue> ps = new ArrayList<>(pendingParams);
            List<MlflowRestApi.MetricPoint> ms = new ArrayList<>(pendingMetrics);
            try {
                api.logBatch(runId, ps, tags, ms, (np, nt, nm) -> {
                    pendingParams.subList(0, np).clear();
                    for (int i = 0; i < nt; i++) {
                        pendingTags.remove(pendingTags.keySet().iterator().next());
                    }
                    pendingMetrics.subList(0, nm).clear();
                });
            } catch (MlflowHttp.Unavailable e) {
                goOffline(e);
                continuation();
            }
        }

        @Override
        public synchronized void logDataset(DatasetInput dataset) {
            checkRunning();
            if (!local()) {
                try {
                    api.logInputs(runId, dataset);
                    return;
                } catch (MlflowHttp.Unavailable e) {
                    goOffline(e);
                }
            }
            continuation().logDataset(dataset);
        }

        @Override
        public synchronized void logArtifact(String relativePath, byte[] content) {
            checkRunning();
            Objects.requireNonNull(content, "content");
            artifact(relativePath, content, null);
        }

        @Override
        public synchronized void logArtifact(String relativePath, Path file) {
            checkRunning();
            if (!java.nio.file.Files.isRegularFile(file)) {
                throw new IllegalArgumentException("artifact source " + file + " is not a regular file");
            }
            artifact(relativePath, null, file);
        }

        private void artifact(String relativePath, byte[] content, Path file) {
            MlflowKeys.checkArtifactPath(relativePath);
            if (!local()) {
                try {
                    api.uploadArtifact(artifactUri, relativePath, content, file);
                    return;
                } catch (MlflowHttp.Unavailable e) {
                    goOffline(e);
                } catch (UnsupportedOperationException e) {
                    if (!artifactWarning) {
                        artifactWarning = true;
                        LOG.warn("artifacts are not stored: {}", e.getMessage());
                    }
                    return;
                }
            }
            if (content != null) {
                continuation().logArtifact(relativePath, content);
            } else {
                continuation().logArtifact(relativePath, file);
            }
        }

        /**
         * Creates the logged-model entity on an MLflow 3 server (feature detection: the first model asks, and a
         * server without the endpoint, as MLflow 2.x, is not asked again). Offline, or on a 2.x server: empty.
         */
        @Override
        public synchronized Optional<LoggedModelUpload> startLoggedModel(String modelName, String modelType,
                Map<String, String> modelParams) {
            checkRunning();
            if (local() || Boolean.FALSE.equals(loggedModels)) {
                return Optional.empty();
            }
            List<MlflowRestApi.KeyValue> ps = new ArrayList<>();
            modelParams.forEach((k, v) -> ps.add(new MlflowRestApi.KeyValue(k, v)));
            try {
                Optional<MlflowRestApi.LoggedModel> m = api.createLoggedModel(experimentId, modelName, modelType,
                        runId, ps);
                if (m.isEmpty() && loggedModels == null) {
                    LOG.info("MLflow server {} has no logged-model entities (an MLflow 2.x server): models are "
                            + "logged as folders of their run's artifacts only", server());
                }
                loggedModels = m.isPresent();
                return m.map(RestLoggedModel::new);
            } catch (MlflowHttp.Unavailable e) {
                goOffline(e);
                return Optional.empty();
            }
        }

        /** A logged model on the server whose files are being uploaded to its own artifact location. */
        private final class RestLoggedModel implements LoggedModelUpload {
            private final MlflowRestApi.LoggedModel model;
            private boolean broken;

            RestLoggedModel(MlflowRestApi.LoggedModel model) {
                this.model = model;
            }

            @Override
            public String modelId() {
                return model.modelId();
            }

            @Override
            public void logArtifact(String relativePath, byte[] content) {
                upload(relativePath, Objects.requireNonNull(content, "content"), null);
            }

            @Override
            public void logArtifact(String relativePath, Path file) {
                upload(relativePath, null, file);
            }

            private void upload(String relativePath, byte[] content, Path file) {
                synchronized (RestRun.this) {
                    if (broken || local()) {
                        broken = true;
                        return;
                    }
                    try {
                        api.uploadArtifact(model.artifactUri(), relativePath, content, file);
                    } catch (MlflowHttp.Unavailable e) {
                        broken = true;
                        goOffline(e);
                    } catch (UnsupportedOperationException e) {
                        broken = true;
                        LOG.warn("the files of logged model {} are not stored: {}", model.modelId(), e.getMessage());
                    }
                }
            }

            @Override
            public void finish(boolean ok) {
                synchronized (RestRun.this) {
                    if (local()) {
                        return;
                    }
                    try {
                        boolean ready = ok && !broken;
                        api.finalizeLoggedModel(model.modelId(), ready);
                        if (ready) {
                            api.logOutputs(runId, model.modelId(), 0);
                        }
                    } catch (MlflowHttp.Unavailable e) {
                        goOffline(e);
                    }
                }
            }
        }

        @Override
        public synchronized void end(RunStatus endStatus) {
            Objects.requireNonNull(endStatus, "status");
            if (!endStatus.isTerminal()) {
                throw new IllegalArgumentException("a run ends as FINISHED, FAILED or KILLED, not " + endStatus);
            }
            checkRunning();
            flush();
            if (!local()) {
                try {
                    api.endRun(runId, endStatus, clock.getAsLong());
                } catch (MlflowHttp.Unavailable e) {
                    goOffline(e);
                }
            }
            if (local()) {
                continuation().end(endStatus);
            }
            status = endStatus;
            open.remove(this);
        }

        synchronized void endIfRunning(RunStatus s) {
            if (!status.isTerminal()) {
                end(s);
            }
        }
    }
}
