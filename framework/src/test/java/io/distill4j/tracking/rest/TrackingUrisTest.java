package io.distill4j.tracking.rest;

import io.distill4j.tracking.MlflowFileStore;
import io.distill4j.tracking.MlflowFileStoreReader;
import io.distill4j.tracking.RunStatus;
import io.distill4j.tracking.RunsTable;
import io.distill4j.tracking.TrackedRun;
import io.distill4j.tracking.Tracker;

import io.distill4j.tracking.rest.TrackingUris;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.Distill4jException;
import io.distill4j.tracking.rest.MlflowRestTracker;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrackingUrisTest {
    @TempDir
    Path dir;

    @Test
    void precedenceCliThenStudyThenEnvThenDefault() {
        Map<String, String> env = Map.of("MLFLOW_TRACKING_URI", "http://env:5000");
        Path results = Path.of("res");
        assertEquals("http://cli:1", TrackingUris.resolve("http://cli:1", "http://study:2", env, results));
        assertEquals("http://study:2", TrackingUris.resolve(null, "http://study:2", env, results));
        assertEquals("http://env:5000", TrackingUris.resolve(null, null, env, results));
        assertEquals(Path.of("res", "mlruns").toString(), TrackingUris.resolve(null, null, Map.of(), results));
    }

    @Test
    void opensTheRightStore() {
        try (Tracker t = TrackingUris.open(dir.resolve("m").toString(), dir, "x", Map.of())) {
            assertInstanceOf(MlflowFileStore.class, t);
        }
        try (Tracker t = TrackingUris.open(dir.resolve("f").toUri().toString(), dir, "x", Map.of())) {
            assertInstanceOf(MlflowFileStore.class, t);
        }
        try (Tracker t = TrackingUris.open("http://127.0.0.1:1", dir, "x", Map.of())) {
            assertInstanceOf(MlflowRestTracker.class, t);
        }
        assertThrows(Distill4jException.class, () -> TrackingUris.open("s3://bucket/x", dir, "x", Map.of()));
        Distill4jException e = assertThrows(Distill4jException.class,
                () -> TrackingUris.api("http://u:hunter2@h:5000", Map.of(), null));
        assertTrue(!e.getMessage().contains("hunter2"));
    }

    @Test
    void runsTableSortsByMetricAndAligns() {
        try (MlflowFileStore store = new MlflowFileStore(dir.resolve("m"))) {
            String exp = store.experimentId("s");
            for (int i = 0; i < 3; i++) {
                TrackedRun r = store.startRun(exp, "run" + i, null, Map.of("distill4j.role", "distilled",
                        "distill4j.seed", String.valueOf(i)));
                r.logMetric("test_accuracy", 0.5 + i * (i == 1 ? 0.3 : 0.1), 0);
                r.end(RunStatus.FINISHED);
            }
            List<MlflowFileStoreReader.Run> runs = new MlflowFileStoreReader(dir.resolve("m")).runs(exp);
            String table = RunsTable.render(runs, "test_accuracy", true, 2);
            List<String> lines = table.lines().toList();
            assertEquals(3, lines.size(), table);
            assertTrue(lines.get(1).startsWith("run1"), table);
            assertTrue(lines.get(2).startsWith("run2"), table);
            assertEquals(lines.get(0).indexOf("test_accuracy") + "test_accuracy".length(),
                    lines.get(1).indexOf("0.8000") + 6, table);
        }
    }
}
