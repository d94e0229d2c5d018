package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.tracking.MlflowFileStore;
import io.distill4j.tracking.MlflowFileStoreReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code seeds_vary}: one teacher for every seed (default), or one teacher per seed serving that seed's students. */
class SeedsVaryTest {
    private static final String STUDY = """
            study: seeds-vary
            seed: 3
            data:
              source: {type: synthetic, bars: 2500, seed: 11, interval: 5m}
              features: {lookback: 4}
              labels: {horizon: 3}
            teacher: {type: mlp, hidden: [8], training: {epochs: 2, batch_size: 128, patience: 0}}
            student: {type: mlp, hidden: [4]}
            distillation: {loss: {type: hinton, temperature: 3, alpha: 0.5}}
            training: {epochs: 1, batch_size: 128}
            seeds: [1, 2]
            """;

    private static Study load(Path dir, String seedsVary) throws Exception {
        Path file = dir.resolve("study.yaml");
        Files.writeString(file, STUDY + (seedsVary == null ? "" : "seeds_vary: " + seedsVary + "\n"));
        return Study.load(file, List.of());
    }

    private static List<Trial> teachers(Study s) {
        return s.trials().stream().filter(t -> t.role() == Trial.Role.TEACHER).toList();
    }

    @Test
    void byDefaultOneTeacherFromTheRootSeedServesEverySeed(@TempDir Path dir) throws Exception {
        Study study = load(dir, null);
        assertEquals(StudyConfig.SeedsVary.STUDENT, study.base().seedsVary());
        assertEquals(teachers(study).stream().map(Trial::id).toList(),
                teachers(load(dir, "student")).stream().map(Trial::id).toList(), "'student' is the default");
        List<Trial> teachers = teachers(study);
        assertEquals(1, teachers.size());
        assertEquals(-1, teachers.get(0).seed());
        StudyConfig c = study.base();
        assertEquals(c.seed(), c.teacherSeed(1));
        assertEquals(StudyRunner.teacherKey(c, "teacher", 1), StudyRunner.teacherKey(c, "teacher", 2));
    }

    @Test
    void teacherAndStudentTrainsOneTeacherPerSeedAndEachSeedDistilsFromItsOwn(@TempDir Path dir) throws Exception {
        Study study = load(dir, "teacher_and_student");
        List<Trial> teachers = teachers(study);
        assertEquals(List.of(1, 2), teachers.stream().map(Trial::seed).toList());
        assertEquals(2 + 2 + 2, study.trials().size());
        StudyConfig c = study.base();
        assertNotEquals(c.teacherSeed(1), c.teacherSeed(2));
        assertNotEquals(StudyRunner.teacherKey(c, "teacher", 1), StudyRunner.teacherKey(c, "teacher", 2));

        StudyRunner.Outcome outcome;
        StudyRunner runner;
        try (var store = new MlflowFileStore(dir.resolve("mlruns"))) {
            runner = new StudyRunner(dir.resolve("results"), store, StudyListener.NONE, 1);
            outcome = runner.run(study);
        }
        assertTrue(outcome.results().stream().noneMatch(TrialResult::failed), outcome.summary().toMarkdown());
        assertEquals(2, runner.teacherCache().fitCount(), "one teacher per seed");

        var reader = new MlflowFileStoreReader(dir.resolve("mlruns"));
        var runs = reader.runs(reader.experiments().stream().filter(e -> e.name().equals("seeds-vary")).findFirst()
                .orElseThrow().experimentId());
        Map<String, String> keyByRun = runs.stream().filter(r -> r.tags().containsKey("distill4j.teacher_key"))
                .collect(Collectors.toMap(MlflowFileStoreReader.Run::runName,
                        r -> r.tags().get("distill4j.teacher_key")));
        String teacher1 = keyByRun.get("teacher mlp[8] s1");
        String teacher2 = keyByRun.get("teacher mlp[8] s2");
        assertNotEquals(teacher1, teacher2, keyByRun.toString());
        assertEquals(teacher1, keyByRun.get("kd s1"), keyByRun.toString());
        assertEquals(teacher2, keyByRun.get("kd s2"), keyByRun.toString());

        Summary.Row row = outcome.summary().rows().stream().filter(r -> r.role().equals("teacher")).findFirst()
                .orElseThrow();
        assertEquals("teacher mlp[8]", row.method());
        assertEquals(2, row.runs(), "one teacher row over both seeds: its std is the teacher's spread");
    }
}
