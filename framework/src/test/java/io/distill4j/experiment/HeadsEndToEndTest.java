package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.tracking.MlflowFileStore;
import io.distill4j.tracking.MlflowFileStoreReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A study with an extra hint head through the real runner: every head's score is tracked per epoch, the deployable
 * student has no head layer, and cached activations are read only by the studies whose losses need them.
 */
class HeadsEndToEndTest {
    private static final String STUDY = """
            study: NAME
            seed: 3
            data:
              source: {type: synthetic, bars: 2000, seed: 11, interval: 5m}
              features: {lookback: 4}
              labels: {horizon: 3}
            teacher:
              type: mlp
              hidden: [12]
              training: {epochs: 2, batch_size: 128, patience: 0}
            student: {type: mlp, hidden: [6, 4]}
            distillation:
              loss: {type: hinton, temperature: 2, alpha: 0.5}
            HEADS
            training: {epochs: 2, batch_size: 128}
            seeds: [1]
            """;
    private static final String HINT = "  heads:\n    hint: {type: hint, student_layer: hidden_0, teacher_layer: "
            + "hidden_0, weight: 0.5}\n  schedules:\n    hint.weight: {type: linear, end: 0.1}";

    @TempDir
    Path dir;

    private StudyRunner.Outcome run(String name, String heads, String mlruns) throws IOException {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, STUDY.replace("NAME", name).replace("HEADS\n", heads.isEmpty() ? "" : heads + "\n"));
        try (var store = new MlflowFileStore(dir.resolve(mlruns))) {
            return new StudyRunner(dir.resolve("results"), store, StudyListener.NONE, 1)
                    .run(Study.load(file, List.of()));
        }
    }

    @Test
    void hintStudyTracksEveryHeadAndOnlyItReadsActivations() throws IOException {
        StudyRunner.Outcome hinted = run("hinted", HINT, "mlruns");
        assertTrue(hinted.results().stream().noneMatch(TrialResult::failed), hinted.summary().toMarkdown());
        var reader = new MlflowFileStoreReader(dir.resolve("mlruns"));
        String exp = reader.experiments().stream().filter(e -> e.name().equals("hinted")).findFirst().orElseThrow()
                .experimentId();
        var distilled = reader.runs(exp).stream().filter(r -> r.runName().startsWith("kd")).findFirst()
                .orElseThrow();
        var alone = reader.runs(exp).stream().filter(r -> r.runName().startsWith("alone")).findFirst()
                .orElseThrow();
        assertEquals("hinton(T=2,alpha=0.5) + hint(hidden_0->hidden_0,weight=0.5)",
                distilled.params().get("trial.loss"));
        for (String metric : List.of("objective.train.kd", "objective.val.kd", "objective.train.hint_hidden_0",
                "objective.val.hint_hidden_0", "hint_hidden_0.weight")) {
            assertNotNull(distilled.metrics().get(metric), metric + " in " + distilled.metrics().keySet());
            assertEquals(2, distilled.metrics().get(metric).size(), metric);
        }
        // the head's weight follows its schedule (0.5 -> 0.1 over two epochs); the main loss keeps its own, a
        // constant that is a param, not a per-epoch metric
        assertNull(distilled.metrics().get("kd.temperature"));
        assertEquals(List.of(0.5, 0.1), distilled.metrics().get("hint_hidden_0.weight").stream()
                .map(p -> (double) Math.round(p.value() * 1e6) / 1e6).toList());
        assertEquals("linear(->0.1)", distilled.params().get("trial.schedule.hint.weight"));
        assertEquals(2, alone.metrics().get("objective.train.hard").size());
        // the projection (6 -> 12) is not part of the deployed student
        assertEquals(alone.params().get("result.parameters"), distilled.params().get("result.parameters"));

        // the feature analysis: CKA of every teacher layer x student layer on the test split, the hint's projected
        // cosine, tracked per trial (the baseline too) and saved as a matrix per trial
        for (String metric : List.of("test_cka.hidden_0.hidden_0", "test_cka.hidden_0.hidden_1",
                "test_cka.hidden_0.logits", "test_cka.logits.logits", "test_cosine.hint_hidden_0")) {
            double v = distilled.metrics().get(metric).get(0).value();
            assertTrue(v > -1 && v <= 1 + 1e-9, metric + " = " + v);
        }
        assertNotNull(alone.metrics().get("test_cka.hidden_0.hidden_1"));
        assertEquals(null, alone.metrics().get("test_cosine.hint_hidden_0"));
        Path matrix;
        try (Stream<Path> files = Files.list(dir.resolve("results").resolve("hinted").resolve("cka"))) {
            List<Path> all = files.sorted().toList();
            assertEquals(2, all.size(), all.toString()); // the student alone and the distilled student
            matrix = all.get(0);
        }
        List<String> lines = Files.readAllLines(matrix);
        assertEquals(List.of("teacher_layer,hidden_0,hidden_1,logits"), lines.subList(0, 1));
        assertEquals(List.of("hidden_0", "logits"), lines.subList(1, 3).stream().map(l -> l.split(",")[0]).toList());
        assertTrue(hinted.summary().toMarkdown().contains("|method | best hidden pair | CKA | CKA logits"),
                hinted.summary().toMarkdown());

        // damage the cached training activations: a study of logit losses never trains on them, a hint study does
        // (the test split's activations are read by every student's feature analysis)
        List<Path> activations;
        try (Stream<Path> files = Files.walk(dir.resolve("results").resolve("cache"))) {
            activations = files.filter(p -> p.getFileName().toString().matches("(train|validation)\\.hidden_0\\.bin"))
                    .toList();
        }
        assertEquals(2, activations.size(), activations.toString());
        for (Path p : activations) {
            Files.writeString(p, "damaged");
        }
        StudyRunner.Outcome plain = run("plain", "", "mlruns-plain");
        assertTrue(plain.results().stream().noneMatch(TrialResult::failed), plain.summary().toMarkdown());
        for (Path p : activations) {
            assertEquals("damaged", new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1),
                    "the cached teacher was read and trained again");
        }
        StudyRunner.Outcome again = run("hinted-again", HINT, "mlruns-again");
        assertEquals(1, again.results().stream().filter(TrialResult::failed).count(),
                "the hint trial must read (and here trip over) the activations");
    }
}
