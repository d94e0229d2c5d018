package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.data.features.DatasetPreparer;
import io.distill4j.data.features.PreparedData;
import io.distill4j.tracking.MlflowFileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progressive distillation chains: curricula, the equal-compute budget, and what each stage learns from. */
class ChainTest {
    private static final String STUDY = """
            study: chain
            data:
              source: {type: synthetic, bars: 2000, seed: 5}
              features: {lookback: 4}
              labels: {horizon: 3}
            teacher: {type: mlp, hidden: [16, 16], training: {epochs: 2, patience: 0}}
            chain:
              stages: [{type: mlp, hidden: [8, 8]}, {type: mlp, hidden: [6]}, {type: mlp, hidden: [3]}]
              epochs: [2, 1, 3]
              temperature: {max: 4, gamma: 2}
              alpha: {first: 0.2, last: 0.8}
            distillation:
              loss: {type: hinton, temperature: 3, alpha: 0.5}
            training: {epochs: 1}
            seeds: [1]
            """;

    private static Study load(Path dir, String text) throws Exception {
        Path file = dir.resolve("chain.yaml");
        Files.writeString(file, text);
        return Study.load(file, List.of());
    }

    private static List<Trial> stages(Study study) {
        return study.trials().stream().filter(t -> t.role() == Trial.Role.CHAIN_STAGE)
                .sorted(Comparator.comparingInt(t -> t.chain().stage())).toList();
    }

    @Test
    void curriculumValuesPerStage(@TempDir Path dir) throws Exception {
        List<Trial> stages = stages(load(dir, STUDY));
        assertEquals(3, stages.size());
        // by hand: T_k = 4 (1 - k/3)^2 -> 4, 4 * 4/9, 4 * 1/9; alpha_k = 0.2 + 0.6 * k/2 -> 0.2, 0.5, 0.8
        double[] t = {4, 16.0 / 9, 4.0 / 9};
        double[] alpha = {0.2, 0.5, 0.8};
        String[] hidden = {"[8,8]", "[6]", "[3]"};
        int[] epochs = {2, 1, 3};
        for (int k = 0; k < 3; k++) {
            StudyConfig c = stages.get(k).config();
            assertEquals(t[k], c.lossSection().get("temperature").asDouble(), 1e-12, "T of stage " + (k + 1));
            assertEquals(alpha[k], c.lossSection().get("alpha").asDouble(), 1e-12, "alpha of stage " + (k + 1));
            var loss = (io.distill4j.loss.HintonKdLossFunction) c.newLosses().get(0).lossFunction();
            assertEquals(t[k], loss.temperature(), 1e-12, "the stage's live loss");
            assertEquals(alpha[k], loss.alpha(), 1e-12);
            assertEquals(hidden[k], c.tree().get("student").get("hidden").toString().replace(" ", ""));
            assertEquals(epochs[k], c.training().epochs());
            assertEquals("s" + (k + 1) + "/3", stages.get(k).stageLabel());
        }
    }

    @Test
    void baselinesGetTheWholeChainsEpochBudget(@TempDir Path dir) throws Exception {
        Study study = load(dir, STUDY);
        List<Trial> oneShot = study.trials().stream().filter(t -> t.role() == Trial.Role.DISTILLED).toList();
        List<Trial> alone = study.trials().stream().filter(t -> t.role() == Trial.Role.STUDENT_ALONE).toList();
        assertEquals(1, oneShot.size());
        assertEquals(1, alone.size());
        for (Trial t : List.of(oneShot.get(0), alone.get(0))) {
            StudyConfig c = t.config();
            assertEquals(2 + 1 + 3, c.training().epochs(), t.description());
            assertEquals("[3]", c.tree().get("student").get("hidden").toString(), "the final architecture");
            assertTrue(c.chain().isEmpty(), "a plain student");
        }
        // the one-shot student uses the loss as written, from the original teacher
        assertEquals(3.0, oneShot.get(0).config().lossSection().get("temperature").asDouble());
        assertEquals("distilled one-shot", oneShot.get(0).method());
    }

    @Test
    void eachStageLearnsFromThePreviousStagesStudentAndIsScoredOnTheTestSplit(@TempDir Path dir) throws Exception {
        Study study = load(dir, STUDY.replace("seeds: [1]", "seeds: [1, 2]"));
        try (var store = new MlflowFileStore(dir.resolve("mlruns"))) {
            var runner = new StudyRunner(dir.resolve("results"), store, StudyListener.NONE, 2);
            var outcome = runner.run(study);
            assertTrue(outcome.results().stream().noneMatch(TrialResult::failed), outcome.summary().toMarkdown());
            PreparedData data = DatasetPreparer.prepare(study.base().data());
            int[] testLabels = data.split("test").labels();
            TrialResult teacher = outcome.results().stream().filter(r -> r.trial().role() == Trial.Role.TEACHER)
                    .findFirst().orElseThrow();
            for (int seed : List.of(1, 2)) {
                List<TrialResult> stages = outcome.results().stream()
                        .filter(r -> r.trial().role() == Trial.Role.CHAIN_STAGE && r.trial().seed() == seed)
                        .sorted(Comparator.comparingInt(r -> r.trial().chain().stage())).toList();
                assertEquals(3, stages.size());
                String previous = teacher.testPredictions();
                for (TrialResult stage : stages) {
                    String own = stage.testPredictions();
                    // scored on the test split: one prediction per test sample, accuracy recomputed from them
                    assertEquals(testLabels.length, own.length());
                    assertEquals(share(own, testLabels), stage.test("accuracy"), 1e-9);
                    // its teacher is the previous stage's trained student (stage 1: the original teacher)
                    assertEquals(agreement(own, previous), stage.test("agreement"), 1e-9, stage.trial().description());
                    assertEquals(agreement(own, teacher.testPredictions()), stage.test("agreement.original"), 1e-9);
                    previous = own;
                }
                // stage 3's teacher is not the original teacher: the two agreements differ
                assertNotEquals(stages.get(2).test("agreement"), stages.get(2).test("agreement.original"));
                assertEquals(stages.get(1).parameters(), (long) (double) stages.get(2).facts().get("teacher_parameters"));
                assertEquals(teacher.parameters(),
                        (long) (double) stages.get(2).facts().get("original_teacher_parameters"));
            }
            String md = outcome.summary().toMarkdown();
            assertTrue(md.contains("## Chain"), md);
            assertTrue(md.contains("|chain s2/3 | mlp[6] | chain s1/3 |"), md);
            assertTrue(Files.readString(outcome.folder().resolve("chain.csv")).startsWith("stage,student,teacher"));
            assertTrue(md.contains("too few seeds"), "2 seeds: no call");
        }
    }

    static double share(String predictions, int[] labels) {
        int hit = 0;
        for (int i = 0; i < labels.length; i++) {
            hit += predictions.charAt(i) - '0' == labels[i] ? 1 : 0;
        }
        return (double) hit / labels.length;
    }

    static double agreement(String a, String b) {
        int same = 0;
        for (int i = 0; i < a.length(); i++) {
            same += a.charAt(i) == b.charAt(i) ? 1 : 0;
        }
        return (double) same / a.length();
    }
}
