package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.data.features.DatasetPreparer;
import io.distill4j.tracking.MlflowFileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mutual-learning study: one trial per student and seed, each with its own student-alone baseline, the cohort
 * trained once per seed and shared by its students' trials, scored on the test split, tracked one run per student.
 */
class MutualStudyTest {
    private static final String STUDY = """
            study: cohort
            data:
              source: {type: synthetic, bars: 2000, seed: 5}
              features: {lookback: 4}
              labels: {horizon: 3}
            teacher: {type: mlp, hidden: [16], training: {epochs: 1, patience: 0}}
            mutual:
              students: [{type: mlp, hidden: [6]}, {type: mlp, hidden: [12, 4]}]
            distillation:
              loss: {type: hinton, temperature: 1, alpha: 0.5, weight: 2}
            training: {epochs: 2}
            seeds: [1, 2]
            """;

    private static Study load(Path dir, String text) throws Exception {
        Path file = dir.resolve("cohort.yaml");
        Files.writeString(file, text);
        return Study.load(file, List.of());
    }

    private static Stream<Trial> role(Study study, Trial.Role role) {
        return study.trials().stream().filter(t -> t.role() == role);
    }

    @Test
    void eachStudentOfEachSeedIsATrialWithItsOwnBaseline(@TempDir Path dir) throws Exception {
        Study study = load(dir, STUDY);
        assertEquals(0, role(study, Trial.Role.DISTILLED).count(), "a cohort has no distilled cell");
        List<Trial> members = role(study, Trial.Role.MUTUAL).toList();
        assertEquals(List.of("mutual m1/2 mlp[6] seed=1", "mutual m1/2 mlp[6] seed=2",
                "mutual m2/2 mlp[12,4] seed=1", "mutual m2/2 mlp[12,4] seed=2"),
                members.stream().map(Trial::description).toList());
        assertEquals(List.of("mutual m1/2 s1", "mutual m1/2 s2", "mutual m2/2 s1", "mutual m2/2 s2"),
                members.stream().map(Trial::runName).toList());
        for (Trial t : members) {
            assertEquals(t.mutual().student() == 1 ? "mlp[6]" : "mlp[12,4]", t.config().student().describe());
        }
        List<Trial> alone = role(study, Trial.Role.STUDENT_ALONE).toList();
        assertEquals(List.of("alone mlp[6] s1", "alone mlp[6] s2", "alone mlp[12,4] s1", "alone mlp[12,4] s2"),
                alone.stream().map(Trial::runName).toList());
        for (Trial t : alone) {
            assertFalse(t.resolved().has(Mutual.KEY), "a baseline trains alone");
            assertEquals(2, t.config().training().epochs(), "with the cohort's budget");
        }
        assertEquals(study.trials().size(), study.trials().stream().map(Trial::id).distinct().count());
    }

    @Test
    void theCohortTrainsOncePerSeedAndEachStudentIsScoredOnTheTestSplit(@TempDir Path dir) throws Exception {
        Study study = load(dir, STUDY);
        try (var store = new MlflowFileStore(dir.resolve("mlruns"))) {
            var runner = new StudyRunner(dir.resolve("results"), store, StudyListener.NONE, 2);
            var outcome = runner.run(study);
            assertTrue(outcome.results().stream().noneMatch(TrialResult::failed), outcome.summary().toMarkdown());
            int[] testLabels = DatasetPreparer.prepare(study.base().data()).split("test").labels();
            for (int seed : List.of(1, 2)) {
                List<TrialResult> cohort = outcome.results().stream()
                        .filter(r -> r.trial().role() == Trial.Role.MUTUAL && r.trial().seed() == seed).toList();
                assertEquals(2, cohort.size());
                // trained once: by exactly one of its students' trials
                assertEquals(1.0, cohort.stream().mapToDouble(r -> r.facts().get("cohort_trained_by_this_trial"))
                        .sum());
                String a = cohort.get(0).testPredictions();
                String b = cohort.get(1).testPredictions();
                for (TrialResult r : cohort) {
                    assertEquals(testLabels.length, r.testPredictions().length(), "scored on the test split");
                    assertEquals(ChainTest.share(r.testPredictions(), testLabels), r.test("accuracy"), 1e-9);
                    // its peer is the other student of the same seed
                    assertEquals(ChainTest.agreement(a, b), r.test(MutualTrials.PEER_AGREEMENT), 1e-9);
                    assertEquals(2.0, r.facts().get("epochs_run"));
                }
            }
            String md = outcome.summary().toMarkdown();
            assertTrue(md.contains("## Mutual learning"), md);
            assertTrue(md.contains("|mutual m2/2 mlp[12,4] | mlp[12,4] | 2 | 2 | "), md);
            assertTrue(md.contains("student-alone mlp[12,4]"), md);
            assertTrue(md.contains("too few seeds"), "2 seeds: no call");
            assertTrue(md.contains(MutualSummary.MAIN_VERDICT), md);
            try (Stream<Path> metas = Files.walk(dir.resolve("mlruns"))) {
                List<String> names = metas.filter(p -> p.getFileName().toString().equals("meta.yaml"))
                        .flatMap(p -> {
                            try {
                                return Files.readAllLines(p).stream();
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        }).filter(l -> l.startsWith("run_name: mutual ")).sorted().toList();
                assertEquals(List.of("run_name: mutual m1/2 s1", "run_name: mutual m1/2 s2",
                        "run_name: mutual m2/2 s1", "run_name: mutual m2/2 s2"), names);
            }
        }
    }
}
