package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.train.TeacherCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trial executor on its own: one trial in, one result out, the same in a child JVM as in this one; and a
 * validation-only scope that never touches the test split.
 */
class TrialExecutorTest {
    static final String STUDY = """
            study: executor
            seed: 5
            data:
              source: {type: synthetic, bars: 2000, seed: 13, interval: 5m}
              features: {lookback: 4}
              labels: {horizon: 3}
            teacher:
              type: mlp
              hidden: [12]
              training: {epochs: 2, batch_size: 128, patience: 0}
            student: {type: mlp, hidden: [4]}
            distillation:
              loss: {type: hinton, temperature: 3, alpha: 0.5}
            training: {epochs: 2, batch_size: 128}
            seeds: [1]
            """;

    @TempDir
    static Path dir;
    static Study study;

    @BeforeAll
    static void load() throws Exception {
        Path file = dir.resolve("executor.yaml");
        Files.writeString(file, STUDY);
        study = Study.load(file, List.of());
    }

    private static Trial trial(Trial.Role role) {
        return study.trials().stream().filter(t -> t.role() == role).findFirst().orElseThrow();
    }

    @Test
    void aTrialRunsInAChildJvmFromItsDescriptionWithTheSameResult() throws Exception {
        Path cache = dir.resolve("cache");
        TrialExecutor executor = new TrialExecutor(TrialContext.at(cache, EvaluationScope.VALIDATION_AND_TEST, "cpu"));
        TrialResult teacher = executor.execute(trial(Trial.Role.TEACHER), TrialListener.NONE);
        assertFalse(teacher.failed(), teacher.failure());
        Trial distilled = trial(Trial.Role.DISTILLED);
        TrialResult here = executor.execute(distilled, TrialListener.NONE);
        assertFalse(here.failed(), here.failure());

        Path description = dir.resolve("trial.json");
        Files.write(description, TrialCodec.JSON.writeValueAsBytes(TrialCodec.encode(distilled)));
        Path out = dir.resolve("result.json");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), TrialMain.class.getName(), description.toString(),
                cache.toString(), out.toString()));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile()).start();
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, child.exitValue(), () -> "child JVM failed: " + read(dir.resolve("child.log")));
        TrialResult there = TrialCodec.decodeResult(distilled, TrialCodec.JSON.readTree(out.toFile()));

        assertNull(there.failure());
        assertEquals(here.test(), there.test(), "test metrics: the same trial, the same numbers, in any JVM");
        assertEquals(here.validation(), there.validation());
        assertEquals(here.parameters(), there.parameters());
        assertTrue(here.test().get("accuracy") > 0.2);
    }

    @Test
    void aLinearStudentIsDistilledAndCountedLikeAnyStudent() throws Exception {
        Study linear = Study.load(dir.resolve("executor.yaml"), List.of("student={type: linear}"));
        TrialExecutor executor = new TrialExecutor(TrialContext.at(dir.resolve("cache-linear"),
                EvaluationScope.VALIDATION_AND_TEST, "cpu"));
        for (Trial.Role role : List.of(Trial.Role.TEACHER, Trial.Role.DISTILLED)) {
            Trial trial = linear.trials().stream().filter(t -> t.role() == role).findFirst().orElseThrow();
            TrialResult result = executor.execute(trial, TrialListener.NONE);
            assertFalse(result.failed(), result.failure());
            if (role == Trial.Role.DISTILLED) {
                assertEquals((12 + 1) * 3, result.parameters(), "softmax(W x + b): (features + 1) * classes");
                assertTrue(result.test().get("accuracy") > 0.2, result.test().toString());
            }
        }
    }

    /**
     * {@code distillation.recency} reaches the distilled trial (its run parameter, a different student than without
     * it, same seeds) and not the student-alone baseline.
     */
    @Test
    void recencyWeightsReachTheDistilledTrialOnly() throws Exception {
        Study weighted = Study.load(dir.resolve("executor.yaml"),
                List.of("distillation.recency={half_life_bars: 20, apply_to: both}"));
        TrialExecutor executor = new TrialExecutor(TrialContext.at(dir.resolve("cache-recency"),
                EvaluationScope.VALIDATION_AND_TEST, "cpu"));
        java.util.Map<Trial.Role, java.util.Map<String, String>> params = new java.util.EnumMap<>(Trial.Role.class);
        TrialListener capture = new TrialListener() {
            @Override
            public void described(Trial trial, java.util.Map<String, String> p, java.util.Map<String, String> tags) {
                params.put(trial.role(), p);
            }
        };
        executor.execute(weighted.trials().stream().filter(t -> t.role() == Trial.Role.TEACHER).findFirst()
                .orElseThrow(), capture);
        TrialResult withRecency = executor.execute(weighted.trials().stream()
                .filter(t -> t.role() == Trial.Role.DISTILLED).findFirst().orElseThrow(), capture);
        TrialResult alone = executor.execute(weighted.trials().stream()
                .filter(t -> t.role() == Trial.Role.STUDENT_ALONE).findFirst().orElseThrow(), capture);
        TrialResult without = executor.execute(trial(Trial.Role.DISTILLED), TrialListener.NONE);
        assertFalse(withRecency.failed(), withRecency.failure());
        assertFalse(alone.failed(), alone.failure());
        assertEquals("half_life=20,apply_to=both", params.get(Trial.Role.DISTILLED).get("trial.recency"));
        assertNull(params.get(Trial.Role.STUDENT_ALONE).get("trial.recency"));
        assertTrue(withRecency.test().get("log_loss") != without.test().get("log_loss").doubleValue(),
                "the weights did not change the student: " + withRecency.test() + " vs " + without.test());
    }

    @Test
    void aTrialDescriptionRoundTripsAndRejectsATamperedOne() {
        Trial distilled = trial(Trial.Role.DISTILLED);
        var json = TrialCodec.encode(distilled);
        assertEquals(distilled, TrialCodec.decodeTrial(json));
        json.put("seed", 99);
        assertThrows(IllegalArgumentException.class, () -> TrialCodec.decodeTrial(json));
    }

    @Test
    void validationOnlyScopeNeverReadsTheTestSplit() {
        Path cache = dir.resolve("cache-validation");
        TrialExecutor executor = new TrialExecutor(TrialContext.at(cache, EvaluationScope.VALIDATION_ONLY, "cpu"));
        TrialResult teacher = executor.execute(trial(Trial.Role.TEACHER), TrialListener.NONE);
        TrialResult student = executor.execute(trial(Trial.Role.DISTILLED), TrialListener.NONE);
        assertFalse(student.failed(), student.failure());
        assertTrue(teacher.test().isEmpty(), "no test metrics for the teacher");
        assertTrue(student.test().isEmpty(), "no test metrics for the student");
        assertTrue(student.validation().containsKey("accuracy"));
        String key = executor.teacherCacheKey(trial(Trial.Role.TEACHER).config(), "teacher", -1);
        TeacherCache.Entry entry = new TeacherCache(cache).get(key).orElseThrow();
        assertEquals(Set.of("train", "validation"), entry.outputs().keySet(), "the teacher never inferred the test split");
    }

    @Test
    void trialDataRefusesSplitsOutsideItsScope() {
        var data = new TrialContext(new TeacherCache(dir.resolve("unused")), EvaluationScope.VALIDATION_ONLY, "cpu")
                .data(trial(Trial.Role.TEACHER).config());
        TrialData scoped = new TrialData(data, EvaluationScope.VALIDATION_ONLY);
        assertEquals(data.validation(), scoped.split("validation"));
        assertThrows(IllegalStateException.class, () -> scoped.split("test"));
        assertEquals(List.of("train", "validation"), List.copyOf(scoped.inputs().keySet()));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return "(no log)";
        }
    }
}
