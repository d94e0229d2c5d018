package io.distill4j.experiment;

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
 * results; its test accuracy and macro-F1 are then compared with the baseline's by Welch's t over seeds.
 * {@code |t| >= 2} counts as a difference (a rough bar: with 2 or 3 seeds the test is weak); when the two metrics
 * disagree the verdict says "mixed", never "beat".
 */
public record Summary(String study, List<Row> rows, String verdict, List<TrialResult> failures, String header,
        List<String> teacherNotes) {

    /** Metrics shown per row, in order. */
    public static final List<String> METRICS = List.of("accuracy", "macro_f1", "log_loss", "agreement", "kl_teacher",
            "retention_accuracy", "retention_macro_f1");

    /**
     * One method aggregated over seeds.
     *
     * @param memberRetention for students of an ensemble teacher: accuracy retention versus each member, by name
     */
    public record Row(String method, String role, int runs, int failed, Map<String, Stats> metrics,
            Stats validationAccuracy, long parameters, double compression, Map<String, Stats> memberRetention) {
        public Row(String method, String role, int runs, int failed, Map<String, Stats> metrics,
                Stats validationAccuracy, long parameters, double compression) {
            this(method, role, runs, failed, metrics, validationAccuracy, parameters, compression, Map.of());
        }

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
            String group = r.trial().role() == Trial.Role.TEACHER ? r.trial().teacherLabel() : r.trial().method();
            groups.computeIfAbsent(group, k -> new ArrayList<>()).add(r);
        }
        List<Row> rows = new ArrayList<>();
        for (var e : groups.entrySet()) {
            Map<String, List<Double>> values = new LinkedHashMap<>();
            Map<String, List<Double>> retentionByMember = new LinkedHashMap<>();
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
                if (teacher != null && r.trial().role() != Trial.Role.TEACHER) {
                    for (String member : memberNames(teacher)) {
                        retentionByMember.computeIfAbsent(member, k -> new ArrayList<>())
                                .add(r.test("accuracy") / teacher.test("member." + member + ".accuracy"));
                    }
                    StudyConfig c = r.trial().config();
                    if (c.teachers().size() > 1) {
                        for (String name : c.teachers().keySet()) {
                            TrialResult each = teacherByKey.get(StudyRunner.teacherKey(c, name, r.trial().seed()));
                            retentionByMember.computeIfAbsent(name, k -> new ArrayList<>())
                                    .add(each == null ? Double.NaN : r.test("accuracy") / each.test("accuracy"));
                        }
                    }
                }
                params = r.parameters();
                if (teacher != null && r.trial().role() != Trial.Role.TEACHER && teacher.parameters() > 0) {
                    compression = (double) teacher.parameters() / r.parameters();
                }
            }
            Map<String, Stats> stats = new LinkedHashMap<>();
            values.forEach((k, v) -> stats.put(k, Stats.of(v)));
            Map<String, Stats> memberRetention = new LinkedHashMap<>();
            retentionByMember.forEach((k, v) -> memberRetention.put(k, Stats.of(v)));
            rows.add(new Row(e.getKey(), e.getValue().get(0).trial().role().label(), e.getValue().size(), failed,
                    stats, Stats.of(validation), params, compression, memberRetention));
            if (e.getValue().get(0).trial().role() == Trial.Role.TEACHER) {
                for (TrialResult t : e.getValue()) {
                    if (!t.failed()) {
                        rows.addAll(memberRows(e.getKey(), t));
                    }
                }
            }
        }
        List<TrialResult> failures = results.stream().filter(TrialResult::failed).toList();
        return new Summary(study.name(), List.copyOf(rows), verdict(rows), failures, header(study),
                java.util.stream.Stream.concat(teacherNotes(results).stream(), cacheReuseNotes(results).stream())
                        .toList());
    }

    private static List<String> memberNames(TrialResult teacher) {
        List<String> names = new ArrayList<>();
        for (String key : teacher.test().keySet()) {
            if (key.startsWith("member.") && key.endsWith(".accuracy")) {
                names.add(key.substring("member.".length(), key.length() - ".accuracy".length()));
            }
        }
        names.sort(null);
        return names;
    }

    /** One row per ensemble member, with the member's own test metrics. */
    private static List<Row> memberRows(String teacherMethod, TrialResult teacher) {
        List<Row> rows = new ArrayList<>();
        for (String member : memberNames(teacher)) {
            Map<String, Stats> stats = new LinkedHashMap<>();
            for (String m : METRICS) {
                stats.put(m, Stats.of(List.of(teacher.test().getOrDefault("member." + member + "." + m,
                        Double.NaN))));
            }
            rows.add(new Row("  member " + member, "teacher-member", 1, 0, stats,
                    Stats.of(List.of(teacher.validation("member." + member + ".accuracy"))), -1, Double.NaN));
        }
        return rows;
    }

    /**
     * How each teacher was obtained and the time the cache saved: without it, each of the n student trials would
     * train its own teacher (n - 1 extra trainings when trained in this run, n when read from the cache).
     */
    private static List<String> teacherNotes(List<TrialResult> results) {
        List<String> notes = new ArrayList<>();
        for (TrialResult t : results) {
            if (t.trial().role() != Trial.Role.TEACHER || t.failed()) {
                continue;
            }
            String key = teacherKey(t.trial());
            long students = results.stream().filter(r -> r.trial().role() != Trial.Role.TEACHER
                    && usesTeacher(r.trial(), key)).count();
            double seconds = t.facts().getOrDefault("train_seconds", Double.NaN);
            boolean cached = t.facts().getOrDefault("from_cache", 0.0) > 0;
            long extra = cached ? students : Math.max(0, students - 1);
            notes.add(String.format(Locale.ROOT, "%s: %s (training took %.1f s); shared by %d student "
                    + "trial(s), saving about %.1f s of teacher training.", capitalise(t.trial().runName()),
                    cached ? "read from the cache" : "trained once in this run", seconds, students,
                    seconds * extra));
        }
        return List.copyOf(notes);
    }

    // ---- teachers reused from the cache ----------------------------------------------------------

    /**
     * The teacher fact holding its cache key: the key's first 12 hex digits read as a 48-bit integer (facts are
     * numbers, and 48 bits are exact in a double).
     */
    static final String CACHE_KEY_FACT = "cache_key_48";

    /** The value of {@link #CACHE_KEY_FACT} for a (hex) cache key. */
    static double cacheKeyFact(String key) {
        return Long.parseLong(key.substring(0, 12), 16);
    }

    /**
     * One line per teacher taken from the teacher cache rather than trained in this run, so that a reader knows its
     * numbers come from an earlier run, e.g.
     * {@code Teacher mlp[256,128,64] reused from the cache (trained 2026-11-29 18:02 UTC, key 3fa2c1d9e0b7).}
     */
    static List<String> cacheReuseNotes(List<TrialResult> results) {
        var when = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
                .withZone(java.time.ZoneOffset.UTC);
        List<String> notes = new ArrayList<>();
        for (TrialResult t : results) {
            if (t.trial().role() != Trial.Role.TEACHER || t.failed()
                    || t.facts().getOrDefault("from_cache", 0.0) == 0) {
                continue;
            }
            double at = t.facts().getOrDefault("trained_at_ms", 0.0);
            Double key = t.facts().get(CACHE_KEY_FACT);
            notes.add(capitalise(t.trial().runName()) + " reused from the cache (trained "
                    + (at > 0 ? when.format(java.time.Instant.ofEpochMilli((long) at)) : "at an unknown time")
                    + ", key " + (key == null ? "unknown" : String.format(Locale.ROOT, "%012x", key.longValue()))
                    + ").");
        }
        return notes;
    }

    private static boolean usesTeacher(Trial student, String key) {
        StudyConfig c = student.config();
        return c.teachers().keySet().stream().anyMatch(n -> StudyRunner.teacherKey(c, n, student.seed()).equals(key));
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** A teacher trial's own key; for a student trial, the key of its primary teacher (for its seed). */
    private static String teacherKey(Trial t) {
        String name = t.role() == Trial.Role.TEACHER ? t.teacherName() : t.config().primaryTeacher();
        return StudyRunner.teacherKey(t.config(), name, t.seed());
    }

    private static String header(Study study) {
        StudyConfig c = study.base();
        List<String> teachers = new ArrayList<>();
        c.teachers().forEach((n, t) -> teachers.add(c.teachers().size() > 1 ? n + "=" + t.describe() : t.describe()));
        List<String> losses = c.newLosses().stream().map(io.distill4j.api.DistillationLoss::describe).toList();
        if (!study.cells().get(0).assignments().isEmpty()) {
            // the grid varies the settings: name the loss type and the axes, not the first cell's values
            losses = List.of(c.lossSection().path("type").asText() + " (grid over "
                    + String.join(" x ", study.cells().get(0).assignments().keySet()) + ")");
        }
        return "study `" + study.name() + "` (" + study.file() + "): teacher" + (teachers.size() > 1 ? "s " : " ")
                + String.join(", ", teachers) + ", student " + c.student().describe() + ", loss "
                + String.join(" + ", losses)
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
        String facts = String.format(Locale.ROOT,
                "Best distilled cell by validation accuracy: %s. On the test split, over %d and %d seed(s): "
                        + "accuracy %s against %s for the student alone, macro-F1 %s against %s.",
                best.method(), best.metric("accuracy").n(), baseline.metric("accuracy").n(),
                best.metric("accuracy").format(4), baseline.metric("accuracy").format(4),
                best.metric("macro_f1").format(4), baseline.metric("macro_f1").format(4));
        int accuracy = compare(best.metric("accuracy"), baseline.metric("accuracy"));
        int f1 = compare(best.metric("macro_f1"), baseline.metric("macro_f1"));
        String tests = String.format(Locale.ROOT, "(Welch t: accuracy %.2f, macro-F1 %.2f; |t| >= 2 counts)",
                best.metric("accuracy").welchT(baseline.metric("accuracy")),
                best.metric("macro_f1").welchT(baseline.metric("macro_f1")));
        String judgement;
        if (accuracy == UNKNOWN || f1 == UNKNOWN) {
            judgement = "Too few seeds for a test: no claim either way.";
        } else if (accuracy > 0 && f1 > 0) {
            judgement = "Distillation beat the student-alone baseline on both accuracy and macro-F1 " + tests + ".";
        } else if (accuracy > 0 && f1 == 0 || f1 > 0 && accuracy == 0) {
            judgement = "Distillation beat the student-alone baseline on " + (accuracy > 0 ? "accuracy" : "macro-F1")
                    + " only; " + (accuracy > 0 ? "macro-F1" : "accuracy") + " showed no clear difference " + tests
                    + ".";
        } else if (accuracy < 0 && f1 <= 0 || f1 < 0 && accuracy <= 0) {
            judgement = "Distillation did worse than the student-alone baseline " + tests + ".";
        } else if (accuracy == 0 && f1 == 0) {
            judgement = "No clear difference: distillation did not beat the student-alone baseline beyond "
                    + "seed-to-seed noise " + tests + ".";
        } else {
            judgement = "Mixed: distillation " + (accuracy > 0 ? "raised accuracy but lowered macro-F1"
                    : "raised macro-F1 but lowered accuracy") + " against the student alone " + tests
                    + "; it did not beat the baseline on both.";
        }
        return facts + " " + judgement;
    }

    private static final int UNKNOWN = Integer.MIN_VALUE;

    /** +1 / -1 when {@code a} is above / below {@code b} by Welch |t| >= 2, 0 otherwise, UNKNOWN without a test. */
    private static int compare(Stats a, Stats b) {
        double t = a.welchT(b);
        if (Double.isNaN(t)) {
            return UNKNOWN;
        }
        return t >= 2 ? 1 : t <= -2 ? -1 : 0;
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
            cells.add(r.parameters() < 0 ? "-" : String.valueOf(r.parameters()));
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
        List<Row> withMembers = rows.stream().filter(r -> !r.memberRetention().isEmpty()).toList();
        if (!withMembers.isEmpty()) {
            List<String> members = new ArrayList<>(withMembers.get(0).memberRetention().keySet());
            b.append("\nAccuracy retention versus each ensemble member (student accuracy / member accuracy):\n\n|method | ")
                    .append(String.join(" | ", members)).append("|\n|").append("---|".repeat(members.size() + 1))
                    .append('\n');
            for (Row r : withMembers) {
                b.append('|').append(r.method());
                for (String m : members) {
                    b.append(" | ").append(r.memberRetention().getOrDefault(m, Stats.of(List.of())).format(3));
                }
                b.append("|\n");
            }
        }
        if (!teacherNotes.isEmpty()) {
            b.append('\n');
            teacherNotes.forEach(n -> b.append(n).append("\n"));
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
