package io.distill4j.experiment;

import io.distill4j.eval.Stats;
import io.distill4j.eval.TTest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The walk-forward section of a {@link Rolling} study's summary: per window, its bar ranges and times and the test
 * metrics of the window's teacher, the re-distilled student, the never-updated student (window 1's) and the student
 * alone (mean ± sample std over seeds); their aggregate over the windows where every method is evaluated (window 2
 * on) and seeds; and the re-distilled student against the never-updated one, a paired t-test over (window, seed)
 * pairs. Classification reads accuracy, macro-F1 and agreement with the window's teacher; regression IC, R² and
 * directional accuracy.
 *
 * @param metrics the metric columns, by test metric key
 * @param windows one line per window, in order
 * @param aggregate per method, the statistics over windows 2 on and seeds, by metric key
 * @param comparison the re-distilled minus the never-updated student on each metric (null below 2 pairs)
 */
record RollingSummary(Map<String, String> metrics, List<Window> windows, Map<String, Map<String, Stats>> aggregate,
        Map<String, TTest.Result> comparison) {

    /** The methods compared, as shown. */
    static final List<String> METHODS = List.of("teacher", "re-distilled", "never-updated", "student-alone");

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /**
     * One window's line.
     *
     * @param window 0-based
     * @param facts the lineage facts of the window (see {@link RollingTrials#facts})
     * @param methods per method, per metric, the statistics over seeds
     */
    record Window(int window, Map<String, Double> facts, Map<String, Map<String, Stats>> methods) {
    }

    /** The file of the per-window table. */
    static final String CSV = "rolling.csv";

    /** The results of windows 2 on: those where the never-updated student is evaluated too. */
    static List<TrialResult> laterWindows(List<TrialResult> results) {
        return results.stream().filter(r -> r.trial().window() >= 1).toList();
    }

    /** Appends the section to {@code summary.md} in {@code folder} and writes {@value #CSV}. */
    void write(java.nio.file.Path folder) {
        try {
            java.nio.file.Files.writeString(folder.resolve("summary.md"), toMarkdown(),
                    java.nio.charset.StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
            java.nio.file.Files.writeString(folder.resolve(CSV), toCsv(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write the walk-forward summary in " + folder + ": "
                    + e.getMessage(), e);
        }
    }

    /** The method a rolling trial's result stands for, or null (a result of another study). */
    static String method(Trial t) {
        if (t.window() < 0) {
            return null;
        }
        return switch (t.role()) {
            case TEACHER -> "teacher";
            case STUDENT_ALONE -> "student-alone";
            case DISTILLED -> t.neverUpdated() ? "never-updated" : "re-distilled";
            case CHAIN_STAGE, MUTUAL -> null;
        };
    }

    /** The walk-forward summary of a rolling study's results (failed trials left out). */
    static RollingSummary of(List<TrialResult> results, boolean regression) {
        Map<String, String> metrics = regression
                ? map("ic", "IC", "r2", "R²", "directional_accuracy", "direction")
                : map("accuracy", "accuracy", "macro_f1", "macro-F1", "agreement", "agreement");
        Map<Integer, Map<String, List<TrialResult>>> byWindow = new TreeMap<>();
        Map<Integer, Map<String, Double>> facts = new TreeMap<>();
        for (TrialResult r : results) {
            String method = method(r.trial());
            if (method == null || r.failed()) {
                continue;
            }
            byWindow.computeIfAbsent(r.trial().window(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(method, k -> new ArrayList<>()).add(r);
            facts.putIfAbsent(r.trial().window(), r.facts());
        }
        List<Window> windows = new ArrayList<>();
        Map<String, Map<String, List<Double>>> pooled = new LinkedHashMap<>();
        Map<String, Map<Long, TrialResult>> pairs = new LinkedHashMap<>();
        byWindow.forEach((k, methods) -> {
            Map<String, Map<String, Stats>> line = new LinkedHashMap<>();
            for (String method : METHODS) {
                List<TrialResult> trials = methods.getOrDefault(method, List.of());
                Map<String, Stats> stats = new LinkedHashMap<>();
                for (String metric : metrics.keySet()) {
                    List<Double> values = trials.stream().map(r -> r.test(metric)).toList();
                    stats.put(metric, Stats.of(values));
                    if (k > 0 && methods.containsKey("never-updated")) {
                        pooled.computeIfAbsent(method, m -> new LinkedHashMap<>())
                                .computeIfAbsent(metric, m -> new ArrayList<>()).addAll(values);
                    }
                }
                line.put(method, stats);
                if (k > 0) {
                    for (TrialResult r : trials) {
                        pairs.computeIfAbsent(method, m -> new TreeMap<>()).put(k * (1L << 32) + r.trial().seed(), r);
                    }
                }
            }
            windows.add(new Window(k, facts.get(k), line));
        });
        Map<String, Map<String, Stats>> aggregate = new LinkedHashMap<>();
        pooled.forEach((method, values) -> {
            Map<String, Stats> stats = new LinkedHashMap<>();
            values.forEach((metric, v) -> stats.put(metric, Stats.of(v)));
            aggregate.put(method, stats);
        });
        Map<String, TTest.Result> comparison = new LinkedHashMap<>();
        Map<Long, TrialResult> a = pairs.getOrDefault("re-distilled", Map.of());
        Map<Long, TrialResult> b = pairs.getOrDefault("never-updated", Map.of());
        List<Long> both = a.keySet().stream().filter(b::containsKey).sorted().toList();
        if (both.size() >= 2) {
            for (String metric : metrics.keySet()) {
                double[] x = both.stream().mapToDouble(key -> a.get(key).test(metric)).toArray();
                double[] y = both.stream().mapToDouble(key -> b.get(key).test(metric)).toArray();
                comparison.put(metric, TTest.paired(x, y));
            }
        }
        return new RollingSummary(metrics, windows, aggregate, comparison);
    }

    private static Map<String, String> map(String... keysAndNames) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndNames.length; i += 2) {
            m.put(keysAndNames[i], keysAndNames[i + 1]);
        }
        return m;
    }

    /** The section as Markdown: the per-window table, the aggregate table and the comparison. */
    String toMarkdown() {
        StringBuilder b = new StringBuilder("\n## Walk-forward windows\n\n");
        b.append("Each window's models are evaluated on its test window only (the bars after its train window and a "
                + "purge gap). Test metrics, mean ± std over seeds; the never-updated student is window 1's re-"
                + "distilled student, evaluated as it is.\n\n");
        StringBuilder head = new StringBuilder("|window | train bars | train from | validation bars | test bars | "
                + "test from | test to");
        StringBuilder rule = new StringBuilder("|---|---|---|---|---|---|---");
        for (String method : METHODS) {
            for (String name : metrics.values()) {
                if (method.equals("teacher") && name.equals("agreement")) {
                    continue;
                }
                head.append(" | ").append(method).append(' ').append(name);
                rule.append("|---");
            }
        }
        b.append(head).append("|\n").append(rule).append("|\n");
        for (Window w : windows) {
            Map<String, Double> f = w.facts();
            b.append("|w").append(w.window() + 1).append(" | ").append(range(f, "train")).append(" | ")
                    .append(time(f, "train_from_ms")).append(" | ").append(range(f, "validation")).append(" | ")
                    .append(range(f, "test")).append(" | ").append(time(f, "test_from_ms")).append(" | ")
                    .append(time(f, "test_last_ms"));
            for (String method : METHODS) {
                for (String metric : metrics.keySet()) {
                    if (method.equals("teacher") && metric.equals("agreement")) {
                        continue;
                    }
                    Stats s = w.methods().get(method).get(metric);
                    b.append(" | ").append(s.n() == 0 ? "-" : s.format(4));
                }
            }
            b.append("|\n");
        }
        b.append("\nOver windows 2 to ").append(windows.size()).append(" and seeds (mean ± std):\n\n|method | runs");
        metrics.values().forEach(name -> b.append(" | ").append(name));
        b.append("|\n|---|---");
        metrics.values().forEach(name -> b.append("|---"));
        b.append("|\n");
        aggregate.forEach((method, stats) -> {
            b.append('|').append(method).append(" | ").append(stats.values().iterator().next().n());
            stats.values().forEach(s -> b.append(" | ").append(s.n() == 0 ? "-" : s.format(4)));
            b.append("|\n");
        });
        b.append('\n').append(verdict()).append('\n');
        return b.toString();
    }

    /** The re-distilled student against the never-updated one, in words. */
    String verdict() {
        if (comparison.isEmpty()) {
            return "Re-distilled against never-updated: too few (window, seed) pairs to compare.";
        }
        StringBuilder b = new StringBuilder("Re-distilled minus never-updated student, paired over (window, seed) "
                + "pairs of windows 2 on: ");
        List<String> parts = new ArrayList<>();
        comparison.forEach((metric, t) -> parts.add(String.format(Locale.ROOT, "%s %+.4f (%s)",
                metrics.get(metric), t.difference(), t.describe())));
        b.append(String.join("; ", parts)).append('.');
        TTest.Result first = comparison.values().iterator().next();
        String main = metrics.values().iterator().next();
        b.append(first.p() < 0.05 ? (first.difference() > 0 ? " Re-distilling per window beat the never-updated "
                + "student on " + main + "." : " Re-distilling per window did worse than the never-updated student on "
                + main + ".") : " No clear difference on " + main + " beyond window-to-window and seed noise.");
        return b.toString();
    }

    /** One line per window and method: {@code rolling.csv}. */
    String toCsv() {
        StringBuilder b = new StringBuilder("window,method,train_from_bar,train_to_bar,validation_from_bar,"
                + "validation_to_bar,test_from_bar,test_to_bar,train_from,test_from,test_last,runs");
        metrics.keySet().forEach(m -> b.append(',').append(m).append("_mean,").append(m).append("_std"));
        b.append('\n');
        for (Window w : windows) {
            Map<String, Double> f = w.facts();
            for (String method : METHODS) {
                Map<String, Stats> stats = w.methods().get(method);
                int runs = stats.values().iterator().next().n();
                if (runs == 0) {
                    continue;
                }
                b.append(w.window() + 1).append(',').append(method);
                for (String key : List.of("train_from_bar", "train_to_bar", "validation_from_bar",
                        "validation_to_bar", "test_from_bar", "test_to_bar")) {
                    b.append(',').append(f.get(RollingTrials.FACT + key).longValue());
                }
                b.append(',').append(iso(f, "train_from_ms")).append(',').append(iso(f, "test_from_ms")).append(',')
                        .append(iso(f, "test_last_ms")).append(',').append(runs);
                for (String metric : metrics.keySet()) {
                    Stats s = stats.get(metric);
                    b.append(',').append(Summary.num(s.mean())).append(',').append(Summary.num(s.std()));
                }
                b.append('\n');
            }
        }
        return b.toString();
    }


    private static String range(Map<String, Double> f, String part) {
        return "[" + f.get(RollingTrials.FACT + part + "_from_bar").longValue() + ", "
                + f.get(RollingTrials.FACT + part + "_to_bar").longValue() + ")";
    }

    private static String time(Map<String, Double> f, String key) {
        return TIME.format(Instant.ofEpochMilli(f.get(RollingTrials.FACT + key).longValue()));
    }

    private static String iso(Map<String, Double> f, String key) {
        return Instant.ofEpochMilli(f.get(RollingTrials.FACT + key).longValue()).toString();
    }
}
