package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.runtime.StudentModel;
import io.distill4j.tracking.MlflowFileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny study with a declared feature set: the set is part of the teacher-cache key (another set never reuses a
 * teacher), the networks read the declared width, and every student's {@code .d4jr} carries the set.
 */
class DeclaredFeaturesStudyTest {
    private static final String STUDY = """
            study: declared
            data:
              source: {type: synthetic, bars: 4000, seed: 5, interval: 5m}
              features:
                lookback: 8
                set:
                  - {indicator: return, window: 6}
                  - {indicator: volatility, window: 12}
                  - {indicator: rsi, window: 7}
                  - {indicator: range}
            teacher: {type: mlp, hidden: [16], training: {epochs: 2, patience: 0}}
            student: {type: mlp, hidden: [4]}
            distillation: {loss: {type: hinton, temperature: 2, alpha: 0.5}}
            training: {epochs: 1}
            seeds: [1]
            """;

    @Test
    void theDeclaredSetKeysTheTeacherAndTravelsWithTheExportedStudent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("declared.yaml");
        Files.writeString(file, STUDY);
        Study study = Study.load(file, List.of());
        Study builtIn = Study.load(file, List.of("data.features={lookback: 8}"));
        Study otherWindow = Study.load(file, List.of("data.features.set=[{indicator: return, window: 7}, "
                + "{indicator: volatility, window: 12}, {indicator: rsi, window: 7}, {indicator: range}]"));
        StudyConfig c = StudyConfig.parse(study.file(), study.cells().get(0).resolved());
        String key = StudyRunner.teacherKey(c, "teacher", 1);
        for (Study other : List.of(builtIn, otherWindow)) {
            StudyConfig o = StudyConfig.parse(other.file(), other.cells().get(0).resolved());
            assertNotEquals(key, StudyRunner.teacherKey(o, "teacher", 1), "another feature set, another teacher");
        }
        assertEquals(List.of("return_6", "volatility_12", "rsi_7", "range"), c.data().features().names());

        try (var store = new MlflowFileStore(dir.resolve("mlruns"))) {
            var runner = new StudyRunner(dir.resolve("results"), store, StudyListener.NONE, 1);
            var outcome = runner.run(study);
            assertTrue(outcome.results().stream().noneMatch(TrialResult::failed), outcome.summary().toMarkdown());
        }
        List<Path> models;
        try (Stream<Path> files = Files.list(dir.resolve("results/declared/students"))) {
            models = files.filter(p -> p.toString().endsWith(".d4jr")).toList();
        }
        assertEquals(2, models.size(), "the distilled student and the student alone");
        for (Path m : models) {
            StudentModel model = StudentModel.load(m);
            assertEquals(c.data().features(), model.featureSet());
            assertEquals("return(6);volatility(12);rsi(7);range", model.metadata().get("feature_set"));
        }
    }
}
