package io.distill4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code distill4j run} then {@code distill4j runs} on the file store it wrote: a table sorted by a metric. */
class RunsCommandTest {
    @Test
    void listsAStudysRunsSortedByAMetric(@TempDir Path dir) throws Exception {
        Path study = dir.resolve("tiny.yaml");
        Files.writeString(study, """
                study: tiny-runs
                data:
                  source: {type: synthetic, bars: 2000, seed: 5}
                  features: {lookback: 4}
                  labels: {horizon: 3}
                teacher: {type: mlp, hidden: [8], training: {epochs: 1, patience: 0}}
                student: {type: mlp, hidden: [3]}
                distillation: {loss: {type: hinton}}
                training: {epochs: 1}
                grid: {distillation.loss.alpha: [0.2, 0.8]}
                seeds: [1]
                """);
        Path results = dir.resolve("results");
        assertEquals(0, run("run", study.toString(), "--results", results.toString()).code());

        Result listed = run("runs", "--results", results.toString(), "--study", "tiny-runs", "--sort",
                "test_accuracy", "--desc");
        assertEquals(0, listed.code(), listed.err());
        List<String> lines = listed.out().lines().filter(l -> !l.isBlank()).toList();
        String header = lines.stream().filter(l -> l.contains("test_accuracy")).findFirst().orElseThrow();
        int column = header.indexOf("test_accuracy");
        List<Double> values = new ArrayList<>();
        for (String l : lines) {
            if (l.startsWith("kd") || l.startsWith("alone") || l.startsWith("teacher")) {
                values.add(Double.parseDouble(l.substring(column).trim().split("\\s+")[0]));
            }
        }
        assertEquals(4, values.size(), listed.out());
        for (int i = 1; i < values.size(); i++) {
            assertTrue(values.get(i - 1) >= values.get(i), "sorted high to low: " + values);
        }
        assertTrue(listed.out().contains("FINISHED"), listed.out());

        // a second study in the same store: without --study, the most recent one is shown and the other named
        assertEquals(0, run("run", study.toString(), "--results", results.toString(), "--set", "study=tiny-later",
                "--set", "grid.distillation.loss.alpha=[0.5]").code());
        Result latest = run("runs", "--results", results.toString(), "--sort", "test_accuracy");
        assertEquals(0, latest.code(), latest.err());
        List<String> out = latest.out().lines().toList();
        assertTrue(out.get(0).startsWith("2 studies in " + results.resolve("mlruns").toAbsolutePath().normalize()
                + ": tiny-later (4 run(s), last started ") && out.get(0).contains("tiny-runs (5 run(s), last started ")
                && out.get(0).endsWith("showing the most recent; pick another with --experiment NAME"), out.get(0));
        assertEquals("experiment tiny-later: 4 run(s)", out.get(1));
        assertTrue(latest.out().contains("kd a=0.5 s1"), latest.out());
        assertTrue(!latest.out().contains("alpha=0.2"), latest.out());

        Result unknown = run("runs", "--results", results.toString(), "--study", "nope");
        assertEquals(2, unknown.code());
        assertEquals(1, unknown.err().lines().count(), unknown.err());
    }

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }
}
