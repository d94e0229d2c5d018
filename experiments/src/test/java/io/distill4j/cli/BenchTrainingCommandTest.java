package io.distill4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distill4j.Distill4jException;
import io.distill4j.bench.TrainingBench;
import io.distill4j.train.PhaseTimes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code distill4j bench training}: the PyTorch reference and the Java side train the same workloads (one spec, the
 * same sizes, parameter counts and budgets), the arguments are checked, and the tables have their format. No speed is
 * asserted.
 */
class BenchTrainingCommandTest {
    private static final Path RESOURCES = Path.of("src/main/resources/io/distill4j/bench");

    @Test
    void theReferenceScriptDescribesTheWorkloadsTheJavaSideBuilds() throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("python3", RESOURCES.resolve(TrainingBench.SCRIPT_RESOURCE).toString(),
                    "--describe", RESOURCES.resolve(TrainingBench.SPEC_RESOURCE).toString())
                    .redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            Assumptions.abort("python3 is not installed: " + e.getMessage());
            return;
        }
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), text);
        JsonNode python = new ObjectMapper().readTree(text);
        JsonNode java = new TrainingBench(TrainingBench.defaultSpec()).describe();
        assertEquals(TrainingBench.WORKLOADS.size(), java.size());
        for (String w : TrainingBench.WORKLOADS) {
            JsonNode j = java.path(w);
            JsonNode py = python.path(w);
            assertEquals(j.path("trainings").asInt(), py.path("trainings").asInt(), w);
            assertEquals(j.path("train_samples").asInt(), py.path("train_samples").asInt(), w);
            assertEquals(j.path("validation_samples").asInt(), py.path("validation_samples").asInt(), w);
            assertEquals(j.path("networks").size(), py.path("networks").size(), w);
            Iterator<JsonNode> pn = py.path("networks").elements();
            for (JsonNode jn : j.path("networks")) {
                JsonNode q = pn.next();
                for (String key : List.of("network", "parameters", "epochs", "batch_size")) {
                    assertEquals(jn.path(key).asText(), q.path(key).asText(), w + " " + key);
                }
                for (String key : List.of("learning_rate", "l2")) {
                    assertEquals(jn.path(key).asDouble(), q.path(key).asDouble(), 0, w + " " + key);
                }
            }
        }
        // the quickstart grid: 2 x 2 cells x 2 seeds distilled, 2 baselines, 1 teacher
        assertEquals(11, java.path("grid").path("trainings").asInt());
        // 12 -> 16 -> 8 -> 3 by hand: 12*16+16 + 16*8+8 + 8*3+3
        assertEquals(12 * 16 + 16 + 16 * 8 + 8 + 8 * 3 + 3, java.path("student_kd").path("networks").get(0)
                .path("parameters").asInt());
    }

    @Test
    void badArgumentsAreRefusedInOneLine() {
        assertThrows(Distill4jException.class, () -> BenchTrainingCommand.check(0, 1, TrainingBench.WORKLOADS));
        assertThrows(Distill4jException.class, () -> BenchTrainingCommand.check(1, 0, TrainingBench.WORKLOADS));
        Distill4jException e = assertThrows(Distill4jException.class,
                () -> BenchTrainingCommand.check(1, 1, List.of("grid", "resnet")));
        assertTrue(e.getMessage().contains("'resnet'") && e.getMessage().contains("teacher_lstm"), e.getMessage());
        BenchTrainingCommand.check(3, 2, List.of("grid", "student_kd"));

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new String[] {"bench", "training", "--repeats", "0"}, new PrintWriter(out, true),
                new PrintWriter(err, true));
        assertTrue(code != 0 && err.toString().contains("--repeats must be in [1, 100], got 0"), err.toString());
        code = Main.execute(new String[] {"bench"}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertTrue(code != 0 && err.toString().contains("bench training"), err.toString());
    }

    @Test
    void sidesRunWhileOtherProcessesTookAQuarterCoreOrMoreAreNamed() {
        BenchTrainingCommand.BusySides quiet = new BenchTrainingCommand.BusySides();
        quiet.note(0, "grid", 0.01);
        quiet.note(0, "grid", Double.NaN);
        quiet.note(1, "grid", 0.249);
        assertTrue(quiet.warning().isEmpty());
        BenchTrainingCommand.BusySides busy = new BenchTrainingCommand.BusySides();
        busy.note(0, "grid", 0.02);
        busy.note(0, "grid", 0.25);
        busy.note(1, "teacher_mlp", 1.04);
        String w = busy.warning().orElseThrow();
        assertTrue(w.contains("during 2 of 3 sides: round 1 grid (0.25), round 2 teacher_mlp (1.04)"), w);
    }

    @Test
    void withoutTorchThePythonSideIsSkippedWithAMessage() throws Exception {
        BenchTrainingCommand c = new BenchTrainingCommand();
        c.python = "/nonexistent/python3";
        String v = c.torchVersion();
        assertTrue(v.startsWith("!") && v.contains("python3-torch"), v);
    }

    @Test
    void theTableShowsMinMedianMaxSamplesPerSecondAndRatios() {
        String t = BenchTrainingCommand.table(List.of("student_kd"), Map.of("student_kd", 1000L),
                Map.of("student_kd", List.of(4.0, 2.0, 1.0)), Map.of("student_kd", List.of(1.0, 1.0, 0.5)),
                Map.of("student_kd", List.of(0.25, 0.5, 0.5)));
        assertTrue(t.contains("| student_kd | distill4j | 1.00 | 2.00 | 4.00 | 500 |  |"), t);
        assertTrue(t.contains("| student_kd | PyTorch | 0.50 | 1.00 | 1.00 | 1,000 | 0.25 / 0.50 / 0.50 |"), t);
    }

    @Test
    void theBreakdownGivesEachPartItsShareOfTheTrial() {
        Map<PhaseTimes.Phase, Long> m = new EnumMap<>(PhaseTimes.Phase.class);
        for (PhaseTimes.Phase p : PhaseTimes.Phase.values()) {
            m.put(p, 0L);
        }
        m.put(PhaseTimes.Phase.TRIAL, 10_000_000_000L);
        m.put(PhaseTimes.Phase.TRAIN_STEPS, 6_000_000_000L);
        m.put(PhaseTimes.Phase.TRACKING, 1_000_000_000L);
        String b = BenchTrainingCommand.breakdown(Map.of("distilled", m), 2);
        assertTrue(b.contains("distilled trials of the grid (workers 2), parts of their total 10.00 s"), b);
        assertTrue(b.contains("training steps        6.000 s   60.0%"), b);
        assertTrue(b.contains("tracking              1.000 s   10.0%"), b);
        assertTrue(b.contains("other                 3.000 s   30.0%"), b);
        assertTrue(!b.contains("teacher"), b);
    }

    @Test
    void heapPerTrialAveragesEachKindAndTheStudentsTogether() {
        long mb = 1L << 20;
        String h = BenchTrainingCommand.heapPerTrial(Map.of("distilled", new long[] {80 * mb, 8},
                "student-alone", new long[] {40 * mb, 2}, "teacher", new long[] {300 * mb, 1}));
        assertTrue(h.contains("distilled 10.0 MB (8)"), h);
        assertTrue(h.contains("student-alone 20.0 MB (2)"), h);
        assertTrue(h.contains("teacher 300.0 MB (1)"), h);
        assertTrue(h.endsWith("every student trial 12.0 MB"), h); // (80 + 40) / 10, not the mean of the means
    }

    @Test
    void theTrialThreadsAllocationIsCountedPerScope() {
        PhaseTimes.reset();
        PhaseTimes.enter("distilled");
        long start = PhaseTimes.allocatedBytes();
        byte[][] kept = new byte[64][];
        for (int i = 0; i < kept.length; i++) {
            kept[i] = new byte[1 << 16]; // 4 MB in all
        }
        PhaseTimes.allocatedSince(start, 1);
        PhaseTimes.leave();
        long[] a = PhaseTimes.allocations().get("distilled");
        assertEquals(1, a[1]);
        assertTrue(a[0] >= 64L << 16 && a[0] < 64L << 17, a[0] + " bytes for " + kept.length + " arrays");
        PhaseTimes.reset();
        assertTrue(PhaseTimes.allocations().isEmpty());
    }
}
