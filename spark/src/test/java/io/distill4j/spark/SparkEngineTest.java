package io.distill4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.experiment.SameResults;
import io.distill4j.experiment.Study;
import io.distill4j.experiment.StudyListener;
import io.distill4j.experiment.StudyRunner;
import io.distill4j.experiment.Trial;
import io.distill4j.experiment.TrialDispatcher;
import io.distill4j.experiment.TrialResult;
import io.distill4j.experiment.TrialTask;
import io.distill4j.tracking.MlflowFileStore;
import io.distill4j.tracking.MlflowFileStoreReader;
import io.distill4j.tracking.RunStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --engine spark} in {@code local[2]}: a study (two teachers, one per seed, and a 2-stage chain) gives the
 * in-process engine's trial ids, metrics and summary, each teacher trained once, each trial tracked once.
 */
class SparkEngineTest {
    private static final String STUDY = """
            study: sparked
            data:
              source: {type: synthetic, bars: 3000, seed: 5}
              features: {lookback: 4}
              labels: {horizon: 3}
            teacher: {type: mlp, hidden: [16], training: {epochs: 2, patience: 0}}
            student: {type: mlp, hidden: [4]}
            distillation: {loss: {type: hinton, temperature: 2}}
            training: {epochs: 2, batch_size: 64}
            grid:
              distillation.loss.alpha: [0.3, 0.7]
            seeds: [1, 2]
            seeds_vary: teacher_and_student
            """;

    private static final String CHAIN = """
            study: sparkchain
            data:
              source: {type: synthetic, bars: 2000, seed: 5}
              features: {lookback: 4}
              labels: {horizon: 3}
            teacher: {type: mlp, hidden: [16, 16], training: {epochs: 2, patience: 0}}
            chain:
              stages: [{type: mlp, hidden: [8]}, {type: mlp, hidden: [4]}]
              epochs: [2, 2]
            distillation:
              loss: {type: hinton, temperature: 3, alpha: 0.5}
            training: {epochs: 1}
            seeds: [1]
            """;

    /**
     * A gradient-boosted teacher: XGBoost's Java API (artifact {@code xgboost4j_2.12}) trains on the Spark module's
     * class path, whose Scala library is Spark 4's 2.13.
     */
    @Test
    void aGbtTeacherTrainsBesideSparkFour(@TempDir Path dir) throws Exception {
        Study study = load(dir, "sparkgbt", STUDY.replace("study: sparked", "study: sparkgbt")
                .replace("teacher: {type: mlp, hidden: [16], training: {epochs: 2, patience: 0}}",
                        "teacher: {type: gbt, rounds: 10, max_depth: 2}")
                .replace("distillation.loss.alpha: [0.3, 0.7]", "distillation.loss.alpha: [0.5]")
                .replace("seeds: [1, 2]", "seeds: [1]"));
        compare(dir, study, 1);
    }

    @Test
    void localTwoGivesTheInProcessResults(@TempDir Path dir) throws Exception {
        Study study = load(dir, "sparked", STUDY);
        assertEquals(2, study.trials().stream().filter(t -> t.role() == Trial.Role.TEACHER).count());
        compare(dir, study, 2);
    }

    @Test
    void aChainKeepsItsStageOrder(@TempDir Path dir) throws Exception {
        Study study = load(dir, "sparkchain", CHAIN);
        assertEquals(2, study.trials().stream().filter(t -> t.role() == Trial.Role.CHAIN_STAGE).count());
        compare(dir, study, 1);
    }

    /**
     * A task that cannot run (its results folder is a file) is retried by Spark ({@code local[2,2]}: 2 attempts),
     * then comes back as a failed trial with Spark's reason, not dropped.
     */
    @Test
    void aTaskThatFailsForGoodIsAFailedTrial(@TempDir Path dir) throws Exception {
        Study study = load(dir, "sparked", STUDY);
        Trial student = study.trials().stream().filter(t -> t.role() == Trial.Role.STUDENT_ALONE).findFirst()
                .orElseThrow();
        Path notAFolder = Files.writeString(dir.resolve("results-is-a-file"), "x");
        List<TrialResult> out;
        try (TrialDispatcher engine = new SparkTrials.Factory().open("local[2,2]",
                notAFolder.resolve("mlruns").toString())) {
            out = engine.run(List.of(student), new TrialDispatcher.Batch(notAFolder, "1", "parent"));
        }
        assertEquals(1, out.size());
        assertEquals(student.id(), out.get(0).trialId());
        assertTrue(out.get(0).failed());
        assertTrue(out.get(0).failure().startsWith("the Spark task failed for good: ")
                && out.get(0).failure().contains("failed 2 times"), out.get(0).failure());
    }

    /**
     * A study whose one trial's task throws on the worker at every attempt: the study still completes, that trial
     * reported failed with Spark's reason (summary and ledger), the others kept; then {@code --resume} on a healthy
     * engine dispatches only that trial, taking the others (and the cached teachers) from the ledger.
     */
    @Test
    void aTrialThatFailsForGoodIsReportedAndResumeRunsOnlyIt(@TempDir Path dir) throws Exception {
        Study study = load(dir, "sparked", STUDY);
        Trial victim = study.trials().stream().filter(t -> t.role() == Trial.Role.DISTILLED).findFirst()
                .orElseThrow();
        Path mlruns = dir.resolve("mlruns");
        StudyRunner.Outcome first;
        try (var store = new MlflowFileStore(mlruns);
                TrialDispatcher engine = SparkSearchTest.Spied.failing(new SparkTrials.Factory().open("local[2,2]",
                        mlruns.toString()), "\"id\":\"" + victim.id() + "\"")) {
            first = new StudyRunner(dir.resolve("results"), store, StudyListener.NONE, 1).withDispatcher(engine)
                    .run(study);
        }
        Map<String, TrialResult> a = SameResults.byId(first.results());
        assertEquals(study.trials().size(), a.size(), "no trial dropped");
        TrialResult failed = a.get(victim.id());
        assertTrue(failed.failed() && failed.failure().startsWith("the Spark task failed for good: ")
                && failed.failure().contains("injected"), failed.failure());
        assertEquals(List.of(victim.id()), a.values().stream().filter(TrialResult::failed).map(TrialResult::trialId)
                .toList(), "the others kept");
        assertTrue(Files.readString(first.folder().resolve("summary.md")).contains("failed"), "reported");
        assertEquals(java.util.Optional.of("failed"), new io.distill4j.experiment.TrialLedger(
                first.folder().resolve("trials")).status(victim.id()));

        List<String> dispatched = new java.util.concurrent.CopyOnWriteArrayList<>();
        StudyRunner.Outcome resumed;
        try (var store = new MlflowFileStore(mlruns);
                TrialDispatcher engine = new SparkSearchTest.Spied(new SparkTrials.Factory().open("local[2]",
                        mlruns.toString()), dispatched, List.of())) {
            resumed = new StudyRunner(dir.resolve("results"), store, StudyListener.NONE, 1).withDispatcher(engine)
                    .run(study, true);
        }
        assertEquals(1, dispatched.size(), "only the failed trial ran again");
        assertTrue(dispatched.get(0).contains(victim.id()), dispatched.get(0));
        Map<String, TrialResult> b = SameResults.byId(resumed.results());
        assertEquals(a.keySet(), b.keySet());
        assertTrue(!b.get(victim.id()).failed() && !b.get(victim.id()).fromLedger(), b.get(victim.id()).failure());
        for (String id : a.keySet()) {
            if (!id.equals(victim.id())) {
                assertTrue(b.get(id).fromLedger(), id + " taken from the ledger");
                assertEquals(a.get(id).test("accuracy"), b.get(id).test("accuracy"), id);
            }
        }
    }

    /** The driver hears of a task as it ends: a task waiting for the first one's report is released by it. */
    @Test
    void eachTaskIsReportedAsItEnds() {
        List<String> order = new java.util.ArrayList<>();
        try (TrialDispatcher engine = new SparkTrials.Factory().open("local[2]", "/tmp/unused")) {
            engine.runTasks(List.of("slow", "fast"), List.of("slow", "fast"), new WaitingWork(), d -> {
                order.add(d.result());
                if ("fast".equals(d.result())) {
                    WaitingWork.FAST_REPORTED.countDown();
                }
            });
        }
        assertEquals(List.of("fast", "slow after fast was reported"), order);
    }

    /** "slow" returns only once the driver reported "fast" (or says it timed out). */
    static final class WaitingWork implements TrialDispatcher.Work {
        private static final long serialVersionUID = 1L;
        static final java.util.concurrent.CountDownLatch FAST_REPORTED = new java.util.concurrent.CountDownLatch(1);

        @Override
        public String run(String task, String device) {
            if (task.equals("fast")) {
                return "fast";
            }
            try {
                return FAST_REPORTED.await(60, java.util.concurrent.TimeUnit.SECONDS) ? "slow after fast was reported"
                        : "slow, fast never reported";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
    }

    private static void compare(Path dir, Study study, int teachers) throws IOException {
        StudyRunner.Outcome reference;
        try (var store = new MlflowFileStore(dir.resolve("mlruns-reference"))) {
            reference = new StudyRunner(dir.resolve("results-reference"), store, StudyListener.NONE, 1).run(study);
        }
        Path mlruns = dir.resolve("mlruns");
        int fitsBefore = TrialTask.teacherFits();
        StudyRunner.Outcome spark;
        try (var store = new MlflowFileStore(mlruns);
                TrialDispatcher engine = new SparkTrials.Factory().open("local[2]", mlruns.toString())) {
            assertTrue(engine.describe().startsWith("spark local[2]"), engine.describe());
            spark = new StudyRunner(dir.resolve("results"), store, StudyListener.NONE, 1).withDispatcher(engine)
                    .run(study);
        }
        // the cache entries trained: each teacher once, and each chain stage's student (the next stage's teacher)
        long stages = study.trials().stream().filter(t -> t.role() == Trial.Role.CHAIN_STAGE).count();
        assertEquals(teachers + stages, TrialTask.teacherFits() - fitsBefore, "each teacher trained once");

        SameResults.assertSame(reference, spark);
        Map<String, TrialResult> a = SameResults.byId(spark.results());
        assertTrue(Files.isRegularFile(spark.folder().resolve("summary.md")));

        // every trial tracked once (by its worker) under the driver's parent run; nothing left RUNNING
        var reader = new MlflowFileStoreReader(mlruns);
        String exp = reader.experiments().stream().filter(e -> e.name().equals(study.name())).findFirst()
                .orElseThrow().experimentId();
        List<MlflowFileStoreReader.Run> runs = reader.runs(exp);
        Map<String, Long> perTrial = runs.stream()
                .filter(r -> r.status() == RunStatus.FINISHED && r.tags().containsKey("distill4j.trial_id"))
                .collect(Collectors.groupingBy(r -> r.tags().get("distill4j.trial_id"), Collectors.counting()));
        assertEquals(a.keySet(), perTrial.keySet());
        perTrial.forEach((id, n) -> assertEquals(1L, n, "trial " + id));
        assertEquals(List.of(), runs.stream().filter(r -> r.status() == RunStatus.RUNNING).toList());
        // student models were exported by the workers into the shared results folder, as in-process
        assertEquals(names(reference.folder().resolve("students")), names(spark.folder().resolve("students")));
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private static Study load(Path dir, String name, String text) throws IOException {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, text);
        return Study.load(file, List.of());
    }
}
