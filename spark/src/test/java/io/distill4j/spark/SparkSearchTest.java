package io.distill4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.experiment.ResultsPaths;
import io.distill4j.experiment.SameResults;
import io.distill4j.experiment.StudyListener;
import io.distill4j.experiment.TrialDispatcher;
import io.distill4j.experiment.TrialTask;
import io.distill4j.search.CandidateResult;
import io.distill4j.search.Search;
import io.distill4j.search.SearchListener;
import io.distill4j.search.SearchRunner;
import io.distill4j.tracking.MlflowFileStore;
import io.distill4j.tracking.MlflowFileStoreReader;
import io.distill4j.tracking.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code distill4j search --engine spark} in {@code local[2]}: the generator (random, with median pruning) on the
 * driver, the teacher and the candidates as Spark tasks, two at a time; the same candidates, statuses, scores and
 * final study as the in-process search with two workers, the teacher trained once; a candidate whose task fails for
 * good is reported as failed and the search goes on.
 */
class SparkSearchTest {
    private static final String STUDY = """
            study: spark-search
            data:
              source: {type: synthetic, bars: 3000, seed: 9}
              features: {lookback: 4}
              labels: {horizon: 3}
            teacher: {type: mlp, hidden: [16], training: {epochs: 2, patience: 0}}
            student: {type: mlp, hidden: [4]}
            distillation: {loss: {type: hinton, temperature: 4, alpha: 0.5}}
            training: {epochs: 3, batch_size: 64}
            seeds: [1]
            search:
              strategy: random
              seed: 5
              budget: {candidates: 4}
              objective: {metric: accuracy}
              pruning: {type: median, warmup_epochs: 1, min_candidates: 1}
              parameters:
                distillation.loss.temperature: {type: uniform, min: 1, max: 8}
                distillation.loss.alpha: {type: uniform, min: 0.1, max: 0.9}
            """;

    @Test
    void aSearchOnSparkGivesTheInProcessSearch(@TempDir Path dir) throws Exception {
        Search search = load(dir);
        SearchRunner.Outcome reference;
        try (var store = new MlflowFileStore(dir.resolve("mlruns-reference"))) {
            reference = new SearchRunner(dir.resolve("results-reference"), store, SearchListener.NONE,
                    StudyListener.NONE, 2, null).run(search, false);
        }
        int fitsBefore = TrialTask.teacherFits();
        Path mlruns = dir.resolve("mlruns");
        SearchRunner.Outcome spark;
        try (var store = new MlflowFileStore(mlruns);
                TrialDispatcher engine = new SparkTrials.Factory().open("local[2]", mlruns.toString())) {
            spark = new SearchRunner(dir.resolve("results"), store, SearchListener.NONE, StudyListener.NONE, 2,
                    null).withDispatcher(engine).run(search, false);
        }
        // as in-process: once for the candidates (outputs on train and validation only, its own cache entry), once
        // for the final study (with test outputs); no candidate trains it
        assertEquals(2, TrialTask.teacherFits() - fitsBefore, "the teacher trained once per scope, by tasks");
        assertEquals(entries(ResultsPaths.teacherCache(dir.resolve("results-reference"))),
                entries(ResultsPaths.teacherCache(dir.resolve("results"))), "the in-process search's cache entries");

        assertEquals(5, reference.candidates().size(), "the default configuration and four candidates");
        assertEquals(reference.candidates().size(), spark.candidates().size());
        for (int i = 0; i < reference.candidates().size(); i++) {
            CandidateResult a = reference.candidates().get(i);
            CandidateResult b = spark.candidates().get(i);
            assertEquals(a.index(), b.index());
            assertEquals(a.assignments(), b.assignments());
            assertEquals(a.status(), b.status(), "candidate " + a.index() + ": " + b.reason());
            assertEquals(a.epochsRun(), b.epochsRun(), "candidate " + a.index());
            assertTrue(Double.isNaN(a.score()) ? Double.isNaN(b.score()) : Math.abs(a.score() - b.score()) <= 1e-6,
                    "candidate " + a.index() + ": " + b.score() + " vs " + a.score());
        }
        assertTrue(reference.candidates().stream().anyMatch(c -> c.status() == CandidateResult.Status.PRUNED),
                "the pruner's history reaches the tasks: some candidate is pruned");
        assertEquals(reference.best().orElseThrow().index(), spark.best().orElseThrow().index());
        SameResults.assertSame(reference.finalRun(), spark.finalRun());

        // every candidate tracked once, by its worker, under the driver's search run; nothing left RUNNING
        var reader = new MlflowFileStoreReader(mlruns);
        String exp = reader.experiments().stream().filter(e -> e.name().equals("spark-search")).findFirst()
                .orElseThrow().experimentId();
        var runs = reader.runs(exp);
        String parent = runs.stream().filter(r -> "search".equals(r.tags().get("distill4j.role"))).findFirst()
                .orElseThrow().runId();
        var candidates = runs.stream().filter(r -> "candidate".equals(r.tags().get("distill4j.role"))).toList();
        assertEquals(5, candidates.size());
        candidates.forEach(r -> assertEquals(parent, r.tags().get("mlflow.parentRunId")));
        assertEquals(List.of(), runs.stream().filter(r -> r.status() == RunStatus.RUNNING).toList());

        // resumed on the cluster: the candidates the workers recorded are not trained again, nor the final study
        List<String> dispatched = new java.util.concurrent.CopyOnWriteArrayList<>();
        SearchRunner.Outcome resumed;
        try (var store = new MlflowFileStore(mlruns);
                TrialDispatcher engine = new Spied(new SparkTrials.Factory().open("local[2]",
                        mlruns.toString()), dispatched, List.of())) {
            resumed = new SearchRunner(dir.resolve("results"), store, SearchListener.NONE, StudyListener.NONE, 2,
                    null).withDispatcher(engine).run(search, true);
        }
        assertEquals(List.of(), dispatched.stream().filter(t -> t.contains("\"kind\":\"candidate\"")).toList());
        assertEquals(1, dispatched.size(), "only the teacher's task (it reads the cache)");
        assertEquals(spark.candidates().stream().map(CandidateResult::score).toList(),
                resumed.candidates().stream().map(CandidateResult::score).toList());
        SameResults.assertSame(spark.finalRun(), resumed.finalRun());
    }

    @Test
    void aCandidateWhoseTaskFailsForGoodIsReportedAndTheSearchGoesOn(@TempDir Path dir) throws Exception {
        Search search = load(dir);
        Path mlruns = dir.resolve("mlruns");
        SearchRunner.Outcome out;
        try (var store = new MlflowFileStore(mlruns);
                TrialDispatcher engine = Spied.failing(new SparkTrials.Factory().open("local[2,2]",
                        mlruns.toString()), "\"kind\":\"candidate\",", "\"index\":1,")) {
            out = new SearchRunner(dir.resolve("results"), store, SearchListener.NONE, StudyListener.NONE, 2, null)
                    .withDispatcher(engine).run(search, false);
        }
        assertEquals(5, out.candidates().size(), "no candidate dropped");
        CandidateResult failed = out.candidates().stream().filter(c -> c.index() == 1).findFirst().orElseThrow();
        assertEquals(CandidateResult.Status.FAILED, failed.status());
        assertTrue(failed.reason().startsWith("the Spark task failed for good: ")
                && failed.reason().contains("failed 2 times") && failed.reason().contains("injected"),
                failed.reason());
        assertTrue(Files.isRegularFile(out.folder().resolve("search/candidates/1.json")), "recorded for resume");
        assertTrue(out.candidates().stream().filter(c -> c.index() != 1)
                .allMatch(c -> c.status() != CandidateResult.Status.FAILED), "the others kept");
        assertTrue(out.best().isPresent() && out.finalRun() != null, "the search went on to its final study");
    }

    /**
     * An engine that notes every task it is given in {@code seen}, and whose tasks containing all of
     * {@code failOn} (when not empty) throw on the worker, every attempt: a deterministic task failure, through
     * Spark's own retries.
     */
    record Spied(TrialDispatcher engine, List<String> seen, List<String> failOn) implements TrialDispatcher {
        /** {@code engine} failing the tasks that contain all of {@code needles}. */
        static Spied failing(TrialDispatcher engine, String... needles) {
            return new Spied(engine, new java.util.concurrent.CopyOnWriteArrayList<>(), List.of(needles));
        }

        @Override
        public void runTasks(List<String> tasks, List<String> labels, Work work, Consumer<Done> done) {
            seen.addAll(tasks);
            engine.runTasks(tasks, labels, failOn.isEmpty() ? work : new FailingWork(work, failOn), done);
        }

        @Override
        public String trackingUri() {
            return engine.trackingUri();
        }

        @Override
        public String describe() {
            return engine.describe();
        }

        @Override
        public void close() {
            engine.close();
        }
    }

    /** {@code work}, but throwing on a task that contains all of {@code needles}. */
    record FailingWork(TrialDispatcher.Work work, List<String> needles) implements TrialDispatcher.Work {
        @Override
        public String run(String task, String device) {
            if (needles.stream().allMatch(task::contains)) {
                throw new IllegalStateException("injected failure of the task matching " + needles);
            }
            return work.run(task, device);
        }
    }

    private static List<String> entries(Path folder) throws java.io.IOException {
        try (var files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private static Search load(Path dir) throws Exception {
        Path file = dir.resolve("spark-search.yaml");
        Files.writeString(file, STUDY);
        return Search.load(file, List.of());
    }
}
