package io.distill4j.tracking;

import io.distill4j.Distill4jException;
import io.distill4j.config.Secrets;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * A {@link Tracker} writing MLflow 2.17's file-store layout under a root folder, readable by
 * {@code mlflow ui --backend-store-uri <root>}:
 *
 * <pre>
 * root/.trash/
 * root/&lt;experiment_id&gt;/meta.yaml
 * root/&lt;experiment_id&gt;/&lt;run_id&gt;/meta.yaml
 * root/&lt;experiment_id&gt;/&lt;run_id&gt;/params/&lt;key&gt;     raw value, no newline
 * root/&lt;experiment_id&gt;/&lt;run_id&gt;/tags/&lt;key&gt;       raw value, no newline
 * root/&lt;experiment_id&gt;/&lt;run_id&gt;/metrics/&lt;key&gt;    lines "&lt;timestamp_ms&gt; &lt;value&gt; &lt;step&gt;"
 * root/&lt;experiment_id&gt;/&lt;run_id&gt;/artifacts/...
 * </pre>
 *
 * <p>As MLflow does, a root without experiments gets experiment {@code 0} named {@code Default}; new experiments
 * get random 18-digit numeric ids; run ids are UUIDs without dashes; {@code meta.yaml} files are replaced
 * atomically. Each run records the tags {@code mlflow.runName}, {@code mlflow.user}, {@code mlflow.source.type}
 * ({@code LOCAL}), {@code mlflow.source.name} and, for child runs, {@code mlflow.parentRunId}.
 *
 * <p>Thread-safe within one JVM: runs may be logged to from several threads at once. Several processes writing
 * the same root are not coordinated (two may create experiments with the same name).
 */
public final class MlflowFileStore implements Tracker {

    /** Id of the experiment MLflow creates in every store. */
    public static final String DEFAULT_EXPERIMENT_ID = "0";
    /** Name of the experiment MLflow creates in every store. */
    public static final String DEFAULT_EXPERIMENT_NAME = "Default";

    static final String TRASH = ".trash";
    private static final Pattern RUN_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern EXPERIMENT_ID = Pattern.compile("[0-9]+");

    private final Path root;
    private final String sourceName;
    private final String user;
    private final LongSupplier clock;
    private final Object experimentLock = new Object();
    private final Set<Run> openRuns = ConcurrentHashMap.newKeySet();

    /** A store at {@code root} recording {@code distill4j} as the runs' source name. */
    public MlflowFileStore(Path root) {
        this(root, "distill4j");
    }

    /**
     * A store at {@code root} (created if missing).
     *
     * @param sourceName value of the {@code mlflow.source.name} tag of every run (e.g. the study file)
     */
    public MlflowFileStore(Path root, String sourceName) {
        this(root, sourceName, System.getProperty("user.name", "unknown"), System::currentTimeMillis);
    }

    MlflowFileStore(Path root, String sourceName, String user, LongSupplier clock) {
        this.root = root.toAbsolutePath().normalize();
        this.sourceName = Objects.requireNonNull(sourceName, "sourceName");
        this.user = Objects.requireNonNull(user, "user");
        this.clock = Objects.requireNonNull(clock, "clock");
        try {
            if (Files.exists(this.root) && !Files.isDirectory(this.root)) {
                throw new Distill4jException("MLflow store " + this.root + " exists and is not a folder");
            }
            Files.createDirectories(this.root);
            synchronized (experimentLock) {
                if (MlflowFileStoreReader.experimentDirs(this.root).isEmpty()) {
                    writeExperiment(DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME);
                }
            }
            Files.createDirectories(this.root.resolve(TRASH));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create MLflow store " + this.root, e);
        }
    }

    /** The store's root folder (absolute). */
    public Path root() {
        return root;
    }

    @Override
    public String experimentId(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("experiment name must not be blank");
        }
        // the lock file keeps processes sharing the store (shards of a study) from creating the experiment twice;
        // a store where it cannot be written (read-only) goes on without it, and fails where it must write
        synchronized (experimentLock) {
            java.nio.channels.FileChannel ch;
            try {
                ch = java.nio.channels.FileChannel.open(root.resolve(EXPERIMENTS_LOCK),
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
            } catch (IOException e) {
                return experimentIdLocked(name);
            }
            try (ch; java.nio.channels.FileLock held = ch.lock()) {
                return experimentIdLocked(name);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot lock " + root.resolve(EXPERIMENTS_LOCK) + ": " + e.getMessage(),
                        e);
            }
        }
    }

    /** The file (in the store's root) locked while an experiment is looked up or created. */
    static final String EXPERIMENTS_LOCK = ".distill4j-experiments.lock";

    private String experimentIdLocked(String name) {
        MlflowFileStoreReader reader = new MlflowFileStoreReader(root);
        for (MlflowFileStoreReader.Experiment e : reader.experiments()) {
            if (e.name().equals(name)) {
                return e.experimentId();
            }
        }
        for (MlflowFileStoreReader.Experiment e : reader.deletedExperiments()) {
            if (e.name().equals(name)) {
                throw new Distill4jException("MLflow experiment '" + name + "' (id " + e.experimentId()
                        + ") is deleted; restore it or remove it from " + root.resolve(TRASH));
            }
        }
        String id;
        do {
            id = newExperimentId();
        } while (Files.exists(root.resolve(id)) || Files.exists(root.resolve(TRASH).resolve(id)));
        writeExperiment(id, name);
        return id;
    }

    private static String newExperimentId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        StringBuilder sb = new StringBuilder(18).append((char) ('1' + r.nextInt(9)));
        for (int i = 1; i < 18; i++) {
            sb.append((char) ('0' + r.nextInt(10)));
        }
        return sb.toString();
    }

    private void writeExperiment(String id, String name) {
        long now = clock.getAsLong();
        Map<String, Object> meta = new HashMap<>();
        meta.put("artifact_location", MetaYaml.fileUri(root.resolve(id)));
        meta.put("creation_time", now);
        meta.put("experiment_id", id);
        meta.put("last_update_time", now);
        meta.put("lifecycle_stage", "active");
        meta.put("name", name);
        MetaYaml.write(root.resolve(id), meta);
    }

    @Override
    public TrackedRun startRun(String experimentId, String runName, String parentRunIdOrNull,
            Map<String, String> tags) {
        Path experimentDir = activeExperimentDir(experimentId);
        Map<String, String> allTags = new LinkedHashMap<>();
        if (tags != null) {
            tags.forEach((k, v) -> allTags.put(MlflowKeys.sanitise(k), Objects.requireNonNull(v, k)));
        }
        String tagName = allTags.get(Run.RUN_NAME_TAG);
        if (runName != null && tagName != null && !runName.equals(tagName)) {
            throw new IllegalArgumentException("run name '" + runName + "' and tag mlflow.runName '" + tagName
                    + "' differ");
        }
        String runId = UUID.randomUUID().toString().replace("-", "");
        String name = runName != null ? runName : tagName != null ? tagName : "run-" + runId.substring(0, 8);
        if (name.isBlank()) {
            throw new IllegalArgumentException("run name must not be blank");
        }
        allTags.put(Run.RUN_NAME_TAG, name);
        if (parentRunIdOrNull != null) {
            if (!RUN_ID.matcher(parentRunIdOrNull).matches()
                    || !Files.isRegularFile(experimentDir.resolve(parentRunIdOrNull).resolve("meta.yaml"))) {
                throw new IllegalArgumentException("parent run '" + parentRunIdOrNull
                        + "' does not exist in experiment " + experimentId);
            }
            String tagParent = allTags.get(Run.PARENT_TAG);
            if (tagParent != null && !tagParent.equals(parentRunIdOrNull)) {
                throw new IllegalArgumentException("parent run '" + parentRunIdOrNull
                        + "' and tag mlflow.parentRunId '" + tagParent + "' differ");
            }
            allTags.put(Run.PARENT_TAG, parentRunIdOrNull);
        }
        allTags.putIfAbsent("mlflow.user", user);
        allTags.putIfAbsent("mlflow.source.type", "LOCAL");
        allTags.putIfAbsent("mlflow.source.name", sourceName);

        Path runDir = experimentDir.resolve(runId);
        String artifactUri = MetaYaml.fileUri(root.resolve(experimentId)) + "/" + runId + "/artifacts";
        Run run = new Run(this, experimentId, runId, runDir, artifactUri, name, clock.getAsLong());
        // meta.yaml last: a run is visible (to MLflow and to endInterrupted) only with all its tags in place, so a
        // process killed here never leaves a RUNNING run without its parent link
        try {
            Files.createDirectories(runDir);
            Files.createDirectories(runDir.resolve("metrics"));
            Files.createDirectories(runDir.resolve("params"));
            Files.createDirectories(runDir.resolve("artifacts"));
            Files.createDirectories(runDir.resolve("tags"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run folder " + runDir, e);
        }
        allTags.forEach(run::writeTag);
        run.writeMeta(true);
        openRuns.add(run);
        return run;
    }

    private Path activeExperimentDir(String experimentId) {
        if (experimentId == null || !EXPERIMENT_ID.matcher(experimentId).matches()) {
            throw new IllegalArgumentException("'" + experimentId + "' is not an MLflow experiment id");
        }
        Path dir = root.resolve(experimentId);
        if (!Files.isRegularFile(dir.resolve("meta.yaml"))) {
            throw new IllegalArgumentException("MLflow experiment " + experimentId + " does not exist in " + root);
        }
        return dir;
    }

    void ended(Run run) {
        openRuns.remove(run);
    }

    @Override
    public boolean endInterrupted(String experimentId, String runId, RunStatus status, String reason) {
        if (!status.isTerminal()) {
            throw new IllegalArgumentException("a run ends as FINISHED, FAILED or KILLED, not " + status);
        }
        if (!MlflowFileStoreReader.isPlainId(experimentId) || !MlflowFileStoreReader.isPlainId(runId)) {
            return false;
        }
        Path experiment = root.resolve(experimentId);
        synchronized (experimentLock) {
            boolean ended = endIfRunning(experiment.resolve(runId), status, reason);
            // children the interrupted process opened, including any it never got to record anywhere
            for (Path child : MlflowFileStoreReader.subdirs(experiment)) {
                Path parentTag = child.resolve("tags").resolve(Run.PARENT_TAG);
                try {
                    if (Files.isRegularFile(parentTag) && Files.readString(parentTag).equals(runId)) {
                        ended |= endIfRunning(child, status, reason);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + parentTag, e);
                }
            }
            return ended;
        }
    }

    /** Ends a stored run if its meta.yaml says RUNNING. */
    private boolean endIfRunning(Path dir, RunStatus status, String reason) {
        Path meta = dir.resolve("meta.yaml");
        if (!Files.isRegularFile(meta)) {
            return false;
        }
        Map<String, Object> fields = new HashMap<>(MlflowFileStoreReader.readMeta(meta));
        Object code = fields.get("status");
        if (!(code instanceof Number n) || n.intValue() != RunStatus.RUNNING.code()) {
            return false;
        }
        fields.put("status", status.code());
        fields.put("end_time", clock.getAsLong());
        fields.remove("deleted_time");
        MetaYaml.writeAtomically(dir.resolve("tags").resolve("distill4j.error"),
                reason.getBytes(java.nio.charset.StandardCharsets.UTF_8), dir);
        MetaYaml.write(dir, fields);
        return true;
    }

    @Override
    public void appendToRun(String experimentId, String runId, Map<String, Double> metrics, Map<String, String> tags,
            Map<String, byte[]> artifacts) {
        Path dir = root.resolve(experimentId == null ? "" : experimentId).resolve(runId == null ? "" : runId);
        if (!MlflowFileStoreReader.isPlainId(experimentId) || !MlflowFileStoreReader.isPlainId(runId)
                || !Files.isRegularFile(dir.resolve("meta.yaml"))) {
            throw new IllegalArgumentException("no run " + runId + " in experiment " + experimentId + " of " + root);
        }
        long now = clock.getAsLong();
        synchronized (experimentLock) {
            metrics.forEach((k, v) -> Run.appendMetric(dir, MlflowKeys.sanitise(k), v, 0, now));
            tags.forEach((k, v) -> MetaYaml.writeAtomically(dir.resolve("tags").resolve(MlflowKeys.sanitise(k)),
                    v.getBytes(StandardCharsets.UTF_8), dir));
            artifacts.forEach((path, content) -> MetaYaml.writeAtomically(Run.artifactFile(dir, path), content, dir));
        }
    }

    /** Ends every run started here and not yet ended, with {@link RunStatus#KILLED}. */
    @Override
    public void close() {
        for (Run run : new ArrayList<>(openRuns)) {
            run.endIfRunning(RunStatus.KILLED);
        }
    }

    /** One run's folder; all writes are serialised on the run object. */
    static final class Run implements TrackedRun {
        static final String RUN_NAME_TAG = "mlflow.runName";
        static final String PARENT_TAG = "mlflow.parentRunId";

        private final MlflowFileStore store;
        private final String experimentId;
        private final String runId;
        private final Path dir;
        private final String artifactUri;
        private final long startTime;
        private String runName;
        private RunStatus status = RunStatus.RUNNING;
        private Long endTime;
        private final RunKeys paramKeys = new RunKeys();
        private final RunKeys tagKeys = new RunKeys();
        private final RunKeys metricKeys = new RunKeys();

        Run(MlflowFileStore store, String experimentId, String runId, Path dir, String artifactUri, String runName,
                long startTime) {
            this.store = store;
            this.experimentId = experimentId;
            this.runId = runId;
            this.dir = dir;
            this.artifactUri = artifactUri;
            this.runName = runName;
            this.startTime = startTime;
        }

        @Override
        public String runId() {
            return runId;
        }

        /** Writes meta.yaml; MLflow adds {@code deleted_time: null} only when it creates the run. */
        private synchronized void writeMeta(boolean creating) {
            Map<String, Object> meta = new HashMap<>();
            meta.put("artifact_uri", artifactUri);
            if (creating) {
                meta.put("deleted_time", null);
            }
            meta.put("end_time", endTime);
            meta.put("entry_point_name", "");
            meta.put("experiment_id", experimentId);
            meta.put("lifecycle_stage", "active");
            meta.put("run_id", runId);
            meta.put("run_name", runName);
            meta.put("run_uuid", runId);
            meta.put("source_name", "");
            meta.put("source_type", 4);
            meta.put("source_version", "");
            meta.put("start_time", startTime);
            meta.put("status", status.code());
            meta.put("tags", List.of());
            meta.put("user_id", store.user);
            MetaYaml.write(dir, meta);
        }

        private void checkRunning() {
            if (status.isTerminal()) {
                throw new IllegalStateException("run " + runId + " (" + runName + ") has ended with status "
                        + status + "; nothing more can be logged to it");
            }
        }

        @Override
        public synchronized void logParam(String key, String value) {
            checkRunning();
            String k = paramKeys.key(key);
            value = Secrets.maskValue(key, value); // secret-looking keys are never written
            MlflowKeys.checkParamValue(k, value);
            Path file = dir.resolve("params").resolve(k);
            try {
                if (Files.exists(file)) {
                    String old = Files.readString(file, StandardCharsets.UTF_8);
                    if (!old.equals(value)) {
                        throw new IllegalStateException("param '" + k + "' of run " + runId + " was logged as '"
                                + old + "'; it cannot change to '" + value + "'");
                    }
                    return;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
            MetaYaml.writeAtomically(file, value.getBytes(StandardCharsets.UTF_8), dir);
        }

        /** Checks every entry (keys, lengths, changed values) before writing any, then logs them. */
        @Override
        public synchronized void logParams(Map<String, String> params) {
            checkRunning();
            Map<String, String> sanitised = new LinkedHashMap<>();
            Map<String, String> masked = new LinkedHashMap<>();
            params.forEach((key, value) -> masked.put(key, Secrets.maskValue(key, value)));
            for (Map.Entry<String, String> e : masked.entrySet()) {
                String k = paramKeys.key(e.getKey());
                MlflowKeys.checkParamValue(k, e.getValue());
                String earlier = sanitised.put(k, e.getValue());
                if (earlier != null && !earlier.equals(e.getValue())) {
                    throw new IllegalStateException("params '" + k + "' given twice with values '" + earlier
                            + "' and '" + e.getValue() + "'");
                }
                Path file = dir.resolve("params").resolve(k);
                try {
                    if (Files.exists(file)) {
                        String old = Files.readString(file, StandardCharsets.UTF_8);
                        if (!old.equals(e.getValue())) {
                            throw new IllegalStateException("param '" + k + "' of run " + runId
                                    + " was logged as '" + old + "'; it cannot change to '" + e.getValue() + "'");
                        }
                    }
                } catch (IOException ex) {
                    throw new UncheckedIOException("cannot read " + file, ex);
                }
            }
            sanitised.forEach((k, v) -> MetaYaml.writeAtomically(dir.resolve("params").resolve(k),
                    v.getBytes(StandardCharsets.UTF_8), dir));
        }

        /**
         * Records a dataset input in MLflow's file-store layout (so {@code mlflow ui} lists it): the dataset under
         * {@code <experiment>/datasets/<md5(name + digest)>/meta.yaml} (written once per experiment), and the link
         * under {@code <run>/inputs/<md5(dataset id + run id)>/meta.yaml} with the input tag
         * {@code mlflow.data.context} ({@link MlflowFileStoreReader#datasets} reads it back for sync). No JSON tag
         * repeats it: it would be a huge row in the UI's compare view.
         */
        @Override
        public synchronized void logDataset(DatasetInput d) {
            checkRunning();
            String datasetId = md5Hex(d.name() + d.digest());
            Path datasetDir = dir.getParent().resolve("datasets").resolve(datasetId);
            Map<String, Object> dataset = new HashMap<>();
            dataset.put("name", d.name());
            dataset.put("digest", d.digest());
            dataset.put("source_type", d.sourceType());
            dataset.put("source", d.source());
            dataset.put("schema", d.schema());
            dataset.put("profile", d.profile());
            synchronized (store.experimentLock) {
                if (!Files.isRegularFile(datasetDir.resolve("meta.yaml"))) {
                    mkdirs(datasetDir);
                    MetaYaml.write(datasetDir, dataset);
                }
            }
            Path inputDir = dir.resolve("inputs").resolve(md5Hex(datasetId + runId));
            mkdirs(inputDir);
            Map<String, Object> link = new HashMap<>();
            link.put("source_type", "DATASET");
            link.put("source_id", datasetId);
            link.put("destination_type", "RUN");
            link.put("destination_id", runId);
            String text = MetaYaml.render(link) + (d.context() == null ? "tags: {}\n"
                    : "tags:\n  mlflow.data.context: " + MetaYaml.scalar(d.context()) + "\n");
            MetaYaml.writeAtomically(inputDir.resolve("meta.yaml"), text.getBytes(StandardCharsets.UTF_8), dir);
        }

        private static void mkdirs(Path p) {
            try {
                Files.createDirectories(p);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + p, e);
            }
        }

        private static String md5Hex(String text) {
            try {
                return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
                        .digest(text.getBytes(StandardCharsets.UTF_8)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("MD5 is not available", e);
            }
        }

        @Override
        public synchronized void setTag(String key, String value) {
            checkRunning();
            String k = tagKeys.key(key);
            Objects.requireNonNull(value, () -> "tag '" + k + "' has a null value");
            if (k.equals(RUN_NAME_TAG)) {
                if (value.isBlank()) {
                    throw new IllegalArgumentException("run name must not be blank");
                }
                runName = value;
                writeMeta(false);
            }
            writeTag(k, value);
        }

        private synchronized void writeTag(String sanitisedKey, String value) {
            tagKeys.reserve(sanitisedKey);
            MetaYaml.writeAtomically(dir.resolve("tags").resolve(sanitisedKey),
                    value.getBytes(StandardCharsets.UTF_8), dir);
        }

        @Override
        public void logMetric(String key, double value, long step) {
            logMetric(key, value, step, store.clock.getAsLong());
        }

        @Override
        public synchronized void logMetric(String key, double value, long step, long timestampMillis) {
            checkRunning();
            appendMetric(dir, metricKeys.key(key), value, step, timestampMillis);
        }

        /** Appends one line {@code <timestamp> <value> <step>} to the metric file of a run folder. */
        static void appendMetric(Path runDir, String sanitisedKey, double value, long step, long timestampMillis) {
            Path file = runDir.resolve("metrics").resolve(sanitisedKey);
            byte[] line = (timestampMillis + " " + formatValue(value) + " " + step + "\n")
                    .getBytes(StandardCharsets.US_ASCII);
            try {
                Files.createDirectories(file.getParent());
                try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
                    out.write(line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append to " + file, e);
            }
        }

        /** A metric value as Python's {@code str(float)} spells the non-finite ones; finite ones parse with float(). */
        static String formatValue(double value) {
            if (Double.isNaN(value)) {
                return "nan";
            }
            if (Double.isInfinite(value)) {
                return value > 0 ? "inf" : "-inf";
            }
            return Double.toString(value).toLowerCase(Locale.ROOT);
        }

        @Override
        public synchronized void logArtifact(String relativePath, byte[] content) {
            checkRunning();
            Objects.requireNonNull(content, "content");
            MetaYaml.writeAtomically(artifactFile(relativePath), content, dir);
        }

        @Override
        public synchronized void logArtifact(String relativePath, Path file) {
            checkRunning();
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("artifact source " + file + " is not a regular file");
            }
            Path target = artifactFile(relativePath);
            Path tmp = dir.resolve(".tmp-" + UUID.randomUUID());
            try {
                Files.createDirectories(target.getParent());
                Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw new UncheckedIOException("cannot copy " + file + " to " + target, e);
            }
        }

        private Path artifactFile(String relativePath) {
            return artifactFile(dir, relativePath);
        }

        /** Where an artifact of a run folder goes; refuses a path leaving the run's artifacts folder. */
        static Path artifactFile(Path runDir, String relativePath) {
            Path artifacts = runDir.resolve("artifacts");
            Path target = artifacts.resolve(MlflowKeys.checkArtifactPath(relativePath)).normalize();
            if (!target.startsWith(artifacts) || target.equals(artifacts)) {
                throw new IllegalArgumentException("artifact path '" + relativePath
                        + "' leaves the run's artifacts folder");
            }
            return target;
        }

        @Override
        public synchronized void end(RunStatus status) {
            Objects.requireNonNull(status, "status");
            if (!status.isTerminal()) {
                throw new IllegalArgumentException("a run ends as FINISHED, FAILED or KILLED, not " + status);
            }
            checkRunning();
            this.status = status;
            this.endTime = store.clock.getAsLong();
            writeMeta(false);
            store.ended(this);
        }

        synchronized void endIfRunning(RunStatus status) {
            if (!this.status.isTerminal()) {
                end(status);
            }
        }
    }
}
