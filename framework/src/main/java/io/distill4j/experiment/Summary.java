package io.distill4j.experiment;

import io.distill4j.config.ConfigHash;
import io.distill4j.eval.Stats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results of a study, one row per method (teacher, student-alone, each distilled grid cell) with mean ± std
 * over seeds of the test metrics, and a verdict on whether distillation beat the student-alone baseline.
 *
 * <p>Honest comparison: the distilled cell to compare is chosen by mean <b>validation</b> accuracy, never by test
 * results; its test accuracy is then compared with the baseline's by Welch's t over seeds. {@code |t| >= 2} (about
 * a 95% level for a handful of seeds is optimistic; with 2 seeds it is a weak test) is reported as a difference,
 * anything else as no clear difference.
 */
public record Summary(String study, List<Row> rows, String verdict, List<TrialResult> failures, String header) {

    /** Metrics shown per row, in order. */
    public static final List<String> METRICS = List.of("accuracy", "macro_f1", "log_loss", "agreement", "kl_teacher",
            "retention_accuracy", "retention_macro_f1");

    /** One method aggregated over seeds. */
    public record Row(String method, String role, int runs, int failed, Map<String, Stats> metrics,
            Stats validationAccuracy, long parameters, double compression) {
        public Stats metric(String name) {
            return metrics.getOrDefault(name, Stats.of(List.of()));
        }
    }

    /** Aggregates trial results. */
    public static Summary of(Study study, List<TrialResult> results) {
        Map<String, TrialResult> teacherByKey = new LinkedHashMap<>();
        for (TrialResult r : results) {
            if (r.trial().role() == Trial.Role.TEACHER && !r.failed()) {
                teacherByKey.put(teacherKey(r.trial()), r);
            }
        }
        Map<String, List<TrialResult>> groups = new LinkedHashMap<>();
        for (TrialResult r : results) {
            String group = r.trial().role() == Trial.Role.TEACHER
                    ? "teacher " + r.trial().config().teacher().describe()
                    : r.trial().method();
            groups.computeIfAbsent(group, k -> new ArrayList<>()).add(r);
        }
        List<Row> rows = new ArrayList<>();
        for (var e : groups.entrySet()) {
            Map<String, List<Double>> values = new LinkedHashMap<>();
            List<Double> validation = new ArrayList<>();
            long params = 0;
            double compression = Double.NaN;
            int failed = 0;
            for (TrialResult r : e.getValue()) {
                if (r.failed()) {
                    failed++;
                    continue;
                }
                TrialResult teacher = teacherByKey.get(teacherKey(r.trial()));
                for (String m : METRICS) {
                    double v = switch (m) {
                        case "retention_accuracy" -> teacher == null || r.trial().role() == Trial.Role.TEACHER
                                ? Double.NaN : r.test("accuracy") / teacher.test("accuracy");
                        case "retention_macro_f1" -> teacher == null || r.trial().role() == Trial.Role.TEACHER
                                ? Double.NaN : r.test("macro_f1") / teacher.test("macro_f1");
                        default -> r.test(m);
                    };
                    values.computeIfAbsent(m, k -> new ArrayList<>()).add(v);
                }
                validation.add(r.validation("accuracy"));
                params = r.parameters();
                if (teacher != null && r.trial().role() != Trial.Role.TEACHER) {
                    compression = (double) teacher.parameters() / r.parameters();
                }
            }
            Map<String, Stats> stats = new LinkedHashMap<>();
            values.forEach((k, v) -> stats.put(k, Stats.of(v)));
            rows.add(new Row(e.getKey(), e.getValue().get(0).trial().role().label(), e.getValue().size(), failed,
                    stats, Stats.of(validation), params, compression));
        }
        List<TrialResult> failures = results.stream().filter(TrialResult::failed).toList();
        return new Summary(study.name(), List.copyOf(rows), verdict(rows), failures, header(study));
    }

    private static String teacherKey(Trial t) {
        return ConfigHash.of(t.config().teacherIdentity());
    }

    private static String header(Study study) {
        StudyConfig c = study.base();
        return "study `" + study.name() + "` (" + study.file() + "): teacher " + c.teacher().describe()
                + ", student " + c.student().describe() + ", loss " + c.newLoss().describe()
                + (c.schedules().isEmpty() ? "" : ", schedules " + describeSchedules(c))
                + ", " + study.cells().size() + " grid cell(s) x seeds " + study.seeds()
                + ", student budget " + c.training().epochs() + " epochs";
    }

    private static String describeSchedules(StudyConfig c) {
        List<String> parts = new ArrayList<>();
        c.schedules().forEach((k, v) -> parts.add(k + "=" + v.describe()));
        return String.join(" ", parts);
    }

    private static String verdict(List<Row> rows) {
        Row baseline = rows.stream().filter(r -> r.role().equals("student-alone")).findFirst().orElse(null);
        Row best = null;
        for (Row r : rows) {
            if (r.role().equals("distilled") && r.validationAccuracy().n() > 0
                    && (best == null || r.validationAccuracy().mean() > best.validationAccuracy().mean())) {
                best = r;
            }
        }
        if (baseline == null || best == null || baseline.metric("accuracy").n() == 0) {
            return "No verdict: the student-alone baseline or every distilled trial failed.";
        }
        Stats kd = best.metric("accuracy");
        Stats alone = baseline.metric("accuracy");
        Stats kdF1 = best.metric("macro_f1");
        Stats aloneF1 = baseline.metric("macro_f1");
        double t = kd.welchT(alone);
        String facts = String.format(Locale.ROOT,
                "Best distilled cell by validation accuracy: %s. On the test split its accuracy is %s against %s for "
                        + "the student alone (difference %+.4f), macro-F1 %s against %s, over %d and %d seed(s).",
                best.method(), kd.format(4), alone.format(4), kd.mean() - alone.mean(), kdF1.format(4),
                aloneF1.format(4), kd.n(), alone.n());
        String judgement;
        if (Double.isNaN(t)) {
            judgement = "Too few seeds for a test: no claim either way.";
        } else if (t >= 2) {
            judgement = String.format(Locale.ROOT, "Distillation beat the student-alone baseline (Welch t = %.2f).", t);
        } else if (t <= -2) {
            judgement = String.format(Locale.ROOT,
                    "Distillation did worse than the student-alone baseline (Welch t = %.2f).", t);
        } else {
            judgement = String.format(Locale.ROOT, "No clear difference: distillation did not beat the student-alone "
                    + "baseline beyond seed-to-seed noise (Welch t = %.2f, |t| < 2).", t);
        }
        return facts + " " + judgement;
    }

    // ---- output ----------------------------------------------------------------------------------

    private static final List<String> TABLE_HEADERS = List.of("method", "runs", "accuracy", "macro-F1", "log-loss",
            "agreement", "KL(T||S)", "retention acc", "retention F1", "params", "compression");

    private List<List<String>> tableCells() {
        List<List<String>> out = new ArrayList<>();
        for (Row r : rows) {
            List<String> cells = new ArrayList<>();
            cells.add(r.method());
            cells.add(r.failed() == 0 ? String.valueOf(r.runs()) : (r.runs() - r.failed()) + "/" + r.runs());
            for (String m : METRICS) {
                cells.add(r.metric(m).format(m.startsWith("retention") ? 3 : 4));
            }
            cells.add(String.valueOf(r.parameters()));
            cells.add(Double.isNaN(r.compression()) ? "-" : String.format(Locale.ROOT, "%.1fx", r.compression()));
            out.add(cells);
        }
        return out;
    }

    /** The table as aligned plain text, for the console. */
    public String toText() {
        List<List<String>> all = new ArrayList<>();
        all.add(TABLE_HEADERS);
        all.addAll(tableCells());
        int[] width = new int[TABLE_HEADERS.size()];
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (int r = 0; r < all.size(); r++) {
            List<String> row = all.get(r);
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                b.append(i == 0 ? String.format("%-" + width[i] + "s", cell) : String.format("  %" + width[i] + "s", cell));
            }
            b.append('\n');
            if (r == 0) {
                int total = 0;
                for (int w : width) {
                    total += w + 2;
                }
                b.append("-".repeat(total - 2)).append('\n');
            }
        }
        return b.toString();
    }

    /** The summary as Markdown. */
    public String toMarkdown() {
        StringBuilder b = new StringBuilder();
        b.append("# ").append(study).append("\n\n").append(header).append(".\n\n");
        b.append("Test-split metrics, mean ± std over seeds (sample std). Retention = student metric / teacher metric; "
                + "compression = teacher parameters / student parameters.\n\n");
        b.append('|').append(String.join(" | ", TABLE_HEADERS)).append("|\n|");
        b.append("---|".repeat(TABLE_HEADERS.size())).append('\n');
        for (List<String> row : tableCells()) {
            b.append('|').append(String.join(" | ", row)).append("|\n");
        }
        b.append("\n## Verdict\n\n").append(verdict).append('\n');
        if (!failures.isEmpty()) {
            b.append("\n## Failed trials\n\n");
            for (TrialResult f : failures) {
                b.append("- ").append(f.trial().runName()).append(" (").append(f.trialId()).append("): ")
                        .append(f.failure()).append('\n');
            }
        }
        return b.toString();
    }

    /** One line per row: mean and std of every metric. */
    public String toCsv() {
        StringBuilder b = new StringBuilder("method,role,runs,failed");
        for (String m : METRICS) {
            b.append(',').append(m).append("_mean,").append(m).append("_std");
        }
        b.append(",val_accuracy_mean,parameters,compression\n");
        for (Row r : rows) {
            b.append(csv(r.method())).append(',').append(r.role()).append(',').append(r.runs()).append(',')
                    .append(r.failed());
            for (String m : METRICS) {
                Stats s = r.metric(m);
                b.append(',').append(num(s.mean())).append(',').append(num(s.std()));
            }
            b.append(',').append(num(r.validationAccuracy().mean())).append(',').append(r.parameters()).append(',')
                    .append(num(r.compression())).append('\n');
        }
        return b.toString();
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6f", v) : "";
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** Writes {@code summary.md} and {@code summary.csv} into {@code folder}, each atomically. */
    public void write(Path folder) {
        writeAtomically(folder.resolve("summary.md"), toMarkdown());
        writeAtomically(folder.resolve("summary.csv"), toCsv());
    }

    private static void writeAtomically(Path target, String text) {
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), ".tmp-", ".part");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
