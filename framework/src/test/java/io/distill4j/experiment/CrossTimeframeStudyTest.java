package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.data.features.CrossTimeframeData;
import io.distill4j.tracking.MlflowFileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny cross-timeframe study on synthetic data: the student on the 5-minute aggregation of a 1-minute market, one
 * teacher on the 1-minute bars and one on the 5-minute bars (a grid over {@code teacher_data}).
 */
class CrossTimeframeStudyTest {
    private static final String STUDY = """
            study: xtf
            data:
              source: {type: synthetic, bars: 12000, seed: 5, interval: 1m, resample: 5m}
              features: {lookback: 8}
              labels: {horizon: 6}
            teacher: {type: mlp, hidden: [16], training: {epochs: 2, patience: 0}}
            student: {type: mlp, hidden: [4]}
            distillation: {loss: {type: hinton, temperature: 2, alpha: 0.5}}
            training: {epochs: 1}
            grid:
              teacher_data:
                - source: {type: synthetic, bars: 12000, seed: 5, interval: 1m}
                  features: {lookback: 16}
                  labels: {horizon: 30}
                - source: {type: synthetic, bars: 12000, seed: 5, interval: 1m, resample: 5m}
                  features: {lookback: 8}
                  labels: {horizon: 6}
            seeds: [1]
            """;

    @Test
    void distilsA1mTeacherAndA5mTeacherIntoTheSame5mStudentOnTheSameSamples(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("xtf.yaml");
        Files.writeString(file, STUDY);
        Study study = Study.load(file, List.of());
        assertEquals(2, study.cells().size());
        StudyConfig oneMinute = StudyConfig.parse(study.file(), study.cells().get(0).resolved());
        StudyConfig fiveMinute = StudyConfig.parse(study.file(), study.cells().get(1).resolved());
        assertNotEquals(StudyRunner.teacherKey(oneMinute, "teacher", 1),
                StudyRunner.teacherKey(fiveMinute, "teacher", 1), "a 1m and a 5m teacher never share a cache entry");
        try (var store = new MlflowFileStore(dir.resolve("mlruns"))) {
            var runner = new StudyRunner(dir.resolve("results"), store, StudyListener.NONE, 1);
            var outcome = runner.run(study);
            assertTrue(outcome.results().stream().noneMatch(TrialResult::failed), outcome.summary().toMarkdown());
            assertEquals(2, runner.teacherCache().fitCount());
            for (StudyConfig c : List.of(oneMinute, fiveMinute)) {
                int test = CrossTimeframeData.prepare(c.data(), c.teacherData().orElseThrow()).student().test().size();
                var students = outcome.results().stream().filter(r -> r.trial().role() != Trial.Role.TEACHER)
                        .filter(r -> r.trial().config().teacherData().equals(c.teacherData())).toList();
                assertEquals(2, students.size(), "distilled and student-alone");
                for (TrialResult r : students) {
                    assertEquals(test, r.testPredictions().length(), "same aligned samples for " + r.trial().role());
                }
            }
            String summary = outcome.summary().toMarkdown();
            assertTrue(summary.contains("cross-timeframe: teacher on 1m bars"), summary);
            assertTrue(summary.contains("cross-timeframe: teacher on 5m bars"), summary);
        }
    }
}
