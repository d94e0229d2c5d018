package io.distill4j.tracking.rest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.experiment.ModelRegistration;
import io.distill4j.experiment.Study;
import io.distill4j.experiment.StudyListener;
import io.distill4j.experiment.StudyRunner;
import io.distill4j.experiment.TrialResult;
import io.distill4j.tracking.MlflowFileStoreReader;
import io.distill4j.tracking.RunStatus;
import io.distill4j.tracking.TrackedRun;
import io.distill4j.tracking.Tracker;
import io.distill4j.tracking.rest.TrackingUris;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST tracker over real HTTP against an in-process server that enforces MLflow's validation rules. */
class MlflowRestTrackerTest {
    static final MlflowHttp.Retry FAST = new MlflowHttp.Retry(2, Duration.ofMillis(5), Duration.ofMillis(10));
    static final String SECRET = "s3cr3t-token-xyz";
    static final String STUDY = """
            study: tiny-rest
            seed: 3
            data:
              source: {type: synthetic, bars: 2000, seed: 11, interval: 5m}
              features: {lookback: 4}
              labels: {horizon: 3}
            teacher:
              type: mlp
              hidden: [8]
              training: {epochs: 2, batch_size: 256, patience: 0}
            student: {type: mlp, hidden: [4]}
            distillation:
              loss: {type: hinton, temperature: 3, alpha: 0.5}
            training: {epochs: 2, batch_size: 256}
            grid:
              distillation.loss.alpha: [0.2, 0.8]
            seeds: [1]
            """;

    @TempDir
    Path dir;
    FakeMlflowServer server;

    @BeforeEach
    void start() throws IOException {
        server = new FakeMlflowServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    Tracker tracker() {
        return TrackingUris.open(server.uri(), dir.resolve("results"), "test", Map.of("MLFLOW_TRACKING_TOKEN", SECRET),
                FAST);
    }

    @Test
    void awkwardKeysAreValidAndCollisionFreeParamsImmutableBatchesWithinLimits() {
        server.requireAuth("Bearer " + SECRET);
        try (Tracker t = tracker()) {
            String exp = t.experimentId("keys");
            TrackedRun run = t.startRun(exp, "r", null, Map.of("odd tag(1)", "x"));
            run.logParam("loss(val)", "a");
            run.logParam("loss[val]", "b");
            run.logParam("a//b", "c");
            run.logParam("../up", "d");
            run.logParam("loss(val)", "a"); // same value again: fine
            assertThrows(IllegalStateException.class, () -> run.logParam("loss(val)", "changed"));
            for (int i = 0; i < 250; i++) {
                run.logParam("p" + i, String.valueOf(i));
            }
            for (int i = 0; i < 2500; i++) {
                run.logMetric("m", i, i, 1000L + i);
            }
            run.logMetric("nan", Double.NaN, 0);
            run.end(RunStatus.FINISHED);
        }
        FakeMlflowServer.Run r = server.runsOf("keys").get(0);
        assertEquals("FINISHED", r.status);
        assertEquals("a", r.params.get("loss_val_"));
        assertEquals("b", r.params.get("loss_val__" + io.distill4j.tracking.RunKeysAccess.hash8("loss[val]")));
        assertEquals("c", r.params.get("a/b"));
        assertEquals("d", r.params.get("__/up"));
        assertEquals(254, r.params.size());
        assertEquals("x", r.tags.get("odd tag_1_"));
        assertEquals(2501, r.metrics.size());
        assertEquals(2499, r.metrics.get(2499).step());
        assertEquals(1000L + 2499, r.metrics.get(2499).timestamp());
        assertTrue(Double.isNaN(r.metrics.get(2500).value()));
        assertTrue(server.authHeaders.stream().allMatch(h -> h.equals("Bearer " + SECRET)));
    }

    @Test
    void appendToRunLogsToAFinishedRunOnTheServer() {
        try (Tracker t = tracker()) {
            String exp = t.experimentId("bench");
            TrackedRun run = t.startRun(exp, "trial", null, Map.of());
            run.end(RunStatus.FINISHED);
            t.appendToRun(exp, run.runId(), Map.of("latency.runtime_predict.p50_ns", 140.0), Map.of("k", "v"),
                    Map.of("bench.md", "table".getBytes(StandardCharsets.UTF_8)));
            assertThrows(IllegalArgumentException.class, () -> t.appendToRun(exp, "0123456789abcdef0123456789abcdef",
                    Map.of("m", 1.0), Map.of(), Map.of()));
        }
        FakeMlflowServer.Run r = server.runsOf("bench").get(0);
        assertEquals("FINISHED", r.status);
        assertEquals(1, r.metrics.size());
        assertEquals("latency.runtime_predict.p50_ns", r.metrics.get(0).key());
        assertEquals(140.0, r.metrics.get(0).value());
        assertEquals("v", r.tags.get("k"));
        assertEquals(List.of("table"), server.artifacts.entrySet().stream()
                .filter(e -> e.getKey().endsWith("/bench.md"))
                .map(e -> new String(e.getValue(), StandardCharsets.UTF_8)).toList());
    }

    @Test
    void aStudyAgainstTheServerRecordsEverything() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        StudyRunner.Outcome outcome = runStudy(log);
        assertTrue(outcome.results().stream().noneMatch(x -> x.failed()));
        assertEquals("1", server.experiments.get("tiny-rest"));
        List<FakeMlflowServer.Run> runs = server.runsOf("tiny-rest");
        assertEquals(1 + 1 + 1 + 2, runs.size()); // parent, teacher, student-alone, 2 cells
        FakeMlflowServer.Run parent = runs.stream().filter(r -> r.tags.get("mlflow.parentRunId") == null)
                .findFirst().orElseThrow();
        assertEquals("tiny-rest", parent.name);
        assertEquals("study", parent.tags.get("distill4j.role"));
        for (FakeMlflowServer.Run r : runs) {
            assertEquals("FINISHED", r.status, r.name);
            assertEquals(r.name, r.tags.get("mlflow.runName"));
            if (r != parent) {
                assertEquals(parent.id, r.tags.get("mlflow.parentRunId"));
                assertEquals(1, r.inputs.size(), r.name);
                assertEquals("synthetic", r.inputs.get(0).path("dataset").path("name").asText());
                assertEquals("training", r.inputs.get(0).path("tags").get(0).path("value").asText());
                assertTrue(r.tags.containsKey("distill4j.data.sha256"));
                assertTrue(r.params.containsKey("seed") && r.params.containsKey("study.seed"));
                byte[] config = server.artifacts.get(r.experimentId + "/" + r.id + "/artifacts/config.yaml");
                assertTrue(config != null && new String(config, StandardCharsets.UTF_8).contains("study: tiny-rest"));
            }
        }
        FakeMlflowServer.Run cell = runs.stream().filter(r -> "distilled".equals(r.tags.get("distill4j.role")))
                .findFirst().orElseThrow();
        List<Long> steps = cell.metrics.stream().filter(m -> m.key().equals("objective.train")).map(m -> m.step())
                .toList();
        assertEquals(List.of(0L, 1L), steps);
        assertTrue(cell.metrics.stream().anyMatch(m -> m.key().equals("test_accuracy")));
        String trialId = cell.tags.get("distill4j.trial_id");
        byte[] model = server.artifacts.get(cell.experimentId + "/" + cell.id + "/artifacts/model/student.zip");
        assertArrayEquals(Files.readAllBytes(outcome.folder().resolve("students").resolve(trialId + ".zip")), model);
        // the student as an MLflow Model: MLmodel beside the zip, and the tag MLflow lists logged models from
        String mlmodel = new String(server.artifacts.get(cell.experimentId + "/" + cell.id + "/artifacts/model/MLmodel"),
                StandardCharsets.UTF_8);
        assertTrue(mlmodel.contains("run_id: " + cell.id) && mlmodel.contains("distill4j:"), mlmodel);
        assertTrue(cell.tags.get("mlflow.log-model.history").contains("\"artifact_path\":\"model\""),
                cell.tags.toString());
        assertTrue(server.artifacts.containsKey(parent.experimentId + "/" + parent.id + "/artifacts/summary.md"));

        // the Model Registry: a registered model and a version linked to the run, described by its test metrics
        MlflowRestApi api = TrackingUris.api(server.uri(), Map.of("MLFLOW_TRACKING_TOKEN", SECRET), FAST);
        var first = ModelRegistration.register(api, outcome.folder(), "tiny-rest", trialId, "tiny-student");
        assertTrue(first.modelCreated());
        assertEquals("1", first.version().version());
        assertEquals(cell.id, first.runId());
        assertEquals("mlflow-artifacts:/" + cell.experimentId + "/" + cell.id + "/artifacts/model",
                first.version().source());
        var registered = server.registeredModels.get("tiny-student");
        var version = registered.versions.get(0);
        assertEquals(cell.id, version.get("run_id").asText());
        String description = version.get("description").asText();
        TrialResult result = outcome.results().stream().filter(r -> r.trialId().equals(trialId)).findFirst()
                .orElseThrow();
        assertTrue(description.startsWith(result.trial().method() + ", seed 1, study tiny-rest (trial " + trialId
                + ", run " + cell.id + "); test: accuracy " + String.format(java.util.Locale.ROOT, "%.4f",
                result.test().get("accuracy"))), description);
        Map<String, String> versionTags = new java.util.HashMap<>();
        version.get("tags").forEach(t -> versionTags.put(t.get("key").asText(), t.get("value").asText()));
        assertEquals(trialId, versionTags.get("distill4j.trial_id"));
        assertEquals("tiny-rest", versionTags.get("distill4j.study"));
        assertEquals(String.format(java.util.Locale.ROOT, "%.4f", result.test().get("macro_f1")),
                versionTags.get("test_macro_f1"));
        var second = ModelRegistration.register(api, outcome.folder(), "tiny-rest", trialId, "tiny-student");
        assertFalse(second.modelCreated());
        assertEquals("2", second.version().version());
        var unknown = assertThrows(io.distill4j.Distill4jException.class, () -> ModelRegistration.register(api,
                outcome.folder(), "tiny-rest", "000000000000", "tiny-student"));
        assertTrue(unknown.getMessage().startsWith("no finished trial 000000000000 in "), unknown.getMessage());
        assertThrows(io.distill4j.Distill4jException.class, () -> ModelRegistration.register(api,
                outcome.folder(), "not-there", trialId, "tiny-student"));
        assertFalse(Files.exists(dir.resolve("results").resolve("mlruns-offline")));
        assertNoSecret(log.toString(StandardCharsets.UTF_8));
    }

    @Test
    void serverDroppingMidStudyGoesOfflineAndSyncCompletesExactlyOnce() throws Exception {
        server.failAfter(25); // the parent and the teacher get created, then the server answers 503
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        StudyRunner.Outcome outcome = runStudy(log);
        assertTrue(outcome.results().stream().noneMatch(x -> x.failed()));
        String logText = log.toString(StandardCharsets.UTF_8);
        assertEquals(1, logText.split("tracking goes on in the local store", -1).length - 1, logText);
        Path offline = dir.resolve("results").resolve("mlruns-offline");
        assertTrue(Files.isDirectory(offline));
        assertNoSecret(logText);
        assertNoSecret(allText(offline));

        server.recover();
        MlflowRestApi api = TrackingUris.api(server.uri(), Map.of("MLFLOW_TRACKING_TOKEN", SECRET), FAST);
        List<String> lines = new ArrayList<>();
        MlflowSync.Result first = MlflowSync.sync(offline, api, lines::add);
        assertTrue(first.created() + first.completed() > 0, first.toString());
        List<FakeMlflowServer.Run> runs = server.runsOf("tiny-rest");
        assertEquals(5, runs.size(), runs.stream().map(r -> r.name).toList().toString());
        FakeMlflowServer.Run parent = runs.stream().filter(r -> r.tags.get("mlflow.parentRunId") == null)
                .findFirst().orElseThrow();
        for (FakeMlflowServer.Run r : runs) {
            assertEquals("FINISHED", r.status, r.name);
            assertNotEquals(null, r.endTime);
            if (r != parent) {
                assertEquals(parent.id, r.tags.get("mlflow.parentRunId"), r.name);
                assertEquals(List.of(0L, 1L), r.metrics.stream().filter(m -> m.key().equals("objective.train"))
                        .map(m -> m.step()).toList(), r.name);
                assertTrue(server.artifacts.containsKey(r.experimentId + "/" + r.id + "/artifacts/config.yaml"),
                        r.name);
                assertFalse(r.tags.containsKey(MlflowRestTracker.REMOTE_RUN_TAG));
                // the dataset, replayed from the offline store's own inputs layout (no JSON tag repeats it there)
                assertEquals(1, r.inputs.size(), r.name);
                assertEquals("training", r.inputs.get(0).path("tags").get(0).path("value").asText(), r.name);
                assertEquals("synthetic", r.inputs.get(0).path("dataset").path("name").asText(), r.name);
                assertFalse(r.tags.containsKey("distill4j.dataset"), r.name);
            }
        }
        assertTrue(server.artifacts.containsKey(parent.experimentId + "/" + parent.id + "/artifacts/summary.md"));
        // metric timestamps kept: the offline copy and the server agree
        Map<String, Integer> before = snapshot();
        MlflowSync.Result second = MlflowSync.sync(offline, api, lines::add);
        assertEquals(0, second.created() + second.completed(), second.toString());
        assertEquals(before, snapshot());
        assertNoSecret(allText(offline));
    }

    private Map<String, Integer> snapshot() {
        Map<String, Integer> m = new LinkedHashMap<>();
        server.runs.values().stream().sorted((a, b) -> a.id.compareTo(b.id)).forEach(r -> m.put(r.id + r.lifecycle,
                r.metrics.size() * 1000 + r.params.size() * 10 + r.inputs.size()));
        m.put("artifacts", server.artifacts.size());
        return m;
    }

    private StudyRunner.Outcome runStudy(ByteArrayOutputStream log) throws IOException {
        Path file = dir.resolve("tiny-rest.yaml");
        Files.writeString(file, STUDY);
        Study study = Study.load(file, List.of());
        PrintStream err = System.err;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try (Tracker t = tracker()) {
            return new StudyRunner(dir.resolve("results"), t, StudyListener.NONE, 1).run(study);
        } finally {
            System.setErr(err);
            err.print(log.toString(StandardCharsets.UTF_8));
        }
    }

    private static String allText(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> {
                try {
                    return p + "\n" + new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).collect(Collectors.joining("\n"));
        }
    }

    private void assertNoSecret(String text) {
        assertFalse(text.contains(SECRET), "the secret leaked");
        for (FakeMlflowServer.Run r : server.runs.values()) {
            assertFalse(r.params.toString().contains(SECRET) || r.tags.toString().contains(SECRET));
        }
    }
}
