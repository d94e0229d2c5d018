package io.distill4j.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The latency section that {@code distill4j bench} writes into a study's {@code summary.md}, between
 * {@link #BEGIN} and {@link #END}: its first table has one row per model and call path with the latency percentiles
 * in microseconds ({@code | model | path | calls | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | ... |}). The report
 * reads it back to draw latency bars.
 */
public final class BenchSection {
    /** Marks the start of the bench section in {@code summary.md}; a new bench replaces the old section. */
    public static final String BEGIN = "<!-- distill4j bench -->";
    /** Marks the end of the bench section. */
    public static final String END = "<!-- /distill4j bench -->";

    /** One latency row read back: the model, the call path, and its p50 and p99 in microseconds. */
    public record Latency(String model, String path, double p50Us, double p99Us) {
    }

    private BenchSection() {
    }

    /**
     * The latency rows of the bench section of {@code summaryMarkdown}, in table order; empty when there is no bench
     * section (or its table has no row).
     */
    public static List<Latency> latency(String summaryMarkdown) {
        int a = summaryMarkdown.indexOf(BEGIN);
        int z = summaryMarkdown.indexOf(END);
        List<Latency> out = new ArrayList<>();
        if (a < 0 || z < a) {
            return out;
        }
        boolean inTable = false;
        for (String line : summaryMarkdown.substring(a, z).split("\n")) {
            String t = line.trim();
            if (t.startsWith("| model | path |")) {
                inTable = true;
                continue;
            }
            if (!inTable || t.startsWith("|---")) {
                continue;
            }
            if (!t.startsWith("|")) {
                break; // the latency table ended
            }
            String[] cells = t.substring(1).split("\\|");
            if (cells.length >= 6) {
                out.add(new Latency(cells[0].trim(), cells[1].trim(), Double.parseDouble(cells[3].trim()),
                        Double.parseDouble(cells[5].trim())));
            }
        }
        return out;
    }
}
