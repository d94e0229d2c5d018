package io.distill4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.config.ConfigHash;
import io.distill4j.experiment.Study;
import io.distill4j.experiment.StudyListener;
import io.distill4j.experiment.Trial;
import io.distill4j.experiment.TrialResult;
import io.distill4j.tracking.MlflowFileStore;
import io.distill4j.tracking.MlflowFileStoreReader;
import io.distill4j.tracking.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny search end to end: candidates on validation only, best.yaml, the final comparison, tracking. */
class SearchTest {
    static final String STUDY = """
            study: tiny-search
            data:
              source: {type: synthetic, bars: 4000, seed: 9}
              features: {lookback: 4}
              labels: {horizon: 3}
            teacher: {type: mlp, hidden: [16], training: {epochs: 2, patience: 0}}
            student: {type: mlp, hidden: [4]}
            distillation: {loss: {type: hinton, temperature: 4, alpha: 0.5}}
            training: {epochs: 4, batch_size: 64}
            seeds: [1, 2]
            search:
              strategy: random
              seed: 5
              budget: {candidates: 3}
              objective: {metric: accuracy}
              parameters:
                distillation.loss.temperature: {type: uniform, min: 1, max: 8}
                distillation.loss.alpha: {type: uniform, min: 0.1, max: 0.9}
            """;

    static Path write(Path dir, String text) throws Exception {
        Path file = dir.resolve("tiny-search.yaml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void bestYamlKeepsRelativeFilesOfTheStudyAndRoundTrips(@TempDir Path dir) throws Exception {
        Path configs = Files.createDirectories(dir.resolve("configs"));
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/k.csv"), "x");
        Path file = configs.resolve("tiny-search.yaml");
        Files.writeString(file, STUDY.replace("source: {type: synthetic, bars: 4000, seed: 9}",
                "source: {type: csv, path: ../data/k.csv}"));
        Search search = Search.load(file, List.of());
        var assignments = new java.util.LinkedHashMap<String, com.fasterxml.jackson.databind.JsonNode>();
        assignments.put("distillation.loss.temperature", com.fasterxml.jackson.databind.node.DoubleNode.valueOf(2.5));
        assignments.put("distillation.loss.alpha", com.fasterxml.jackson.databind.node.DoubleNode.valueOf(0.25));
        CandidateResult best = new CandidateResult(3, new double[] {0.2, 0.2}, assignments, "x",
                CandidateResult.Status.FINISHED, 0.5, List.of(), List.of(), null, 0, null);
        Path written = dir.resolve("results/tiny-search/best.yaml");
        SearchRunner.writeBest(search, best, written);
        Study reread = Study.load(written, List.of());
        assertEquals(dir.resolve("data/k.csv").toAbsolutePath().normalize(),
                ((io.distill4j.data.DataConfig.CsvSource) reread.base().data().source()).path());
        assertEquals(2.5, reread.base().lossSection().get("temperature").asDouble());
        assertEquals(0.25, reread.base().lossSection().get("alpha").asDouble());
        assertFalse(reread.tree().has("search"), "best.yaml is a plain study");
        assertEquals(List.of(1, 2), reread.seeds());
        // written again from what was read, the study is the same tree: it round-trips through the reader
        Path again = dir.resolve("again.yaml");
        io.distill4j.config.StudyFileWriter.write(again, reread.tree());
        assertEquals(ConfigHash.of(reread.tree()), ConfigHash.of(Study.load(again, List.of()).tree()));
    }

    @Test
    void randomSearchScoresOnValidationOnlyThenRunsTheBestOnTest(@TempDir Path dir) throws Exception {
        Search search = Search.load(write(dir, STUDY), List.of());
        Path results = dir.resolve("results");
        SearchRunner.Outcome out;
        try (var store = new MlflowFileStore(dir.resolve("mlruns"))) {
            out = new SearchRunner(results, store, SearchListener.NONE, StudyListener.NONE, 1, null)
                    .run(search, false);
        }
        assertEquals(4, out.candidates().size(), "the default configuration, then three candidates");
        assertEquals(-1, out.candidates().get(0).index());
        assertEquals(search.defaultResolved(), out.candidates().get(0).trials().get(0).trial().resolved());
        for (CandidateResult c : out.candidates()) {
            assertEquals(CandidateResult.Status.FINISHED, c.status(), c.reason());
            assertEquals(2, c.trials().size());
            double mean = (c.trials().get(0).validation("accuracy") + c.trials().get(1).validation("accuracy")) / 2;
            assertEquals(mean, c.score(), 1e-12, "the score is the mean over the seeds");
            for (TrialResult t : c.trials()) {
                assertEquals(Map.of(), t.test(), "a candidate has no test metric");
                assertEquals("", t.testPredictions(), "a candidate predicts no test sample");
                double temperature = c.assignments().get("distillation.loss.temperature").asDouble();
                assertTrue(temperature >= 1 && temperature <= 8, "in range: " + temperature);
                assertEquals(temperature, t.trial().config().lossSection().get("temperature").asDouble());
            }
        }
        double bestScore = out.candidates().stream().mapToDouble(CandidateResult::score).max().orElseThrow();
        assertEquals(bestScore, out.best().orElseThrow().score());
        assertTrue(bestScore >= out.candidates().get(0).score(), "at least as good as the default on validation");

        // best.yaml is a ready-to-run study with the best values, read back by the study reader
        Path best = out.folder().resolve("best.yaml");
        Study reread = Study.load(best, List.of());
        assertEquals(1, reread.cells().size());
        assertEquals(ConfigHash.of(search.resolved(out.best().orElseThrow().assignments())),
                ConfigHash.of(reread.cells().get(0).resolved()));
        assertEquals(List.of(1, 2), reread.seeds());

        // the final run: default, best and the student alone, each on both seeds, scored on test
        Map<String, List<Double>> rows = out.summary().finalRows();
        assertTrue(rows.keySet().containsAll(List.of("student-alone", "default", "best")), rows.toString());
        rows.values().forEach(v -> assertEquals(2, v.size()));
        rows.values().forEach(v -> v.forEach(x -> assertTrue(x > 0 && x < 1, "a test accuracy: " + x)));
        String text = Files.readString(out.folder().resolve("search.md"));
        assertTrue(text.contains("## Top candidates"), text);
        assertTrue(text.contains("- best vs default: difference"), text);
        assertTrue(Files.isRegularFile(out.folder().resolve("summary.md")));

        // tracking: a search parent, three candidate children, each parent of its two trials
        var reader = new MlflowFileStoreReader(dir.resolve("mlruns"));
        String exp = reader.experiments().stream().filter(e -> e.name().equals("tiny-search")).findFirst()
                .orElseThrow().experimentId();
        List<MlflowFileStoreReader.Run> runs = reader.runs(exp);
        var parent = runs.stream().filter(r -> "search".equals(r.tags().get("distill4j.role"))).toList();
        assertEquals(1, parent.size());
        var candidates = runs.stream().filter(r -> "candidate".equals(r.tags().get("distill4j.role"))).toList();
        assertEquals(4, candidates.size());
        for (var c : candidates) {
            assertEquals(parent.get(0).runId(), c.tags().get("mlflow.parentRunId"));
            assertEquals(RunStatus.FINISHED, c.status());
            assertEquals("FINISHED", c.tags().get("distill4j.status"));
        }
        Map<String, Long> children = runs.stream().filter(r -> r.tags().containsKey("mlflow.parentRunId"))
                .collect(Collectors.groupingBy(r -> r.tags().get("mlflow.parentRunId"), Collectors.counting()));
        candidates.forEach(c -> assertEquals(2L, children.get(c.runId()), "two trials per candidate"));
        var candidateIds = candidates.stream().map(MlflowFileStoreReader.Run::runId).toList();
        var candidateTrials = runs.stream().filter(r -> candidateIds.contains(r.tags().get("mlflow.parentRunId")))
                .toList();
        assertEquals(8, candidateTrials.size());
        for (var r : candidateTrials) {
            assertTrue(r.metrics().keySet().stream().noneMatch(k -> k.startsWith("test_")), r.metrics().keySet()
                    .toString());
            assertTrue(r.metrics().containsKey("val_accuracy"));
        }

        // the candidates' teacher was trained and inferred on train and validation only
        var cache = io.distill4j.experiment.ResultsPaths.teacherCache(results);
        var scoped = new io.distill4j.experiment.TrialExecutor(io.distill4j.experiment.TrialContext.at(cache,
                io.distill4j.experiment.EvaluationScope.VALIDATION_ONLY, "cpu"));
        String key = scoped.teacherCacheKey(search.defaults().base(), "teacher", -1);
        assertEquals(java.util.Set.of("train", "validation"),
                new io.distill4j.train.TeacherCache(cache).get(key).orElseThrow().outputs().keySet());
    }
}
