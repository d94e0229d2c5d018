package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny regression study with an ensemble teacher and {@code regression_kd soft: gaussian}: every trial runs, the
 * distilled student gets the regression metrics, and the option reaches its training (same seeds, other result than
 * {@code soft: mse}).
 */
class GaussianRegressionStudyTest {
    private static final String STUDY = TrialExecutorTest.STUDY.replace("study: executor", "study: gaussian")
            .replace("labels: {horizon: 3}", "labels: {horizon: 3, task: regression, scale: volatility}")
            .replace("type: mlp\n  hidden: [12]\n  training: {epochs: 2, batch_size: 128, patience: 0}",
                    "type: ensemble\n  members:\n    - {name: a, type: mlp, hidden: [12], training: {epochs: 2, "
                    + "batch_size: 128, patience: 0}}\n    - {name: b, type: mlp, hidden: [6], training: {epochs: 2, "
                    + "batch_size: 128, patience: 0}}")
            .replace("loss: {type: hinton, temperature: 3, alpha: 0.5}",
                    "loss: {type: regression_kd, alpha: 0.5, soft: gaussian}");

    @TempDir
    Path dir;

    @Test
    void aGaussianStudyRunsAndDiffersFromThePlainSoftTerm() throws Exception {
        assertTrue(STUDY.contains("type: ensemble") && STUDY.contains("soft: gaussian"), STUDY);
        Path file = dir.resolve("gaussian.yaml");
        Files.writeString(file, STUDY);
        Study study = Study.load(file, List.of());
        List<TrialResult> gaussian = RegimeStudyTest.runAll(study, dir.resolve("cache"));
        assertEquals(3, gaussian.size());
        TrialResult distilled = gaussian.stream().filter(r -> r.trial().role() == Trial.Role.DISTILLED)
                .findFirst().orElseThrow();
        assertEquals("regression_kd(alpha=0.5,soft=gaussian)",
                distilled.trial().config().newLosses().get(0).describe());
        for (String m : List.of("r2", "ic", "mse", "directional_accuracy")) {
            assertTrue(Double.isFinite(distilled.test(m)), m);
        }
        Path plainFile = dir.resolve("plain.yaml");
        Files.writeString(plainFile, STUDY.replace("study: gaussian", "study: plain").replace(", soft: gaussian", ""));
        List<TrialResult> plain = RegimeStudyTest.runAll(Study.load(plainFile, List.of()), dir.resolve("cache"));
        TrialResult plainDistilled = plain.stream().filter(r -> r.trial().role() == Trial.Role.DISTILLED)
                .findFirst().orElseThrow();
        assertNotEquals(plainDistilled.test("mse"), distilled.test("mse"));
    }
}
