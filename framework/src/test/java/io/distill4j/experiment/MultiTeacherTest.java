package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.DistillationLoss;
import io.distill4j.config.ConfigException;
import io.distill4j.loss.HintonKdLossFunction;
import io.distill4j.tracking.MlflowFileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One KD term per named teacher: heads, weights, per-teacher metrics, and the config rules. */
class MultiTeacherTest {
    private static final String STUDY = """
            study: multi
            data:
              source: {type: synthetic, bars: 2000, seed: 5}
              features: {lookback: 4}
              labels: {horizon: 3}
            teachers:
              wide: {type: mlp, hidden: [16], training: {epochs: 2, patience: 0}}
              narrow: {type: mlp, hidden: [4], training: {epochs: 2, patience: 0}}
            student: {type: mlp, hidden: [3]}
            distillation:
              loss: {type: hinton, temperature: 4, alpha: 0.2}
              terms:
                wide: {weight: 3, temperature: 2}
            training: {epochs: 1}
            seeds: [1]
            """;

    private static Study load(Path dir, String text) throws Exception {
        Path file = dir.resolve("multi.yaml");
        Files.writeString(file, text);
        return Study.load(file, List.of());
    }

    @Test
    void oneWeightedHeadPerTeacherPlusTheHardLabelHead(@TempDir Path dir) throws Exception {
        StudyConfig c = load(dir, STUDY).base();
        List<DistillationLoss> losses = c.newLosses();
        assertEquals(3, losses.size());
        assertEquals("hard", losses.get(0).headName());
        assertEquals(0.2, ((HintonKdLossFunction) losses.get(0).lossFunction()).weight(), 1e-12);
        var wide = (HintonKdLossFunction) losses.get(1).lossFunction();
        var narrow = (HintonKdLossFunction) losses.get(2).lossFunction();
        assertEquals("wide", losses.get(1).teacherName());
        assertEquals(0.8 * 3 / 4, wide.weight(), 1e-12);   // weights normalised: 3 / (3 + 1)
        assertEquals(2.0, wide.temperature());
        assertEquals(0.0, wide.alpha());
        assertEquals(0.8 * 1 / 4, narrow.weight(), 1e-12);
        assertEquals(4.0, narrow.temperature(), "defaults to the loss temperature");
    }

    @Test
    void trainsEachTeacherOnceAndReportsAgreementWithEach(@TempDir Path dir) throws Exception {
        Study study = load(dir, STUDY);
        assertEquals(2 + 1 + 1, study.trials().size());
        try (var store = new MlflowFileStore(dir.resolve("mlruns"))) {
            var runner = new StudyRunner(dir.resolve("results"), store, StudyListener.NONE, 1);
            var outcome = runner.run(study);
            assertEquals(2, runner.teacherCache().fitCount());
            assertTrue(outcome.results().stream().noneMatch(TrialResult::failed), outcome.summary().toMarkdown());
            TrialResult distilled = outcome.results().stream()
                    .filter(r -> r.trial().role() == Trial.Role.DISTILLED).findFirst().orElseThrow();
            assertTrue(distilled.test().containsKey("agreement.wide"));
            assertTrue(distilled.test().containsKey("agreement.narrow"));
            assertEquals(distilled.test("agreement"), distilled.test("agreement.wide"), 0.0, "primary = first");
            var row = outcome.summary().rows().stream().filter(r -> r.role().equals("distilled")).findFirst()
                    .orElseThrow();
            assertEquals(List.of("wide", "narrow"), List.copyOf(row.memberRetention().keySet()));
            assertTrue(outcome.summary().header().contains("teachers wide=mlp[16], narrow=mlp[4]"),
                    outcome.summary().header());
        }
    }

    @Test
    void configRules(@TempDir Path dir) {
        assertEquals("teachers: use either 'teacher' (one teacher) or 'teachers' (one KD term per named teacher), "
                + "not both", problem(dir, STUDY.replace("student:", "teacher: {type: mlp}\nstudent:")));
        assertEquals("distillation.terms.deep: no teacher named 'deep' (teachers: wide, narrow)",
                problem(dir, STUDY.replace("wide: {weight: 3", "deep: {weight: 3")));
        assertEquals("distillation.terms: terms need several named teachers ('teachers:' instead of 'teacher:')",
                problem(dir, STUDY.replace("""
                        teachers:
                          wide: {type: mlp, hidden: [16], training: {epochs: 2, patience: 0}}
                          narrow: {type: mlp, hidden: [4], training: {epochs: 2, patience: 0}}
                        """, "teacher: {type: mlp}\n")));
        assertEquals("teachers: expected at least two named teachers (for one teacher use 'teacher:')",
                problem(dir, STUDY.replace("  narrow: {type: mlp, hidden: [4], training: {epochs: 2, patience: 0}}\n",
                        "").replace("    wide: {weight: 3, temperature: 2}\n", "    {}\n")
                        .replace("  terms:\n    {}\n", "")));
    }

    private static String problem(Path dir, String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> load(dir, text));
        return e.getMessage().substring(e.getMessage().indexOf(": ") + 2);
    }
}
