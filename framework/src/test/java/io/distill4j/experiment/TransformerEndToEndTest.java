package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.tracking.MlflowFileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny study end to end with a transformer teacher distilled into an MLP student, with a FitNets hint on the
 * teacher's pooled readout: the teacher trains once, its named layer feeds the hint, every trial finishes.
 */
class TransformerEndToEndTest {
    private static final String STUDY = """
            study: transformer-tiny
            seed: 3
            data:
              source: {type: synthetic, bars: 1500, seed: 11, interval: 5m}
              features: {lookback: 8}
              labels: {horizon: 3}
            teacher:
              type: transformer
              model_size: 8
              heads: 2
              blocks: 2
              ff_size: 16
              dropout: 0.1
              training: {epochs: 2, batch_size: 128, patience: 0}
            student: {type: mlp, hidden: [4]}
            distillation:
              loss: {type: hinton, temperature: 3, alpha: 0.5}
              heads:
                hint: {type: hint, student_layer: hidden_0, teacher_layer: pool, weight: 0.5}
            training: {epochs: 2, batch_size: 128}
            seeds: [1]
            """;

    @Test
    void transformerTeacherToMlpStudent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tiny.yaml");
        Files.writeString(file, STUDY);
        Study study = Study.load(file, List.of());
        StudyRunner.Outcome outcome;
        StudyRunner runner;
        try (var store = new MlflowFileStore(dir.resolve("mlruns"))) {
            runner = new StudyRunner(dir.resolve("results"), store, StudyListener.NONE, 1);
            outcome = runner.run(study);
        }
        assertEquals(3, outcome.results().size(), "teacher, student alone, distilled");
        assertTrue(outcome.results().stream().noneMatch(TrialResult::failed), outcome.summary().toMarkdown());
        assertEquals(1, runner.teacherCache().fitCount());
        String summary = outcome.summary().toMarkdown();
        assertTrue(summary.contains("transformer"), summary);
    }
}
