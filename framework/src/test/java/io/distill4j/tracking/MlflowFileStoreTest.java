package io.distill4j.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.Distill4jException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MlflowFileStoreTest {

    @TempDir
    Path tmp;

    /** Clock returning 1000, 1001, 1002, ... so every timestamp in the files is predictable. */
    private final AtomicLong clock = new AtomicLong(1000);

    private MlflowFileStore store(Path root) {
        return new MlflowFileStore(root, "study.yaml", "alice", clock::getAndIncrement);
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    private static List<String> tree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !p.equals(root))
                    .map(p -> root.relativize(p).toString().replace('\\', '/') + (Files.isDirectory(p) ? "/" : ""))
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    private static String uri(Path p) {
        return "file://" + p.toAbsolutePath().normalize();
    }

    @Test
    void newStoreHasDefaultExperimentAndTrash() throws IOException {
        Path root = tmp.resolve("mlruns");
        store(root).close();

        assertEquals(List.of(".trash/", "0/", "0/meta.yaml"), tree(root));
        assertEquals("artifact_location: " + uri(root.resolve("0")) + "\n"
                + "creation_time: 1000\n"
                + "experiment_id: '0'\n"
                + "last_update_time: 1000\n"
                + "lifecycle_stage: active\n"
                + "name: Default\n", read(root.resolve("0/meta.yaml")));
    }

    @Test
    void experimentIsCreatedOnceAndFoundByName() throws IOException {
        Path root = tmp.resolve("mlruns");
        String id;
        try (MlflowFileStore s = store(root)) {
            id = s.experimentId("distill: teacher");
            assertTrue(id.matches("[1-9][0-9]{17}"), id);
            assertEquals(id, s.experimentId("distill: teacher"));
            assertEquals("0", s.experimentId("Default"));
            assertNotEquals(id, s.experimentId("other"));
        }
        assertEquals("artifact_location: " + uri(root.resolve(id)) + "\n"
                + "creation_time: 1001\n"
                + "experiment_id: '" + id + "'\n"
                + "last_update_time: 1001\n"
                + "lifecycle_stage: active\n"
                + "name: 'distill: teacher'\n", read(root.resolve(id).resolve("meta.yaml")));

        // A second store on the same root neither recreates Default nor the experiment.
        try (MlflowFileStore again = store(root)) {
            assertEquals(id, again.experimentId("distill: teacher"));
        }
        List<MlflowFileStoreReader.Experiment> exps = new MlflowFileStoreReader(root).experiments();
        assertEquals(List.of("Default", "distill: teacher", "other"),
                exps.stream().map(MlflowFileStoreReader.Experiment::name).collect(Collectors.toList()));
        assertEquals(1000L, exps.get(0).creationTime());
        assertEquals(uri(root.resolve(id)), exps.get(1).artifactLocation());
    }

    @Test
    void existingEmptyRootGetsDefaultExperiment() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("empty"));
        store(root).close();
        assertTrue(Files.isRegularFile(root.resolve("0/meta.yaml")));
    }

    @Test
    void deletedExperimentNameIsReported() throws IOException {
        Path root = tmp.resolve("mlruns");
        String id;
        try (MlflowFileStore s = store(root)) {
            id = s.experimentId("gone");
        }
        Files.move(root.resolve(id), root.resolve(".trash").resolve(id));
        try (MlflowFileStore s = store(root)) {
            Distill4jException e = assertThrows(Distill4jException.class, () -> s.experimentId("gone"));
            assertTrue(e.getMessage().contains("'gone'") && e.getMessage().contains(".trash"), e.getMessage());
        }
    }

    @Test
    void parentWithTwoChildrenWritesMlflowLayout() throws IOException {
        Path root = tmp.resolve("mlruns");
        String exp;
        String parentId;
        String childA;
        String childB;
        try (MlflowFileStore s = store(root)) {
            exp = s.experimentId("study");                                               // t=1001
            TrackedRun parent = s.startRun(exp, "grid", null, Map.of("study", "s1"));    // t=1002
            parentId = parent.runId();
            TrackedRun a = s.startRun(exp, "trial-0", parentId, Map.of());               // t=1003
            TrackedRun b = s.startRun(exp, "trial-1", parentId, Map.of());               // t=1004
            childA = a.runId();
            childB = b.runId();
            assertTrue(parentId.matches("[0-9a-f]{32}"), parentId);
            assertEquals(3, Set.of(parentId, childA, childB).size());

            Map<String, String> params = new LinkedHashMap<>();
            params.put("teacher/lr", "0.001");
            params.put("seed", "42");
            a.logParams(params);
            a.logParam("seed", "42");                                                   // same value: fine
            a.setTag("phase", "student");
            a.logMetric("val_loss", 0.5, 0);                                            // t=1005
            a.logMetric("val_loss", 0.25, 1);                                           // t=1006
            a.logMetric("val_loss", Double.NaN, 2, 5000L);
            a.logMetric("sharpe", Double.POSITIVE_INFINITY, 0, 6000L);
            a.logMetric("sharpe", Double.NEGATIVE_INFINITY, 1, 6001L);
            a.logMetric("sharpe", 1.0E-5, 2, 6002L);
            a.logArtifact("model/summary.txt", "layers: 3".getBytes(StandardCharsets.UTF_8));
            Path src = Files.writeString(tmp.resolve("src.csv"), "a,b\n1,2\n");
            a.logArtifact("data.csv", src);
            a.end(RunStatus.FINISHED);                                                  // t=1007
            b.end(RunStatus.FAILED);                                                    // t=1008
            parent.logMetric("best/val_loss", 0.25, 0);                                 // t=1009
            parent.end(RunStatus.FINISHED);                                             // t=1010
        }

        String e = exp + "/";
        // the lock file that keeps processes sharing the store from creating an experiment twice (MLflow lists
        // folders only)
        List<String> expected = new ArrayList<>(List.of(".trash/", MlflowFileStore.EXPERIMENTS_LOCK, "0/",
                "0/meta.yaml", e, e + "meta.yaml"));
        String p = e + parentId + "/";
        String ca = e + childA + "/";
        String cb = e + childB + "/";
        expected.addAll(List.of(p, p + "artifacts/", p + "meta.yaml", p + "metrics/", p + "metrics/best/",
                p + "metrics/best/val_loss", p + "params/", p + "tags/", p + "tags/mlflow.runName",
                p + "tags/mlflow.source.name", p + "tags/mlflow.source.type", p + "tags/mlflow.user",
                p + "tags/study"));
        expected.addAll(List.of(ca, ca + "artifacts/", ca + "artifacts/data.csv", ca + "artifacts/model/",
                ca + "artifacts/model/summary.txt", ca + "meta.yaml", ca + "metrics/", ca + "metrics/sharpe",
                ca + "metrics/val_loss", ca + "params/", ca + "params/seed", ca + "params/teacher/",
                ca + "params/teacher/lr", ca + "tags/", ca + "tags/mlflow.parentRunId", ca + "tags/mlflow.runName",
                ca + "tags/mlflow.source.name", ca + "tags/mlflow.source.type", ca + "tags/mlflow.user",
                ca + "tags/phase"));
        expected.addAll(List.of(cb, cb + "artifacts/", cb + "meta.yaml", cb + "metrics/", cb + "params/",
                cb + "tags/", cb + "tags/mlflow.parentRunId", cb + "tags/mlflow.runName",
                cb + "tags/mlflow.source.name", cb + "tags/mlflow.source.type", cb + "tags/mlflow.user"));
        expected.sort(null);
        assertEquals(expected, tree(root));

        Path expDir = root.resolve(exp);
        assertEquals(runMeta(expDir, exp, childA, "trial-0", "1007", 1003, 3), read(expDir.resolve(childA + "/meta.yaml")));
        assertEquals(runMeta(expDir, exp, childB, "trial-1", "1008", 1004, 4), read(expDir.resolve(childB + "/meta.yaml")));
        assertEquals(runMeta(expDir, exp, parentId, "grid", "1010", 1002, 3),
                read(expDir.resolve(parentId + "/meta.yaml")));

        Path a = expDir.resolve(childA);
        assertEquals("0.001", read(a.resolve("params/teacher/lr")));
        assertEquals("42", read(a.resolve("params/seed")));
        assertEquals("trial-0", read(a.resolve("tags/mlflow.runName")));
        assertEquals(parentId, read(a.resolve("tags/mlflow.parentRunId")));
        assertEquals(parentId, read(expDir.resolve(childB).resolve("tags/mlflow.parentRunId")));
        assertEquals("alice", read(a.resolve("tags/mlflow.user")));
        assertEquals("LOCAL", read(a.resolve("tags/mlflow.source.type")));
        assertEquals("study.yaml", read(a.resolve("tags/mlflow.source.name")));
        assertEquals("student", read(a.resolve("tags/phase")));
        assertEquals("s1", read(expDir.resolve(parentId).resolve("tags/study")));
        assertEquals("grid", read(expDir.resolve(parentId).resolve("tags/mlflow.runName")));
        assertEquals("1005 0.5 0\n1006 0.25 1\n5000 nan 2\n", read(a.resolve("metrics/val_loss")));
        assertEquals("6000 inf 0\n6001 -inf 1\n6002 1.0e-5 2\n", read(a.resolve("metrics/sharpe")));
        assertEquals("1009 0.25 0\n", read(expDir.resolve(parentId).resolve("metrics/best/val_loss")));
        assertEquals("layers: 3", read(a.resolve("artifacts/model/summary.txt")));
        assertEquals("a,b\n1,2\n", read(a.resolve("artifacts/data.csv")));

        // Read back through the reader.
        MlflowFileStoreReader reader = new MlflowFileStoreReader(root);
        List<MlflowFileStoreReader.Run> runs = reader.runs(exp);
        assertEquals(List.of(parentId, childA, childB),
                runs.stream().map(MlflowFileStoreReader.Run::runId).collect(Collectors.toList()));
        MlflowFileStoreReader.Run ra = reader.run(exp, childA);
        assertEquals("trial-0", ra.runName());
        assertEquals(exp, ra.experimentId());
        assertEquals(RunStatus.FINISHED, ra.status());
        assertEquals(1003L, ra.startTime());
        assertEquals(1007L, ra.endTime());
        assertEquals("active", ra.lifecycleStage());
        assertEquals("alice", ra.userId());
        assertEquals(uri(expDir) + "/" + childA + "/artifacts", ra.artifactUri());
        assertEquals(Map.of("teacher/lr", "0.001", "seed", "42"), ra.params());
        assertEquals(parentId, ra.tags().get("mlflow.parentRunId"));
        assertEquals(6, ra.tags().size());
        assertEquals(List.of(new MlflowFileStoreReader.Metric(1005, 0.5, 0),
                new MlflowFileStoreReader.Metric(1006, 0.25, 1),
                new MlflowFileStoreReader.Metric(5000, Double.NaN, 2)), ra.metrics().get("val_loss"));
        assertEquals(List.of(new MlflowFileStoreReader.Metric(6000, Double.POSITIVE_INFINITY, 0),
                new MlflowFileStoreReader.Metric(6001, Double.NEGATIVE_INFINITY, 1),
                new MlflowFileStoreReader.Metric(6002, 1.0E-5, 2)), ra.metrics().get("sharpe"));
        assertEquals(List.of("data.csv", "model/summary.txt"), ra.artifacts());
        assertEquals(RunStatus.FAILED, reader.run(exp, childB).status());
    }

    private static String runMeta(Path expDir, String exp, String runId, String name, String endTime, long start,
            int status) {
        return "artifact_uri: " + uri(expDir) + "/" + runId + "/artifacts\n"
                + "end_time: " + endTime + "\n"
                + "entry_point_name: ''\n"
                + "experiment_id: '" + exp + "'\n"
                + "lifecycle_stage: active\n"
                + "run_id: " + runId + "\n"
                + "run_name: " + name + "\n"
                + "run_uuid: " + runId + "\n"
                + "source_name: ''\n"
                + "source_type: 4\n"
                + "source_version: ''\n"
                + "start_time: " + start + "\n"
                + "status: " + status + "\n"
                + "tags: []\n"
                + "user_id: alice\n";
    }

    @Test
    void appendToRunAddsToAnEndedRunAndLeavesItsStatus() throws IOException {
        Path root = tmp.resolve("append");
        MlflowFileStore s = store(root);
        String exp = s.experimentId("bench");
        TrackedRun run = s.startRun(exp, "trial", null, Map.of());
        run.logMetric("latency.x.p50_ns", 300, 0);
        run.end(RunStatus.FINISHED);
        s.appendToRun(exp, run.runId(), Map.of("latency.x.p50_ns", 120.0, "odd key(1)", 2.5),
                Map.of("distill4j.bench_utc", "now"), Map.of("bench/table.md", "| a |".getBytes(StandardCharsets.UTF_8)));
        MlflowFileStoreReader.Run r = new MlflowFileStoreReader(root).run(exp, run.runId());
        assertEquals(RunStatus.FINISHED, r.status());
        assertEquals(List.of(300.0, 120.0), r.metrics().get("latency.x.p50_ns").stream()
                .map(MlflowFileStoreReader.Metric::value).toList());
        assertEquals(2.5, r.metrics().get(MlflowKeys.sanitise("odd key(1)")).get(0).value());
        assertEquals("now", r.tags().get("distill4j.bench_utc"));
        assertEquals("| a |", Files.readString(root.resolve(exp).resolve(run.runId())
                .resolve("artifacts/bench/table.md")));
        assertThrows(IllegalArgumentException.class, () -> s.appendToRun(exp, "0123456789abcdef0123456789abcdef",
                Map.of("m", 1.0), Map.of(), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> s.appendToRun(exp, "../" + run.runId(),
                Map.of("m", 1.0), Map.of(), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> s.appendToRun(exp, run.runId(), Map.of(), Map.of(),
                Map.of("../../escape.md", new byte[1])));
    }

    @Test
    void runningRunMetaHasNullEndTimeAndDeletedTime() throws IOException {
        Path root = tmp.resolve("mlruns");
        try (MlflowFileStore s = store(root)) {
            TrackedRun run = s.startRun("0", "r", null, Map.of());                  // t=1001
            String meta = read(root.resolve("0").resolve(run.runId()).resolve("meta.yaml"));
            assertEquals("artifact_uri: " + uri(root.resolve("0")) + "/" + run.runId() + "/artifacts\n"
                    + "deleted_time: null\n"
                    + "end_time: null\n"
                    + "entry_point_name: ''\n"
                    + "experiment_id: '0'\n"
                    + "lifecycle_stage: active\n"
                    + "run_id: " + run.runId() + "\n"
                    + "run_name: r\n"
                    + "run_uuid: " + run.runId() + "\n"
                    + "source_name: ''\n"
                    + "source_type: 4\n"
                    + "source_version: ''\n"
                    + "start_time: 1001\n"
                    + "status: 1\n"
                    + "tags: []\n"
                    + "user_id: alice\n", meta);
            MlflowFileStoreReader.Run back = new MlflowFileStoreReader(root).run("0", run.runId());
            assertEquals(RunStatus.RUNNING, back.status());
            assertNull(back.endTime());
        }
    }

    @Test
    void paramCannotChangeValue() throws IOException {
        try (MlflowFileStore s = store(tmp.resolve("mlruns"))) {
            TrackedRun run = s.startRun("0", "r", null, Map.of());
            run.logParam("lr", "0.1");
            run.logParam("lr", "0.1");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> run.logParam("lr", "0.2"));
            assertTrue(e.getMessage().contains("'lr'") && e.getMessage().contains("'0.1'")
                    && e.getMessage().contains("'0.2'"), e.getMessage());
            // A batch with one changed value writes nothing.
            assertThrows(IllegalStateException.class,
                    () -> run.logParams(Map.of("fresh", "1", "lr", "0.3")));
            Path params = tmp.resolve("mlruns/0").resolve(run.runId()).resolve("params");
            assertEquals("0.1", read(params.resolve("lr")));
            assertFalse(Files.exists(params.resolve("fresh")));
        }
    }

    @Test
    void paramValueLongerThan6000CharsRejected() throws IOException {
        try (MlflowFileStore s = store(tmp.resolve("mlruns"))) {
            TrackedRun run = s.startRun("0", "r", null, Map.of());
            run.logParam("ok", "x".repeat(6000));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> run.logParam("big", "x".repeat(6001)));
            assertTrue(e.getMessage().contains("'big'") && e.getMessage().contains("6001")
                    && e.getMessage().contains("6000"), e.getMessage());
            Path params = tmp.resolve("mlruns/0").resolve(run.runId()).resolve("params");
            assertEquals(6000, read(params.resolve("ok")).length());
            assertFalse(Files.exists(params.resolve("big")));
        }
    }

    @Test
    void awkwardKeysAreSanitisedOnDisk() throws IOException {
        Path root = tmp.resolve("mlruns");
        try (MlflowFileStore s = store(root)) {
            TrackedRun run = s.startRun("0", "r", null, Map.of("owner(team)", "q"));
            run.logParam("loss(val)", "1");
            run.logParam("../../escape", "2");
            run.setTag("a//b", "3");
            run.logMetric("p&l", 1.5, 0, 7L);
            Path dir = root.resolve("0").resolve(run.runId());
            assertEquals("1", read(dir.resolve("params/loss_val_")));
            assertEquals("2", read(dir.resolve("params/__/__/escape")));
            assertEquals("3", read(dir.resolve("tags/a/b")));
            assertEquals("q", read(dir.resolve("tags/owner_team_")));
            assertEquals("7 1.5 0\n", read(dir.resolve("metrics/p_l")));
            assertFalse(Files.exists(root.resolve("escape")));
        }
    }

    @Test
    void artifactPathEscapeRejected() throws IOException {
        Path root = tmp.resolve("mlruns");
        try (MlflowFileStore s = store(root)) {
            TrackedRun run = s.startRun("0", "r", null, Map.of());
            byte[] bytes = {1, 2, 3};
            for (String bad : List.of("../meta.yaml", "a/../../x", "/tmp/x", "", "..")) {
                assertThrows(IllegalArgumentException.class, () -> run.logArtifact(bad, bytes), bad);
            }
            assertThrows(IllegalArgumentException.class, () -> run.logArtifact("d", tmp));
            Path dir = root.resolve("0").resolve(run.runId());
            assertEquals(List.of(), new MlflowFileStoreReader(root).run("0", run.runId()).artifacts());
            assertTrue(read(dir.resolve("meta.yaml")).startsWith("artifact_uri: "));
            run.logArtifact("ok/./x.bin", bytes);
            assertEquals(List.of("ok/x.bin"), new MlflowFileStoreReader(root).run("0", run.runId()).artifacts());
        }
    }

    @Test
    void concurrentLoggingLosesNoMetricLine() throws Exception {
        Path root = tmp.resolve("mlruns");
        int threads = 4;
        int perThread = 500;
        try (MlflowFileStore s = store(root)) {
            TrackedRun parent = s.startRun("0", "parent", null, Map.of());
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    TrackedRun child = s.startRun("0", "trial-" + thread, parent.runId(), Map.of());
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        parent.logMetric("loss", thread * 10_000 + i, i, 1L);
                        parent.logParam("trial-" + thread + "/seed", Integer.toString(thread));
                        child.logMetric("loss", i, i);
                    }
                    child.end(RunStatus.FINISHED);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            parent.end(RunStatus.FINISHED);
        }
        MlflowFileStoreReader reader = new MlflowFileStoreReader(root);
        List<MlflowFileStoreReader.Run> runs = reader.runs("0");
        assertEquals(threads + 1, runs.size());
        MlflowFileStoreReader.Run parent = runs.stream().filter(r -> r.runName().equals("parent")).findFirst()
                .orElseThrow();
        List<MlflowFileStoreReader.Metric> lines = parent.metrics().get("loss");
        assertEquals(threads * perThread, lines.size());
        Set<Double> values = new HashSet<>();
        lines.forEach(m -> values.add(m.value()));
        assertEquals(threads * perThread, values.size());
        assertEquals(threads, parent.params().size());
        for (MlflowFileStoreReader.Run r : runs) {
            if (r != parent) {
                assertEquals(perThread, r.metrics().get("loss").size());
                assertEquals(parent.runId(), r.tags().get("mlflow.parentRunId"));
            }
            assertEquals(RunStatus.FINISHED, r.status());
        }
    }

    @Test
    void statusTransitionsAreChecked() throws IOException {
        Path root = tmp.resolve("mlruns");
        try (MlflowFileStore s = store(root)) {
            TrackedRun run = s.startRun("0", "r", null, Map.of());
            assertThrows(IllegalArgumentException.class, () -> run.end(RunStatus.RUNNING));
            assertThrows(IllegalArgumentException.class, () -> run.end(RunStatus.SCHEDULED));
            run.end(RunStatus.KILLED);
            assertThrows(IllegalStateException.class, () -> run.end(RunStatus.FINISHED));
            assertThrows(IllegalStateException.class, () -> run.logMetric("m", 1, 0));
            assertThrows(IllegalStateException.class, () -> run.logParam("p", "1"));
            assertThrows(IllegalStateException.class, () -> run.setTag("t", "1"));
            assertThrows(IllegalStateException.class, () -> run.logArtifact("a", new byte[0]));
            assertEquals(RunStatus.KILLED, new MlflowFileStoreReader(root).run("0", run.runId()).status());
        }
    }

    @Test
    void closeKillsRunsStillRunning() throws IOException {
        Path root = tmp.resolve("mlruns");
        String open;
        String done;
        try (MlflowFileStore s = store(root)) {
            open = s.startRun("0", "open", null, Map.of()).runId();
            TrackedRun d = s.startRun("0", "done", null, Map.of());
            d.end(RunStatus.FINISHED);
            done = d.runId();
        }
        MlflowFileStoreReader reader = new MlflowFileStoreReader(root);
        assertEquals(RunStatus.KILLED, reader.run("0", open).status());
        assertEquals(RunStatus.FINISHED, reader.run("0", done).status());
        assertFalse(read(root.resolve("0").resolve(open).resolve("meta.yaml")).contains("deleted_time"));
    }

    @Test
    void runNameTagAndRunNameAgree() throws IOException {
        Path root = tmp.resolve("mlruns");
        try (MlflowFileStore s = store(root)) {
            assertThrows(IllegalArgumentException.class,
                    () -> s.startRun("0", "a", null, Map.of("mlflow.runName", "b")));
            TrackedRun fromTag = s.startRun("0", null, null, Map.of("mlflow.runName", "b"));
            assertEquals("b", new MlflowFileStoreReader(root).run("0", fromTag.runId()).runName());
            TrackedRun generated = s.startRun("0", null, null, Map.of());
            assertEquals("run-" + generated.runId().substring(0, 8),
                    new MlflowFileStoreReader(root).run("0", generated.runId()).runName());
            generated.setTag("mlflow.runName", "renamed");
            MlflowFileStoreReader.Run back = new MlflowFileStoreReader(root).run("0", generated.runId());
            assertEquals("renamed", back.runName());
            assertEquals("renamed", back.tags().get("mlflow.runName"));
        }
    }

    @Test
    void badExperimentOrParentRejected() {
        try (MlflowFileStore s = store(tmp.resolve("mlruns"))) {
            assertThrows(IllegalArgumentException.class, () -> s.startRun("123", "r", null, Map.of()));
            assertThrows(IllegalArgumentException.class, () -> s.startRun("../0", "r", null, Map.of()));
            assertThrows(IllegalArgumentException.class,
                    () -> s.startRun("0", "r", "0123456789abcdef0123456789abcdef", Map.of()));
            assertThrows(IllegalArgumentException.class, () -> s.startRun("0", "r", "../x", Map.of()));
            assertThrows(IllegalArgumentException.class, () -> s.experimentId(" "));
            MlflowFileStoreReader reader = new MlflowFileStoreReader(tmp.resolve("mlruns"));
            assertThrows(IllegalArgumentException.class, () -> reader.runs("../mlruns"));
            assertThrows(IllegalArgumentException.class, () -> reader.run("0", "../0"));
            assertThrows(IllegalArgumentException.class, () -> reader.run("0", "0123456789abcdef0123456789abcdef"));
        }
    }
}
