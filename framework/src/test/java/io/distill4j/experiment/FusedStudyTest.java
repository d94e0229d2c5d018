package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.tracking.MlflowFileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A study whose students share an MLP shape and budget (a T x alpha grid, 2 seeds, the student-alone baselines)
 * trains them fused by default and gets the results of training each alone ({@code withFusion(false)}): the same
 * trials, every validation and test metric within {@value #TOLERANCE} (float rounding of the wider products), the same
 * test predictions; each fused trial names its group in its facts.
 */
class FusedStudyTest {
    static final double TOLERANCE = 1e-4;
    private static final String STUDY = """
            study: fused
            seed: 5
            data: {source: {type: synthetic, bars: 2400, seed: 9, interval: 15m}, features: {lookback: 5},
                   labels: {horizon: 2}}
            teacher: {type: mlp, hidden: [10], training: {epochs: 2, batch_size: 200, patience: 0}}
            student: {type: mlp, hidden: [6, 4]}
            distillation: {loss: {type: hinton, temperature: 3, alpha: 0.5}}
            training: {epochs: 3, batch_size: 100, patience: 1}
            grid:
              distillation.loss.temperature: [2, 4]
            seeds: [1, 2]
            """;

    private static StudyRunner.Outcome run(Path dir, String name, boolean fuse, int workers) throws Exception {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, STUDY);
        Study study = Study.load(file, List.of());
        try (var store = new MlflowFileStore(dir.resolve(name + "-mlruns"))) {
            return new StudyRunner(dir.resolve(name), store, StudyListener.NONE, workers).withFusion(fuse).run(study);
        }
    }

    @Test
    void fusedStudentsGetTheResultsOfStudentsTrainedAlone(@TempDir Path dir) throws Exception {
        StudyRunner.Outcome alone = run(dir, "alone", false, 1);
        StudyRunner.Outcome fused = run(dir, "fused", true, 2);
        Map<String, TrialResult> a = SameResults.byId(alone.results());
        Map<String, TrialResult> f = SameResults.byId(fused.results());
        assertEquals(a.keySet(), f.keySet());
        int fusedTrials = 0;
        for (String id : a.keySet()) {
            TrialResult expected = a.get(id);
            TrialResult actual = f.get(id);
            assertFalse(actual.failed(), id + ": " + actual.failure());
            assertFalse(expected.facts().containsKey(FusedTrials.GROUP), id + ": fused with fusion off");
            if (expected.trial().role() == Trial.Role.TEACHER) {
                continue;
            }
            assertTrue(actual.facts().containsKey(FusedTrials.GROUP), id + " was not trained fused: " + actual.facts());
            assertEquals(3.0, actual.facts().get(FusedTrials.BLOCKS), id + ": 6 students on 2 workers train as 2 "
                    + "fused networks of 3");
            fusedTrials++;
            assertEquals(expected.testPredictions(), actual.testPredictions(), id + ": test predictions");
            assertEquals(expected.facts().get("epochs_run"), actual.facts().get("epochs_run"), id + ": epochs run");
            for (var split : List.of(Map.entry(expected.test(), actual.test()),
                    Map.entry(expected.validation(), actual.validation()))) {
                assertEquals(split.getKey().keySet(), split.getValue().keySet(), id);
                split.getKey().forEach((metric, value) -> assertEquals(value, split.getValue().get(metric),
                        TOLERANCE * Math.max(1, Math.abs(value)), id + " " + metric));
            }
        }
        assertEquals(6, fusedTrials);
    }

    @Test
    void aFusedNetworkHoldsAtMostNStudentsWhoseZeroBlocksStayWithinTheArithmeticBudget() {
        assertEquals(13, FusedTrials.maxBlocks(371, 256), "the quickstart: 13^2 * 371 * 256 = 16.05M <= 2^24");
        assertEquals(4, FusedTrials.maxBlocks(12 * 64 + 64 * 32 + 32 * 3, 256), "12 -> 64 -> 32 -> 3");
        assertEquals(2, FusedTrials.maxBlocks(16_384, 256));
        assertEquals(1, FusedTrials.maxBlocks(16_385, 256), "too big to fuse");
        assertEquals(6, FusedTrials.maxBlocks(371, 1024), "4x the minibatch: 6^2 * 371 * 1024 = 13.7M, 7^2: 18.6M");
        assertEquals(1, FusedTrials.maxBlocks(12 * 128 + 128 * 64 + 64 * 3, 1024), "slower in pairs, measured");
        assertEquals(26, FusedTrials.maxBlocks(371, 64));
    }
}
