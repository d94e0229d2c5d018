package io.distill4j.tracking.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.tracking.MlflowFileStoreReader;
import io.distill4j.tracking.RunStatus;
import io.distill4j.tracking.rest.TrackingUris;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tracking API goes through MLflow's Java client (its User-Agent, its auth headers from our credentials), and
 * its failures map onto {@link MlflowHttp}'s policy: 429/5xx/connection failures retried then Unavailable, other
 * 4xx an ApiError at once, the client's own retries off.
 */
class MlflowJavaClientTest {
    static final MlflowHttp.Retry THREE = new MlflowHttp.Retry(3, Duration.ofMillis(5), Duration.ofMillis(10));
    static final String SECRET = "tok-8c1f-secret";
    FakeMlflowServer server;

    @BeforeEach
    void start() throws IOException {
        server = new FakeMlflowServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    MlflowRestApi api(Map<String, String> env) {
        return TrackingUris.api(server.uri(), env, THREE);
    }

    @Test
    void trackingRequestsComeFromTheJavaClientWithItsBearerHeaderArtifactsFromPlainHttp() {
        server.requireAuth("Bearer " + SECRET);
        MlflowRestApi api = api(Map.of("MLFLOW_TRACKING_TOKEN", SECRET));
        String exp = api.experimentId("via-client");
        MlflowRestApi.CreatedRun run = api.createRun(exp, "r1", 1000L, "me",
                List.of(new MlflowRestApi.KeyValue("mlflow.source.name", "test")));
        api.logBatch(run.runId(), List.of(new MlflowRestApi.KeyValue("a", "1")), List.of(),
                List.of(new MlflowRestApi.MetricPoint("loss", 0.5, 1001L, 0)), null);
        api.logInputs(run.runId(), new io.distill4j.tracking.DatasetInput("d", "abc", "local", "{\"uri\":\"x\"}",
                null, "{}", "training"));
        api.uploadArtifact(run.artifactUri(), "notes.txt", "hi".getBytes(StandardCharsets.UTF_8), null);
        api.endRun(run.runId(), RunStatus.FINISHED, 2000L);
        assertEquals(RunStatus.FINISHED, api.runStatus(run.runId()).orElseThrow());
        assertEquals(1, api.searchRuns(exp).size());

        List<String> log = new ArrayList<>(server.requestLog);
        List<String> tracking = log.stream().filter(l -> l.contains(" /api/2.0/mlflow/")).toList();
        List<String> artifacts = log.stream().filter(l -> l.contains(" /api/2.0/mlflow-artifacts/")).toList();
        assertEquals(log.size(), tracking.size() + artifacts.size(), log.toString());
        assertEquals(8, tracking.size(), log.toString());
        assertTrue(tracking.stream().allMatch(l -> l.endsWith(" mlflow-java-client/2.17.2")), log.toString());
        assertTrue(tracking.contains("GET /api/2.0/mlflow/experiments/get-by-name mlflow-java-client/2.17.2"));
        for (String e : List.of("experiments/create", "runs/create", "runs/log-batch", "runs/log-inputs",
                "runs/update", "runs/search")) {
            assertTrue(tracking.contains("POST /api/2.0/mlflow/" + e + " mlflow-java-client/2.17.2"), e + " " + log);
        }
        assertEquals(1, artifacts.size(), log.toString());
        assertTrue(artifacts.get(0).startsWith("PUT ") && !artifacts.get(0).contains("mlflow-java-client"));
        assertEquals(log.size(), server.authHeaders.size());
        assertTrue(server.authHeaders.stream().allMatch(h -> h.equals("Bearer " + SECRET)));
        FakeMlflowServer.Run r = server.runs.get(run.runId());
        assertEquals("r1", r.name);
        assertEquals(1000L, r.startTime);
        assertEquals(2000L, r.endTime);
        assertEquals("1", r.params.get("a"));
        assertEquals(1001L, r.metrics.get(0).timestamp());
        assertEquals(1, r.inputs.size());
    }

    @Test
    void basicCredentialsGoThroughTheClientsCreds() {
        String basic = "Basic " + Base64.getEncoder().encodeToString("ann:pw:x".getBytes(StandardCharsets.UTF_8));
        server.requireAuth(basic);
        MlflowRestApi api = api(Map.of("MLFLOW_TRACKING_USERNAME", "ann", "MLFLOW_TRACKING_PASSWORD", "pw:x"));
        api.experimentId("basic");
        assertTrue(server.authHeaders.stream().allMatch(basic::equals) && !server.authHeaders.isEmpty());
        // wrong credentials: 401 is an error the server meant, not an outage
        MlflowHttp.ApiError e = assertThrows(MlflowHttp.ApiError.class, () -> api(Map.of()).experimentId("x"));
        assertEquals(401, e.status());
        assertEquals("UNAUTHENTICATED", e.errorCode());
    }

    @Test
    void otherClientErrorsFailAtOnceWithMlflowsErrorCodeAndAreNotResent() {
        MlflowRestApi api = api(Map.of());
        String exp = api.experimentId("e");
        String runId = api.createRun(exp, "r", 1L, "u", List.of()).runId();
        int before = server.requests.get();
        MlflowHttp.ApiError e = assertThrows(MlflowHttp.ApiError.class, () -> api.logBatch(runId,
                List.of(new MlflowRestApi.KeyValue("bad key!", "v")), List.of(), List.of(), null));
        assertEquals(400, e.status());
        assertEquals("INVALID_PARAMETER_VALUE", e.errorCode());
        assertEquals(before + 1, server.requests.get(), "a 400 is sent once (the client's own retries are off)");
        assertTrue(api.experimentByName("missing").isEmpty(), "404 on get-by-name is 'no such experiment'");
        api.deleteRun("0123456789abcdef"); // a missing run is not an error
        assertTrue(api.runStatus("0123456789abcdef").isEmpty());
    }

    @Test
    void http503And429AreRetriedByOurPolicyThenUnavailable() {
        MlflowRestApi api = api(Map.of());
        String exp = api.experimentId("e");
        for (int status : new int[] {503, 429}) {
            server.failAfter(0, status);
            int before = server.requests.get();
            long t0 = System.nanoTime();
            MlflowHttp.Unavailable u = assertThrows(MlflowHttp.Unavailable.class, () -> api.searchRuns(exp));
            assertTrue(u.getMessage().contains("HTTP " + status + " after 3 attempt(s)"), u.getMessage());
            assertEquals(before + 3, server.requests.get(), "exactly our 3 attempts for " + status);
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "no client-side 429 back-off");
            server.recover();
        }
        assertEquals(0, api.searchRuns(exp).size(), "recovered");
    }

    @Test
    void connectionRefusedIsUnavailable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        MlflowRestApi api = TrackingUris.api("http://127.0.0.1:" + port, Map.of("MLFLOW_TRACKING_TOKEN", SECRET),
                THREE);
        MlflowHttp.Unavailable u = assertThrows(MlflowHttp.Unavailable.class, () -> api.experimentId("x"));
        assertTrue(u.getMessage().contains("after 3 attempt(s)"), u.getMessage());
        assertTrue(u.getMessage().contains("Connect"), u.getMessage());
        assertFalse(u.getMessage().contains(SECRET));
    }

    @Test
    void searchRunsFollowsPageTokens() {
        MlflowRestApi api = api(Map.of());
        String exp = api.experimentId("paged");
        for (int i = 0; i < 5; i++) {
            api.createRun(exp, "run " + i, i, "u", List.of());
        }
        server.pageLimit = 2;
        int before = server.requests.get();
        List<MlflowFileStoreReader.Run> runs = api.searchRuns(exp);
        assertEquals(5, runs.size());
        assertEquals(3, server.requests.get() - before, "pages of 2, 2 and 1");
        assertEquals(5, runs.stream().map(MlflowFileStoreReader.Run::runId).distinct().count());
    }
}
