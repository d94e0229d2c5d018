package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Test helper: two runs of one study (resumed, sharded, on another engine) against a reference run: the same trial
 * ids, the same test metrics to 1e-6 and the same {@code summary.csv} but for the training times.
 */
public final class SameResults {
    private SameResults() {
    }

    /** Asserts that {@code other} has {@code reference}'s trials, metrics and summary. */
    public static void assertSame(StudyRunner.Outcome reference, StudyRunner.Outcome other) throws IOException {
        Map<String, TrialResult> a = byId(other.results());
        Map<String, TrialResult> b = byId(reference.results());
        assertEquals(b.keySet(), a.keySet(), "same trials");
        for (String id : b.keySet()) {
            assertEquals(b.get(id).failed(), a.get(id).failed(), id + " failed: " + a.get(id).failure());
            for (String metric : List.of("accuracy", "macro_f1", "log_loss", "agreement")) {
                double expected = b.get(id).test(metric);
                double actual = a.get(id).test(metric);
                assertTrue(Double.isNaN(expected) ? Double.isNaN(actual) : Math.abs(expected - actual) <= 1e-6,
                        id + " " + metric + ": " + actual + " vs " + expected);
            }
        }
        // the training times (the last six columns) are measured anew by every run
        assertEquals(withoutTimes(reference.folder().resolve("summary.csv")),
                withoutTimes(other.folder().resolve("summary.csv")));
    }

    /** The results by trial id. */
    public static Map<String, TrialResult> byId(List<TrialResult> results) {
        Map<String, TrialResult> m = new TreeMap<>();
        results.forEach(r -> m.put(r.trialId(), r));
        return m;
    }

    /** The training-time columns, last in a summary.csv without regression or regime columns. */
    private static final String TIMES = ",train_seconds_mean,train_seconds_std,train_cpu_seconds_mean,"
            + "train_cpu_seconds_std,train_cpu_vs_kd_mean,train_cpu_vs_kd_std";

    /** The lines of a summary.csv without its trailing training-time columns ({@link #TIMES}). */
    static List<String> withoutTimes(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        assertTrue(lines.get(0).endsWith(TIMES), lines.get(0));
        int columns = TIMES.split(",").length - 1;
        return lines.stream().map(l -> {
            int end = l.length();
            for (int i = 0; i < columns; i++) {
                end = l.lastIndexOf(',', end - 1);
            }
            return l.substring(0, end);
        }).toList();
    }
}
