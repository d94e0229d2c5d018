package io.distill4j.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** The bench's tables (markdown) and their place in a study's {@code summary.md}. */
public final class BenchReport {
    /** Marks the start of the bench section in {@code summary.md}; a new bench replaces the old section. */
    public static final String BEGIN = io.distill4j.report.BenchSection.BEGIN;
    /** Marks the end of the bench section. */
    public static final String END = io.distill4j.report.BenchSection.END;

    /**
     * One latency row: what was called, how ({@code path} for people, {@code key} for tracking, e.g.
     * {@code runtime_predict}), and its histogram (which counts the timed calls).
     */
    public record LatencyRow(String model, String path, String key, Histogram histogram) {
        /** How many calls were timed. */
        public long calls() {
            return histogram.getTotalCount();
        }

        double us(double percentile) {
            return histogram.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    /** One size row: a model's parameters, file sizes, multiply-accumulates and batch throughput. */
    public record SizeRow(String model, long parameters, String files, String macs, String dl4jBatch,
            String runtimeBatch) {
    }

    private final List<String> preamble = new ArrayList<>();
    private final List<LatencyRow> latency = new ArrayList<>();
    private final List<SizeRow> sizes = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    public void preamble(String line) {
        preamble.add(line);
    }

    public void add(LatencyRow row) {
        latency.add(row);
    }

    public void add(SizeRow row) {
        sizes.add(row);
    }

    public void note(String line) {
        notes.add(line);
    }

    public List<LatencyRow> latencyRows() {
        return List.copyOf(latency);
    }

    public List<SizeRow> sizeRows() {
        return List.copyOf(sizes);
    }

    /** The section as markdown. */
    public String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("## Latency (distill4j bench)\n\n");
        preamble.forEach(l -> b.append(l).append("\n"));
        b.append("\n| model | path | calls | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | speed-up (p50) |\n");
        b.append("|---|---|---|---|---|---|---|---|---|\n");
        for (LatencyRow r : latency) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s | %s | %s |%n", r.model(), r.path(),
                    r.calls(), fmt(r.us(50)), fmt(r.us(90)), fmt(r.us(99)), fmt(r.us(99.9)),
                    fmt(r.histogram().getMaxValue() / 1000.0), speedUp(r)));
        }
        b.append("\n| model | parameters | serialised size | multiply-accumulates / sample | DL4J batch 256 "
                + "(samples/s) | runtime batch 256 (samples/s) |\n|---|---|---|---|---|---|\n");
        for (SizeRow s : sizes) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s |%n", s.model(), s.parameters(),
                    s.files(), s.macs(), s.dl4jBatch(), s.runtimeBatch()));
        }
        if (!notes.isEmpty()) {
            b.append("\n");
            notes.forEach(n -> b.append("> ").append(n).append("\n"));
        }
        return b.toString();
    }

    /** How much faster at p50 than the DL4J call of the same model (the slowest DL4J call for the teacher). */
    private String speedUp(LatencyRow r) {
        if (r.path().startsWith("DL4J")) {
            return "1x";
        }
        String base = r.model();
        for (LatencyRow d : latency) {
            if (d.path().startsWith("DL4J") && d.model().equals(base)) {
                return String.format(Locale.ROOT, "%.0fx vs DL4J", d.us(50) / Math.max(r.us(50), 1e-3));
            }
        }
        return "-";
    }

    static String fmt(double us) {
        return us >= 100 ? String.format(Locale.ROOT, "%.0f", us)
                : us >= 1 ? String.format(Locale.ROOT, "%.2f", us) : String.format(Locale.ROOT, "%.3f", us);
    }

    /** Writes the section into {@code summary} (replacing an earlier bench section, or appended). */
    public void writeInto(Path summary) throws IOException {
        String text = Files.isRegularFile(summary) ? Files.readString(summary, StandardCharsets.UTF_8) : "";
        int a = text.indexOf(BEGIN);
        int z = text.indexOf(END);
        String section = BEGIN + "\n" + markdown() + END + "\n";
        String updated;
        if (a >= 0 && z > a) {
            updated = text.substring(0, a) + section + text.substring(z + END.length()).replaceFirst("^\n", "");
        } else {
            updated = text + (text.isEmpty() || text.endsWith("\n\n") ? "" : text.endsWith("\n") ? "\n" : "\n\n")
                    + section;
        }
        Path tmp = Files.createTempFile(summary.toAbsolutePath().getParent(), ".tmp-", ".md");
        Files.writeString(tmp, updated, StandardCharsets.UTF_8);
        io.distill4j.AtomicFiles.replace(tmp, summary);
    }
}
