package io.distill4j.tracking.rest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.distill4j.tracking.MlflowModel;
import io.distill4j.tracking.RunStatus;
import io.distill4j.tracking.TrackedRun;
import io.distill4j.tracking.Tracker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MLflow Models on MLflow 3 servers (a logged-model entity of their own, created, filled, finalized and linked to the
 * run) and on MLflow 2.x servers (feature detection: the endpoint answers 404, the model stays a run folder), over
 * real HTTP against the in-process server with and without its MLflow 3 endpoints.
 */
class MlflowLoggedModelTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> FILES = Set.of("student.zip", "input_example.json",
            "serving_input_example.json", "MLmodel");

    @TempDir
    Path dir;
    FakeMlflowServer server;
    Path zip;

    @BeforeEach
    void start() throws IOException {
        server = new FakeMlflowServer();
        zip = Files.write(dir.resolve("student.zip"), new byte[] {7, 1, 2, 9});
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Tracker tracker() {
        return TrackingUris.open(server.uri(), dir.resolve("results"), "test", Map.of(), MlflowRestTrackerTest.FAST);
    }

    private static String log(TrackedRun run, Map<String, Path> files) {
        return MlflowModel.log(run, "model", "distill4j", Map.of("model_file", "student.zip"), files,
                MlflowModel.columns(List.of("ret_1"), "double"), MlflowModel.columns(List.of("p_buy"), "double"),
                MlflowModel.Example.dataframe(List.of("ret_1"), new double[][] {{0.5}}));
    }

    private byte[] runFile(FakeMlflowServer.Run r, String name) {
        return server.artifacts.get(r.experimentId + "/" + r.id + "/artifacts/model/" + name);
    }

    private long loggedModelRequests() {
        return server.requestLog.stream().filter(l -> l.startsWith("POST /api/2.0/mlflow/logged-models ")).count();
    }

    @Test
    void onMlflow3TheModelIsALoggedModelOfItsOwnLinkedToTheRun() throws Exception {
        server.mlflow3 = true;
        String text;
        try (Tracker t = tracker()) {
            TrackedRun run = t.startRun(t.experimentId("v3"), "kd s1", null, Map.of());
            text = log(run, Map.of("student.zip", zip));
            run.end(RunStatus.FINISHED);
        }
        FakeMlflowServer.Run r = server.runsOf("v3").get(0);
        assertEquals(1, server.loggedModels.size());
        FakeMlflowServer.LoggedModel m = server.loggedModels.values().iterator().next();
        assertEquals("LOGGED_MODEL_READY", m.status);
        assertEquals("model", m.name);
        assertEquals("distill4j", m.modelType);
        assertEquals(r.id, m.sourceRunId);
        assertEquals(r.experimentId, m.experimentId);
        assertEquals(List.of(m.id), r.outputs, "linked to the run as its output");
        assertTrue(m.id.startsWith("m-"), m.id);

        JsonNode mlmodel = YAML.readTree(text);
        assertEquals(m.id, mlmodel.get("model_id").asText());
        assertEquals(r.id, mlmodel.get("run_id").asText());
        // the same files in the model's own location (<experiment>/models/<id>/artifacts) and in the run's folder
        String prefix = r.experimentId + "/models/" + m.id + "/artifacts/";
        Set<String> modelFiles = server.artifacts.keySet().stream().filter(k -> k.startsWith(prefix))
                .map(k -> k.substring(prefix.length())).collect(Collectors.toSet());
        assertEquals(FILES, modelFiles);
        for (String f : FILES) {
            assertArrayEquals(runFile(r, f), server.artifacts.get(prefix + f), f);
        }
        assertArrayEquals(Files.readAllBytes(zip), server.artifacts.get(prefix + "student.zip"));
        assertEquals(text, new String(server.artifacts.get(prefix + "MLmodel"), StandardCharsets.UTF_8));
        assertTrue(r.tags.get(MlflowModel.LOGGED_MODELS_TAG).contains("\"artifact_path\":\"model\""));
    }

    @Test
    void onMlflow2TheEndpointIsAskedOnceAndTheModelStaysARunFolder() throws Exception {
        assertFalse(server.mlflow3);
        String first;
        try (Tracker t = tracker()) {
            String exp = t.experimentId("v2");
            TrackedRun a = t.startRun(exp, "a", null, Map.of());
            first = log(a, Map.of("student.zip", zip));
            TrackedRun b = t.startRun(exp, "b", null, Map.of());
            log(b, Map.of("student.zip", zip));
            a.end(RunStatus.FINISHED);
            b.end(RunStatus.FINISHED);
        }
        assertEquals(1, loggedModelRequests(), "feature detection: asked once, answered 404 as MLflow 2.17.2 does");
        assertTrue(server.loggedModels.isEmpty());
        assertFalse(YAML.readTree(first).has("model_id"), first);
        for (FakeMlflowServer.Run r : server.runsOf("v2")) {
            assertTrue(r.outputs.isEmpty());
            for (String f : FILES) {
                assertTrue(runFile(r, f) != null, f);
            }
            assertTrue(r.tags.containsKey(MlflowModel.LOGGED_MODELS_TAG));
        }
        assertFalse(Files.exists(dir.resolve("results").resolve("mlruns-offline")), "a 404 is not an outage");
    }

    @Test
    void aModelWhoseFilesFailIsFinalizedAsFailedAndNotLinked() {
        server.mlflow3 = true;
        try (Tracker t = tracker()) {
            TrackedRun run = t.startRun(t.experimentId("v3"), "kd s1", null, Map.of());
            assertThrows(IllegalArgumentException.class,
                    () -> log(run, Map.of("student.zip", dir.resolve("missing.zip"))));
            run.end(RunStatus.FAILED);
        }
        FakeMlflowServer.LoggedModel m = server.loggedModels.values().iterator().next();
        assertEquals("LOGGED_MODEL_UPLOAD_FAILED", m.status);
        assertTrue(server.runsOf("v3").get(0).outputs.isEmpty());
    }

    @Test
    void theServerEnforcesMlflow3Rules() throws Exception {
        server.mlflow3 = true;
        try (Tracker t = tracker()) {
            String exp = t.experimentId("rules");
            TrackedRun run = t.startRun(exp, "r", null, Map.of());
            MlflowRestApi api = TrackingUris.api(server.uri(), Map.of(), MlflowRestTrackerTest.FAST);
            var bad = assertThrows(MlflowHttp.ApiError.class,
                    () -> api.createLoggedModel(exp, "kd a=0.1", "distill4j", run.runId(), List.of()));
            assertEquals("INVALID_PARAMETER_VALUE", bad.errorCode());
            var noExperiment = assertThrows(MlflowHttp.ApiError.class,
                    () -> api.createLoggedModel("999", "model", "distill4j", run.runId(), List.of()));
            assertEquals("RESOURCE_DOES_NOT_EXIST", noExperiment.errorCode(), "a 404 about data is not 'no endpoint'");
            var m = api.createLoggedModel(exp, "model", "distill4j", run.runId(), List.of()).orElseThrow();
            assertEquals("mlflow-artifacts:/" + exp + "/models/" + m.modelId() + "/artifacts", m.artifactUri());
            assertEquals("RESOURCE_DOES_NOT_EXIST", assertThrows(MlflowHttp.ApiError.class,
                    () -> api.logOutputs(run.runId(), "m-unknown", 0)).errorCode());
            api.finalizeLoggedModel(m.modelId(), true);
            assertEquals("LOGGED_MODEL_READY", server.loggedModels.get(m.modelId()).status);
            run.end(RunStatus.FINISHED);
        }
    }
}
