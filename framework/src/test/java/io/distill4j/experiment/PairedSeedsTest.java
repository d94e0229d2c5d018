package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.InputShape;
import io.distill4j.loss.HardLabelCrossEntropy;
import io.distill4j.model.Networks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The summary pairs a distilled cell with its baseline seed by seed. That is only sound if both start from the same
 * weights and see the same minibatch order: the runner derives both from the trial seed alone, and the loss heads a
 * distilled student adds carry no parameters, so the initial weights are equal.
 */
class PairedSeedsTest {
    private static INDArray initialWeights(Trial t) {
        StudyConfig c = t.config();
        List<? extends DistillationLoss> losses = t.role() == Trial.Role.DISTILLED ? c.newLosses()
                : List.of(new HardLabelCrossEntropy());
        ComputationGraph g = Networks.build(c.student(), losses, new InputShape(12, 16, 3), c.training(),
                TrialExecutor.initSeed(t));
        return g.params().dup();
    }

    private static void check(Study study) {
        for (Trial alone : study.trials()) {
            if (alone.role() != Trial.Role.STUDENT_ALONE) {
                continue;
            }
            INDArray base = initialWeights(alone);
            for (Trial kd : study.trials()) {
                if (kd.role() != Trial.Role.DISTILLED) {
                    continue;
                }
                if (kd.seed() == alone.seed()) {
                    assertTrue(base.equals(initialWeights(kd)), kd.runName() + " starts elsewhere than "
                            + alone.runName());
                    assertEquals(TrialExecutor.shuffleSeed(alone), TrialExecutor.shuffleSeed(kd));
                } else {
                    assertFalse(base.equals(initialWeights(kd)), "different seeds must start elsewhere");
                }
            }
        }
    }

    @Test
    void distilledAndAloneTrialsWithTheSameSeedStartFromTheSameWeights() {
        check(Study.load(Path.of("../configs/quickstart.yaml"), List.of("seeds=[1, 2]",
                "grid={distillation.loss.alpha: [0.1, 0.5]}")));
    }

    @Test
    void alsoForASequenceStudentAndSeveralTeacherHeads(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("two.yaml");
        Files.writeString(file, """
                study: two
                data: {source: {type: synthetic, bars: 2500}, features: {lookback: 16}}
                teachers:
                  a: {type: mlp, hidden: [8]}
                  b: {type: mlp, hidden: [4]}
                student: {type: lstm, hidden: [4]}
                distillation: {loss: {type: hinton, temperature: 2, alpha: 0.5}}
                seeds: [1, 2]
                """);
        Study study = Study.load(file, List.of());
        assertEquals(3, study.trials().get(study.trials().size() - 1).config().newLosses().size(),
                "one head per teacher plus the hard-label head");
        check(study);
    }
}
