package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.InputKind;
import io.distill4j.api.KlineSeries;
import io.distill4j.data.features.Contiguity;
import io.distill4j.data.features.FeatureEngineer;
import io.distill4j.data.features.PreparedData;
import io.distill4j.data.features.SampleSplit;
import io.distill4j.data.features.Standardiser;
import io.distill4j.distill.StudentDistiller;
import io.distill4j.tracking.MlflowFileStore;
import io.distill4j.tracking.MlflowFileStoreReader;
import io.distill4j.train.TeacherCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A tiny walk-forward study run twice (warm start on and off, one teacher cache): what each window's student starts
 * from, what the never-updated baseline is, and the lineage every tracking run and the summary record.
 */
class RollingStudyTest {
    private static final String STUDY = """
            study: walk
            seed: 3
            data:
              source: {type: synthetic, bars: 2400, seed: 11, interval: 5m}
              features: {lookback: 4}
              labels: {horizon: 3}
            rolling: {train_bars: 800, validation_bars: 160, test_bars: 300, windows: 3, warm_start: WARM}
            teacher:
              type: mlp
              hidden: [16]
              training: {epochs: 2, batch_size: 128, patience: 0}
            student: {type: mlp, hidden: [4]}
            distillation:
              loss: {type: hinton, temperature: 3, alpha: 0.5}
            training: {epochs: 2, batch_size: 128}
            seeds: [1]
            """;

    @TempDir
    static Path dir;
    static Study warm;
    static StudyRunner.Outcome warmRun;
    static Study cold;
    static StudyRunner.Outcome coldRun;
    static StudyRunner runner;

    @BeforeAll
    static void runBoth() throws Exception {
        Path warmFile = dir.resolve("walk.yaml");
        Files.writeString(warmFile, STUDY.replace("WARM", "true"));
        Path coldFile = dir.resolve("walk-cold.yaml");
        Files.writeString(coldFile, STUDY.replace("WARM", "false").replace("study: walk", "study: walk-cold"));
        warm = Study.load(warmFile, List.of());
        cold = Study.load(coldFile, List.of());
        try (var store = new MlflowFileStore(dir.resolve("mlruns"))) {
            runner = new StudyRunner(dir.resolve("results"), store, StudyListener.NONE, 2);
            warmRun = runner.run(warm);
            coldRun = runner.run(cold);
        }
    }

    private static TrialResult result(StudyRunner.Outcome outcome, Trial.Role role, int window, int seed,
            boolean neverUpdated) {
        return outcome.results().stream().filter(r -> r.trial().role() == role && r.trial().window() == window
                && r.trial().seed() == seed && r.trial().neverUpdated() == neverUpdated).findFirst().orElseThrow();
    }

    private static ComputationGraph cachedStudent(Trial trial) throws Exception {
        PreparedData data = context().data(trial.config());
        TeacherCache.Entry entry = runner.teacherCache().get(RollingTrials.cacheKey(trial, data)).orElseThrow();
        return ModelSerializer.restoreComputationGraph(entry.folder().resolve("teacher.zip").toFile(), false);
    }

    private static TrialContext context() {
        return new TrialContext(runner.teacherCache(), EvaluationScope.VALIDATION_AND_TEST, "cpu");
    }

    @Test
    void plansEveryWindowsTrialsAndRunsThemAll() {
        // per window: 1 teacher, 1 seed x (alone, re-distilled); windows 2 and 3 add a never-updated student each
        assertEquals(3 + 3 * 2 + 2, warm.trials().size());
        assertTrue(warmRun.results().stream().noneMatch(TrialResult::failed), warmRun.summary().toMarkdown());
        assertTrue(coldRun.results().stream().noneMatch(TrialResult::failed), coldRun.summary().toMarkdown());
        // one teacher per window, shared by both studies: warm_start is not part of a teacher's identity
        List<TrialResult> teachers = coldRun.results().stream().filter(r -> r.trial().role() == Trial.Role.TEACHER)
                .toList();
        assertEquals(3, teachers.size());
        teachers.forEach(t -> assertEquals(1.0, t.facts().get("from_cache"), t.trial().description()));
    }

    @Test
    void warmStartStartsFromThePreviousWindowsStudent() throws Exception {
        for (int seed : List.of(1)) {
            Trial w2 = result(warmRun, Trial.Role.DISTILLED, 1, seed, false).trial();
            Trial w1 = result(warmRun, Trial.Role.DISTILLED, 0, seed, false).trial();
            assertEquals(w1.id(), RollingTrials.source(w2).id());
            Trial w2cold = result(coldRun, Trial.Role.DISTILLED, 1, seed, false).trial();
            assertEquals(null, RollingTrials.source(w2cold));
            // w2's student is exactly what training from w1's student gives, and not what training from scratch gives
            ComputationGraph fromW1 = train(w2, cachedStudent(w1));
            ComputationGraph fromScratch = train(w2, null);
            INDArray actual = cachedStudent(w2).params();
            assertEquals(fromW1.params(), actual, "seed " + seed);
            assertNotEquals(fromScratch.params(), actual);
            // and the cold study's w2 student is the one trained from scratch
            assertEquals(fromScratch.params(), cachedStudent(w2cold).params());
        }
    }

    /** Trains {@code trial}'s student as the executor does, from {@code start}; its deployable graph. */
    private static ComputationGraph train(Trial trial, ComputationGraph start) {
        StudyConfig c = trial.config();
        TrialContext ctx = context();
        PreparedData data = ctx.data(c);
        TeacherCache.Entry teacher = ctx.teacher(TrialExecutorKey.of(ctx, c, trial)).orElseThrow();
        SampleSplit train = data.train();
        SampleSplit validation = data.validation();
        var task = data.target().task();
        var result = StudentDistiller.train(trial.description(), c.student(), c.newLosses(), List.of(),
                new io.distill4j.api.InputShape(data.featureNames().size(), data.lookback(), data.outputWidth()),
                c.training(),
                new StudentDistiller.SplitData(train.input(InputKind.TABULAR), train.trainingLabels(task),
                        Map.of(c.primaryTeacher(), teacher.split("train"))),
                new StudentDistiller.SplitData(validation.input(InputKind.TABULAR), validation.trainingLabels(task),
                        Map.of(c.primaryTeacher(), teacher.split("validation"))),
                TrialExecutor.initSeed(trial), TrialExecutor.shuffleSeed(trial), report -> { }, start);
        return io.distill4j.model.Networks.deployable(result.graph());
    }

    /** The teacher cache key of a trial's teacher, as the executor computes it. */
    private static final class TrialExecutorKey {
        static String of(TrialContext ctx, StudyConfig c, Trial trial) {
            return new TrialExecutor(ctx).teacherCacheKey(c, c.primaryTeacher(), trial.seed());
        }
    }

    @Test
    void theNeverUpdatedStudentIsWindowOnesStudentOnItsOwnStandardisation() throws Exception {
        KlineSeries bars = context().data(warm.trials().get(0).config()).series();
        double[][] raw = FeatureEngineer.compute(bars, Contiguity.of(bars, 300_000L));
        for (int window : List.of(1, 2)) {
            TrialResult nu = result(warmRun, Trial.Role.DISTILLED, window, 1, true);
            Trial w1 = result(warmRun, Trial.Role.DISTILLED, 0, 1, false).trial();
            assertEquals(w1.id(), RollingTrials.source(nu.trial()).id());
            Standardiser own = context().data(w1.config()).standardiser();
            SampleSplit test = context().data(nu.trial().config()).test();
            // by hand: window 1's standardisation of the raw features at the test bars, through window 1's student
            int[] testBars = test.barIndices();
            float[][] input = new float[testBars.length][];
            for (int k = 0; k < testBars.length; k++) {
                input[k] = own.apply(raw[testBars[k]]);
            }
            ComputationGraph student = cachedStudent(w1);
            int[] predicted = student.output(false, Nd4j.create(input))[0].argMax(1).toIntVector();
            assertEquals(TrialResult.predictionText(predicted), nu.testPredictions(), "window " + (window + 1));
            assertEquals(0.0, nu.facts().get("epochs_run"), "not trained again");
        }
        assertTrue(warmRun.results().stream().noneMatch(r -> r.trial().window() == 0 && r.trial().neverUpdated()));
    }

    @Test
    void everyRunRecordsItsWindowAndLineage() throws Exception {
        var reader = new MlflowFileStoreReader(dir.resolve("mlruns"));
        var experiment = reader.experiments().stream().filter(e -> e.name().equals("walk")).findFirst().orElseThrow();
        Map<String, MlflowFileStoreReader.Run> byName = reader.runs(experiment.experimentId()).stream()
                .collect(Collectors.toMap(MlflowFileStoreReader.Run::runName, Function.identity()));
        TrialResult w1 = result(warmRun, Trial.Role.DISTILLED, 0, 1, false);
        TrialResult w2 = result(warmRun, Trial.Role.DISTILLED, 1, 1, false);
        for (String name : List.of("teacher mlp[16] w2", "alone w2 s1", "kd w2 s1", "never-updated w2 s1")) {
            var run = byName.get(name);
            assertTrue(run != null, name + " in " + byName.keySet());
            assertEquals("w2", run.params().get("trial.rolling.window"), name);
            assertEquals("1", run.params().get("rolling.window"), name + ": the resolved config, 0-based");
            // by hand, gap 4 + 20 + 3 = 27: window 2 starts at bar 300 (step = test_bars); its train window
            // [300, 1100) holds the train part [300, 913), the gap and the validation part [940, 1100); its test
            // window follows another gap: [1127, 1427)
            assertTrue(run.params().get("trial.rolling.train").startsWith("bars [300, 913) "), name);
            assertTrue(run.params().get("trial.rolling.validation").startsWith("bars [940, 1100) "), name);
            assertTrue(run.params().get("trial.rolling.test").startsWith("bars [1127, 1427) "), name);
        }
        assertEquals("kd w1 s1 (trial " + w1.trial().id() + ")", byName.get("kd w2 s1").params()
                .get("trial.rolling.start"));
        assertEquals("scratch", byName.get("kd w1 s1").params().get("trial.rolling.start"));
        assertEquals("kd w1 s1 (trial " + w1.trial().id() + ")", byName.get("never-updated w2 s1").params()
                .get("trial.rolling.student"));
        assertTrue(byName.get("kd w2 s1").params().get("trial.rolling.teacher").contains("trained on w2"));
        assertEquals(1127.0, w2.facts().get("rolling.test_from_bar"));
        assertEquals(1427.0, w2.facts().get("rolling.test_to_bar"));
    }

    @Test
    void theSummaryHasTheWindowsTableAndTheCsv() throws Exception {
        String md = Files.readString(warmRun.folder().resolve("summary.md"));
        assertTrue(md.contains("## Walk-forward windows"), md);
        assertTrue(md.contains("|w3 | [600, 1213) |"), md);
        assertTrue(md.contains("Re-distilled minus never-updated student, paired over (window, seed) pairs"), md);
        List<String> csv = Files.readAllLines(warmRun.folder().resolve(RollingSummary.CSV));
        // windows 1 (teacher, re-distilled, alone) and 2, 3 (the never-updated too)
        assertEquals(1 + 3 + 4 + 4, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(1).startsWith("1,teacher,0,613,640,800,827,1127,"), csv.get(1));
        // the main table aggregates windows 2 and 3 over seeds: 2 runs per student method
        Map<String, Integer> runs = new LinkedHashMap<>();
        warmRun.summary().rows().forEach(r -> runs.put(r.method(), r.metric("accuracy").n()));
        assertEquals(2, runs.get("distilled"), runs.toString());
        assertEquals(2, runs.get("distilled never-updated"), runs.toString());
        assertEquals(2, runs.get("student-alone"), runs.toString());
    }
}
