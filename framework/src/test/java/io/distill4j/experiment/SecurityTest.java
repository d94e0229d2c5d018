package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distill4j.Distill4jException;
import io.distill4j.config.ConfigException;
import io.distill4j.config.Secrets;
import io.distill4j.config.StudyFileReader;
import io.distill4j.config.StudyFileWriter;
import io.distill4j.tracking.MlflowFileStore;
import io.distill4j.tracking.TrackedRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Untrusted input cannot reach the file system outside the results folder or instantiate classes, and secrets do not
 * reach tracking.
 */
class SecurityTest {
    private static final Path QUICKSTART = Path.of("../configs/quickstart.yaml");

    @TempDir
    Path dir;

    @Test
    void yamlTagsThatInstantiateClassesAreRejected() {
        for (String tag : List.of("!!java.net.URL [\"http://example.com\"]",
                "!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://x/\"]]]]",
                "!!java.io.File /etc/passwd", "!<tag:yaml.org,2002:java.lang.Runtime> {}")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> StudyFileReader.parse("t.yaml", "study: x\ndescription: " + tag + "\n"));
            assertTrue(e.getMessage().startsWith("t.yaml: description: YAML tag '"), e.getMessage());
            assertTrue(e.getMessage().contains("is not allowed"), e.getMessage());
        }
    }

    @Test
    void studyNamesThatLeaveTheResultsFolderAreRejected() throws IOException {
        String valid = Files.readString(QUICKSTART);
        for (String name : List.of("..", "../x", "a/b", "/tmp/x", "a\\\\b", ".", ".hidden", "C:x", "a\\u0000b")) {
            Path file = dir.resolve("s.yaml");
            Files.writeString(file, valid.replace("study: quickstart", "study: \"" + name + "\""));
            ConfigException e = assertThrows(ConfigException.class, () -> Study.load(file, List.of()), name);
            assertEquals("study", e.path(), e.getMessage());
        }
        ConfigException e = assertThrows(ConfigException.class,
                () -> Study.load(QUICKSTART, List.of("study=../escape")));
        assertEquals("study", e.path());
    }

    @Test
    void ensembleMemberNamesThatAreNotPlainNamesAreRejected() throws IOException {
        for (String name : List.of("../x", "a/b", "/abs", "..", "a.b")) {
            Path file = dir.resolve("e.yaml");
            Files.writeString(file, """
                    study: e
                    data:
                      source: {type: synthetic, bars: 5000, seed: 7}
                      features: {lookback: 16}
                      labels: {horizon: 6, threshold: auto}
                      split: {train: 0.6, validation: 0.2, test: 0.2, gap: auto}
                    teacher:
                      type: ensemble
                      members:
                        - {name: ok, type: mlp, hidden: [8]}
                        - {name: "%s", type: mlp, hidden: [8]}
                    student: {type: mlp, hidden: [4]}
                    distillation:
                      loss: {type: hinton, temperature: 2, alpha: 0.5}
                    seeds: [1]
                    """.formatted(name));
            ConfigException ex = assertThrows(ConfigException.class, () -> Study.load(file, List.of()), name);
            assertTrue(ex.getMessage().startsWith(file + ": teacher.members[1].name: "), ex.getMessage());
        }
    }

    @Test
    void resultsPathsStayInsideTheResultsFolder() {
        Path results = dir.resolve("results");
        assertEquals(results.resolve("quickstart"), ResultsPaths.studyFolder(results, "quickstart"));
        assertEquals(results.resolve("q").resolve("students").resolve("abc.zip"),
                ResultsPaths.studentModel(results, "q", "abc"));
        for (String bad : List.of("..", ".", "", "../x", "a/b", "/etc", "a\\b", "x\0y")) {
            Distill4jException e = assertThrows(Distill4jException.class,
                    () -> ResultsPaths.studyFolder(results, bad), bad);
            assertTrue(e.getMessage().startsWith("the name '" + bad + "' "), e.getMessage());
            assertThrows(Distill4jException.class, () -> ResultsPaths.studentModel(results, "q", bad), bad);
        }
    }

    @Test
    void secretLookingKeysAreMaskedInParamsAndConfigArtifacts() throws IOException {
        for (String k : List.of("token", "api_key", "apiKey", "tracking.mlflow_tracking_token", "password",
                "data.source.secret", "client-secret", "aws_access_key", "credentials", "grid.x.auth_token")) {
            assertTrue(Secrets.isSecretKey(k), k);
        }
        for (String k : List.of("training.epochs", "distillation.loss.temperature", "tokenizer", "max_tokens",
                "authors", "description", "study")) {
            assertFalse(Secrets.isSecretKey(k), k);
        }
        ObjectNode tree = StudyFileReader.parse("t.yaml", "study: x\ndata:\n  source: {type: csv, api_key: abc123,"
                + " password: [p, q]}\ntracking: {token: tok-xyz, experiment: e}\n");
        String yaml = StudyFileWriter.toYaml(Secrets.masked(tree));
        assertFalse(yaml.contains("abc123") || yaml.contains("tok-xyz") || yaml.contains("[p, q]"), yaml);
        assertTrue(yaml.contains("experiment: e"), yaml);
        assertEquals("abc123", tree.at("/data/source/api_key").asText(), "the original tree is not changed");

        Path store = dir.resolve("mlruns");
        try (MlflowFileStore s = new MlflowFileStore(store)) {
            TrackedRun run = s.startRun(s.experimentId("e"), "r", null, Map.of());
            Map<String, String> params = new LinkedHashMap<>();
            params.put("data.source.api_key", "abc123");
            params.put("training.epochs", "5");
            run.logParams(params);
            run.logParam("tracking.token", "tok-xyz");
            run.end(io.distill4j.tracking.RunStatus.FINISHED);
        }
        try (Stream<Path> files = Files.walk(store)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(f, StandardCharsets.UTF_8);
                assertFalse(text.contains("abc123") || text.contains("tok-xyz"), f.toString());
                if (f.getFileName().toString().equals("data.source.api_key")) {
                    assertEquals(Secrets.MASK, text);
                }
                if (f.getFileName().toString().equals("training.epochs")) {
                    assertEquals("5", text);
                }
            }
        }
    }

    /**
     * The environment is read in few, known places: {@code OMP_NUM_THREADS} (a tag, and shown by doctor), {@code PATH} (to
     * find nvidia-smi, never recorded), {@code LD_LIBRARY_PATH} (bench training hands it on to PyTorch), and the
     * whole environment handed by the command line to the tracking URI and
     * auth resolution, by run, runs, register and mlflow sync (MLflow's own variables; credentials only go into the
     * Authorization header, which
     * {@code MlflowRestTrackerTest} checks). A new read anywhere else fails this test until it is reviewed here.
     */
    @Test
    void theEnvironmentIsReadOnlyInReviewedPlaces() throws IOException {
        Map<String, List<String>> allowed = new java.util.HashMap<>(Map.of(
                "Provenance.java", List.of("\"OMP_NUM_THREADS\""),
                "NvidiaSmi.java", List.of("\"PATH\""),
                "DoctorCommand.java", List.of("\"OMP_NUM_THREADS\""),
                // bench training: shows OMP_NUM_THREADS; prepends OpenBLAS to the PyTorch child's LD_LIBRARY_PATH
                "BenchTrainingCommand.java", List.of("\"OMP_NUM_THREADS\"", "\"LD_LIBRARY_PATH\""),
                "RunCommand.java", List.of("", "", ""),
                "SearchCommand.java", List.of("", ""), // as RunCommand: tracking URI resolution and the tracker
                "RunsCommand.java", List.of("", ""),
                "RegisterCommand.java", List.of("", ""),
                "BenchCommand.java", List.of("", ""), // as RunsCommand: tracking URI resolution and the tracker
                "MlflowSyncCommand.java", List.of("")));
        // a cluster worker's trial task opens the tracker of the study's tracking URI, as RunCommand does
        allowed.put("TrialTask.java", List.of(""));
        Pattern getenv = Pattern.compile("System\\.getenv\\(([^)]*)\\)");
        int found = 0;
        for (Path root : List.of(Path.of("src/main/java"), Path.of("../experiments/src/main/java"))) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    List<String> reads = new java.util.ArrayList<>();
                    for (String line : Files.readAllLines(f)) {
                        if (line.trim().startsWith("*") || line.trim().startsWith("/*") || line.trim().startsWith("//")) {
                            continue; // documentation
                        }
                        Matcher m = getenv.matcher(line);
                        while (m.find()) {
                            reads.add(m.group(1));
                        }
                    }
                    found += reads.size();
                    assertEquals(allowed.getOrDefault(f.getFileName().toString(), List.of()), reads,
                            f + " reads the environment");
                }
            }
        }
        assertEquals(18, found);
        Map<String, String> env = System.getenv();
        for (Map.Entry<String, String> t : Provenance.tags().entrySet()) {
            env.forEach((k, v) -> {
                if (!k.equals("OMP_NUM_THREADS") && v.length() >= 12 && !v.contains(System.getProperty("java.version"))) {
                    assertFalse(t.getValue().contains(v), "tag " + t.getKey() + " contains the value of $" + k);
                }
            });
        }
    }
}
