package io.distill4j.experiment;

import io.distill4j.AtomicFiles;
import io.distill4j.config.ConfigHash;
import io.distill4j.config.GridCell;
import io.distill4j.eval.BlockBootstrap;
import io.distill4j.eval.ClassificationMetrics;
import io.distill4j.eval.FeatureSimilarity;
import io.distill4j.eval.Stats;
import io.distill4j.eval.RegressionMetrics;
import io.distill4j.eval.TTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The results of a study, one row per method with mean ± std over seeds of the test metrics, and a verdict on
 * whether distillation beat the student trained alone.
 *
 * <p>Rows: each teacher (and ensemble member), one student-alone baseline per distinct student + training + data
 * config (labelled with its grid values when the grid varies them, e.g. {@code student-alone hidden=[32,16]}), each
 * distilled grid cell, and two chance baselines per dataset (the train split's majority class; persistence, the
 * label of the move that just happened). Every distilled cell is compared with <b>its own</b> baseline (same
 * student, training and data; see {@link StudyConfig#baselineIdentity()}).
 *
 * <p>Verdict: the distilled cell is chosen by mean <b>validation</b> accuracy, never by test results; its test
 * accuracy and macro-F1 are compared with its baseline's by a two-sided t-test over seeds: paired when both ran on the
 * same seeds (a distilled student and its baseline with the same seed start from the same weights and see the same
 * minibatch order), Welch's otherwise. A difference counts when {@code p < }{@value #ALPHA}; with fewer than
 * {@value #MIN_SEEDS} seeds per side no call is made. When the two metrics disagree the verdict says "mixed", never
 * "beat". The test accuracy difference also gets a {@link BlockBootstrap} 95% interval over the test samples (which
 * overlap when the label horizon is above one bar), for the uncertainty the finite test set adds.
 *
 * @param dataNotes what seeds vary and the class balance of every split
 * @param chain the per-stage table and verdict of a study with a {@link Chain} ({@link ChainSummary#NONE} without)
 * @param mutual the per-student table and verdicts of a study with a {@link Mutual} cohort
 *     ({@link MutualSummary#NONE} without)
 */
public record Summary(String study, List<Row> rows, String verdict, List<TrialResult> failures, String header,
        List<String> teacherNotes, List<String> dataNotes, ChainSummary chain, MutualSummary mutual) {

    /** Metrics shown per row, in order. */
    public static final List<String> METRICS = List.of("accuracy", "macro_f1", "log_loss", "agreement", "kl_teacher",
            "retention_accuracy", "retention_macro_f1");
    /**
     * The fact and row statistic of a trial's training time in seconds (a teacher's: its training, once, even when
     * later runs read it from the cache; a student's: its epochs, without data preparation and evaluation).
     */
    public static final String TRAIN_SECONDS = "train_seconds";
    /**
     * The row statistic of a student trial's training time as CPU seconds of the thread that trained it (the fact
     * {@link TrialExecutor#TRAIN_CPU_SECONDS}: its epochs, their validation passes included, nothing else), which
     * moves far less with the machine's load and {@code --workers} than {@link #TRAIN_SECONDS}.
     */
    public static final String TRAIN_CPU_SECONDS = TrialExecutor.TRAIN_CPU_SECONDS;
    /**
     * The row statistic of a student row's training cost against plain Hinton KD: per seed, its
     * {@link #TRAIN_CPU_SECONDS} over that of the same seed's trial in the first plain-KD row (one {@code hinton} term,
     * no logit standardisation, no other head) with the same student, training and data; mean ± std over the seeds.
     */
    public static final String CPU_VS_KD = "train_cpu_vs_kd";
    /** The time statistics of a row, in the CSV's column order. */
    private static final List<String> TIME_METRICS = List.of(TRAIN_SECONDS, TRAIN_CPU_SECONDS, CPU_VS_KD);
    /**
     * The metrics of a regression study ({@code data.labels.task: regression}, see
     * {@link io.distill4j.eval.RegressionMetrics}), beside {@code agreement} of {@link #METRICS} (the correlation with
     * the teacher's prediction there): retention of R² and of IC is the student's value over the teacher's, when the
     * teacher's is positive.
     */
    public static final List<String> REGRESSION_METRICS = List.of("r2", "ic", "ic_daily_mean", "ic_daily_t",
            "directional_accuracy", "mse", "retention_r2", "retention_ic");
    /**
     * Trading and calibration metrics shown per row in a second table, in order: the test backtest (see
     * {@link io.distill4j.eval.Backtest}), calibration, Sharpe retention (student Sharpe / teacher Sharpe, only when
     * the teacher's is positive) and the share of the learnable signal ({@code (accuracy - majority) / (optimum -
     * majority)}, synthetic data only).
     */
    public static final List<String> TRADING_METRICS = List.of("sharpe", "annual_return", "max_drawdown", "hit_rate",
            "turnover", "ece", "brier", "retention_sharpe", "signal_share");
    /** Significance level of the verdict's t-tests. */
    public static final double ALPHA = 0.05;
    /** Fewest seeds per side for the verdict to call a difference. */
    public static final int MIN_SEEDS = 3;
    /** Seed of the block bootstrap, fixed so that a summary is reproducible. */
    public static final long BOOTSTRAP_SEED = 20_260_101L;

    /**
     * One method aggregated over seeds.
     *
     * @param memberRetention for students of an ensemble teacher: accuracy retention versus each member, by name
     * @param comparison for a distilled cell: the comparison with its own baseline; {@code null} otherwise
     */
    public record Row(String method, String role, int runs, int failed, Map<String, Stats> metrics,
            Stats validationAccuracy, long parameters, double compression, Map<String, Stats> memberRetention,
            Comparison comparison) {
        public Row(String method, String role, int runs, int failed, Map<String, Stats> metrics,
                Stats validationAccuracy, long parameters, double compression) {
            this(method, role, runs, failed, metrics, validationAccuracy, parameters, compression, Map.of(), null);
        }

        public Stats metric(String name) {
            return metrics.getOrDefault(name, Stats.of(List.of()));
        }
    }

    /**
     * A distilled cell against its baseline.
     *
     * @param baseline the baseline row's method
     * @param baselineRow the baseline row ({@code null} when it has no successful trial)
     * @param accuracy the t-test of the test accuracy; {@code null} with fewer than {@value #MIN_SEEDS} seeds a side
     * @param macroF1 the t-test of the test macro-F1; {@code null} likewise
     * @param seeds seeds per side the test would use (pairs for a paired test, the smaller side otherwise)
     * @param accuracyInterval block bootstrap interval of the test accuracy difference (mean over seeds of each
     *     sample's correctness, distilled minus alone); {@code null} without test predictions
     */
    public record Comparison(String baseline, Row baselineRow, TTest.Result accuracy, TTest.Result macroF1,
            int seeds, BlockBootstrap.Interval accuracyInterval) {
    }

    /** Aggregates trial results without data facts (no chance baselines, class balance or bootstrap interval). */
    public static Summary of(Study study, List<TrialResult> results) {
        return of(study, results, Map.of());
    }

    /**
     * Aggregates trial results.
     *
     * @param data the facts of each dataset of the study, by {@link DataFacts#key}
     */
    public static Summary of(Study study, List<TrialResult> results, Map<String, DataFacts> data) {
        Map<String, TrialResult> teacherByKey = new LinkedHashMap<>();
        for (TrialResult r : results) {
            if (r.trial().role() == Trial.Role.TEACHER && !r.failed()) {
                teacherByKey.put(teacherKey(r.trial()), r);
            }
        }
        Map<String, String> baselineNames = baselineNames(study);
        Map<String, List<TrialResult>> groups = new LinkedHashMap<>();
        Map<String, String> baselineOf = new LinkedHashMap<>();
        for (TrialResult r : results) {
            Trial t = r.trial();
            String group = switch (t.role()) {
                case TEACHER -> t.teacherLabel();
                case STUDENT_ALONE -> baselineNames.getOrDefault(baselineKey(t), t.method());
                case DISTILLED, CHAIN_STAGE, MUTUAL -> t.method();
            };
            if (t.role() == Trial.Role.DISTILLED) {
                baselineOf.put(group, baselineNames.getOrDefault(baselineKey(t), "student-alone"));
            }
            groups.computeIfAbsent(group, k -> new ArrayList<>()).add(r);
        }
        Map<String, Stats> cpuVsKd = cpuVsKd(groups);
        Map<String, Row> byMethod = new LinkedHashMap<>();
        List<Row> rows = new ArrayList<>();
        for (var e : groups.entrySet()) {
            List<TrialResult> trials = e.getValue();
            Comparison comparison = null;
            if (baselineOf.containsKey(e.getKey())) {
                String base = baselineOf.get(e.getKey());
                comparison = compare(base, byMethod.get(base), trials, groups.getOrDefault(base, List.of()),
                        data.get(DataFacts.key(trials.get(0).trial().config())));
            }
            Row row = row(e.getKey(), trials, teacherByKey, comparison,
                    data.get(DataFacts.key(trials.get(0).trial().config())));
            if (cpuVsKd.containsKey(e.getKey())) {
                Map<String, Stats> metrics = new LinkedHashMap<>(row.metrics());
                metrics.put(CPU_VS_KD, cpuVsKd.get(e.getKey()));
                row = new Row(row.method(), row.role(), row.runs(), row.failed(), metrics, row.validationAccuracy(),
                        row.parameters(), row.compression(), row.memberRetention(), row.comparison());
            }
            byMethod.put(e.getKey(), row);
            rows.add(row);
            if (trials.get(0).trial().role() == Trial.Role.TEACHER) {
                for (TrialResult t : trials) {
                    if (!t.failed()) {
                        rows.addAll(memberRows(e.getKey(), t));
                    }
                }
            }
        }
        rows.addAll(chanceRows(data, study.base().backtest()));
        List<TrialResult> failures = results.stream().filter(TrialResult::failed).toList();
        String verdict = study.base().data().target().regression() ? regressionVerdict(rows, groups, baselineOf)
                : study.base().mutual().isPresent() ? MutualSummary.MAIN_VERDICT : verdict(rows);
        return new Summary(study.name(), List.copyOf(rows), verdict, failures, header(study),
                teacherNotes(results), dataNotes(seedsVary(study), data, study.base().backtest()),
                ChainSummary.of(groups, byMethod, data), MutualSummary.of(groups, baselineNames));
    }

    /**
     * {@link #CPU_VS_KD} of every student-alone and distilled group that has a plain-KD reference row (the first
     * distilled group whose objective is one Hinton term without logit standardisation) with the same baseline
     * identity and at least one seed in common.
     */
    static Map<String, Stats> cpuVsKd(Map<String, List<TrialResult>> groups) {
        Map<String, Map<Integer, Double>> kdBySeed = new LinkedHashMap<>();
        for (List<TrialResult> trials : groups.values()) {
            Trial t = trials.get(0).trial();
            if (t.role() == Trial.Role.DISTILLED && plainKd(t.config())) {
                kdBySeed.putIfAbsent(baselineKey(t), cpuBySeed(trials));
            }
        }
        Map<String, Stats> out = new LinkedHashMap<>();
        groups.forEach((name, trials) -> {
            Trial t = trials.get(0).trial();
            Map<Integer, Double> kd = kdBySeed.get(baselineKey(t));
            if (kd == null || (t.role() != Trial.Role.DISTILLED && t.role() != Trial.Role.STUDENT_ALONE)) {
                return;
            }
            List<Double> ratios = new ArrayList<>();
            cpuBySeed(trials).forEach((seed, cpu) -> {
                Double reference = kd.get(seed);
                if (reference != null && reference > 0) {
                    ratios.add(cpu / reference);
                }
            });
            if (!ratios.isEmpty()) {
                out.put(name, Stats.of(ratios));
            }
        });
        return out;
    }

    /** Whether a distilled trial's objective is plain Hinton KD: one {@code hinton} term, no logit standardisation. */
    private static boolean plainKd(StudyConfig c) {
        var losses = c.newLosses();
        return losses.size() == 1 && losses.get(0) instanceof io.distill4j.loss.HintonKd kd && !kd.standardize();
    }

    /** The training-thread CPU seconds of the successful trials that recorded them, by seed. */
    private static Map<Integer, Double> cpuBySeed(List<TrialResult> trials) {
        Map<Integer, Double> out = new TreeMap<>();
        for (TrialResult r : trials) {
            Double cpu = r.failed() || r.facts() == null ? null : r.facts().get(TRAIN_CPU_SECONDS);
            if (cpu != null && Double.isFinite(cpu)) {
                out.put(r.trial().seed(), cpu);
            }
        }
        return out;
    }

    /** The identity of a student trial's baseline: the hash of its student, training and data config. */
    private static String baselineKey(Trial t) {
        return ConfigHash.of(t.config().baselineIdentity());
    }

    /**
     * The row name of every baseline, by {@link #baselineKey}: {@code student-alone} when the study has one, else
     * {@code student-alone} followed by the grid values that make it differ (the axes under {@code student},
     * {@code training}, {@code data} or {@code teacher_data}).
     */
    private static Map<String, String> baselineNames(Study study) {
        Map<String, String> names = new LinkedHashMap<>();
        for (GridCell cell : study.cells()) {
            var own = Study.baselineAxes(cell.assignments());
            String key = ConfigHash.of(StudyConfig.parse(study.file(), cell.resolved()).baselineIdentity());
            names.putIfAbsent(key, new GridCell(cell.index(), own, cell.resolved()).label());
        }
        Map<String, String> out = new LinkedHashMap<>();
        names.forEach((key, label) -> out.put(key, names.size() == 1 || label.isEmpty() ? "student-alone"
                : "student-alone " + label));
        // a mutual cohort has one baseline per student: named by its architecture (and the grid values, if any)
        for (GridCell cell : study.cells()) {
            Mutual mutual = Mutual.of(study.file(), cell.resolved()).orElse(null);
            for (int k = 1; mutual != null && k <= mutual.size(); k++) {
                StudyConfig alone = StudyConfig.parse(study.file(), mutual.aloneTree(cell.resolved(), k));
                out.putIfAbsent(ConfigHash.of(alone.baselineIdentity()), new Trial(Trial.Role.STUDENT_ALONE,
                        alone.student().describe(), Study.baselineAxes(cell.assignments()), 0, null, study.file(),
                        mutual.aloneTree(cell.resolved(), k)).method());
            }
        }
        return out;
    }

    /** One row from a group of trials of the same method. */
    private static Row row(String method, List<TrialResult> trials, Map<String, TrialResult> teacherByKey,
            Comparison comparison, DataFacts facts) {
        Map<String, List<Double>> values = new LinkedHashMap<>();
        Map<String, List<Double>> retentionByMember = new LinkedHashMap<>();
        List<Double> validation = new ArrayList<>();
        long params = 0;
        double compression = Double.NaN;
        int failed = 0;
        for (TrialResult r : trials) {
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
            r.test().forEach((k, v) -> {
                if (k.startsWith(FeatureSimilarity.CKA) || k.startsWith(FeatureSimilarity.COSINE)
                        || k.startsWith(io.distill4j.regime.RegimeMetrics.PREFIX)) {
                    values.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
                }
            });
            for (String m : TRADING_METRICS) {
                double v = switch (m) {
                    case "retention_sharpe" -> teacher == null || r.trial().role() == Trial.Role.TEACHER
                            || !(teacher.test("sharpe") > 0) ? Double.NaN : r.test("sharpe") / teacher.test("sharpe");
                    case "signal_share" -> signalShare(r.test("accuracy"), facts);
                    default -> r.test(m);
                };
                values.computeIfAbsent(m, k -> new ArrayList<>()).add(v);
            }
            if (r.test().containsKey("r2")) {
                for (String m : REGRESSION_METRICS) {
                    boolean student = teacher != null && r.trial().role() != Trial.Role.TEACHER;
                    double v = switch (m) {
                        case "retention_r2" -> student ? RegressionMetrics.retention(r.test("r2"), teacher.test("r2"))
                                : Double.NaN;
                        case "retention_ic" -> student ? RegressionMetrics.retention(r.test("ic"), teacher.test("ic"))
                                : Double.NaN;
                        default -> r.test(m);
                    };
                    values.computeIfAbsent(m, k -> new ArrayList<>()).add(v);
                }
            }
            validation.add(r.validation("accuracy"));
            values.computeIfAbsent(TRAIN_SECONDS, k -> new ArrayList<>())
                    .add(r.facts() == null ? Double.NaN : r.facts().getOrDefault(TRAIN_SECONDS, Double.NaN));
            if (r.facts() != null && r.facts().containsKey(TRAIN_CPU_SECONDS)) {
                values.computeIfAbsent(TRAIN_CPU_SECONDS, k -> new ArrayList<>()).add(r.facts().get(TRAIN_CPU_SECONDS));
            }
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
        return new Row(method, trials.get(0).trial().role().label(), trials.size(), failed, stats,
                Stats.of(validation), params, compression, memberRetention, comparison);
    }

    /**
     * A distilled cell's trials against its baseline's: paired t-tests when both finished on the same seeds, Welch's
     * otherwise (none below {@value #MIN_SEEDS} seeds a side), and the block bootstrap interval of the accuracy
     * difference when every trial has test predictions and {@code facts} is known.
     */
    static Comparison compare(String baseline, Row baselineRow, List<TrialResult> cell, List<TrialResult> alone,
            DataFacts facts) {
        Map<Integer, TrialResult> a = bySeed(cell);
        Map<Integer, TrialResult> b = bySeed(alone);
        if (a.isEmpty() || b.isEmpty()) {
            return new Comparison(baseline, baselineRow, null, null, 0, null);
        }
        boolean paired = a.keySet().equals(b.keySet());
        int seeds = paired ? a.size() : Math.min(a.size(), b.size());
        TTest.Result accuracy = null;
        TTest.Result f1 = null;
        if (seeds >= MIN_SEEDS) {
            accuracy = test(paired, metric(a, "accuracy"), metric(b, "accuracy"));
            f1 = test(paired, metric(a, "macro_f1"), metric(b, "macro_f1"));
        }
        return new Comparison(baseline, baselineRow, accuracy, f1, seeds, accuracyInterval(a, b, facts));
    }

    private static TTest.Result test(boolean paired, double[] a, double[] b) {
        return paired ? TTest.paired(a, b) : TTest.welch(a, b);
    }

    /** The successful trials by seed, in seed order. */
    private static Map<Integer, TrialResult> bySeed(List<TrialResult> trials) {
        Map<Integer, TrialResult> m = new TreeMap<>();
        trials.stream().filter(r -> !r.failed()).forEach(r -> m.put(pairKey(r.trial()), r));
        return m;
    }

    /**
     * What pairs a distilled trial with its baseline: its seed; in a walk-forward study (see {@link Rolling}), its
     * window and seed.
     */
    private static int pairKey(Trial t) {
        return t.window() < 0 ? t.seed() : t.window() * 1_000_000 + t.seed();
    }

    private static double[] metric(Map<Integer, TrialResult> bySeed, String name) {
        return bySeed.values().stream().mapToDouble(r -> r.test(name)).toArray();
    }

    /**
     * The block bootstrap interval of {@code mean_s correct_a[s][i] - mean_s correct_b[s][i]} averaged over the test
     * samples {@code i} (the difference of the mean accuracies), blocks of {@link BlockBootstrap#blockLength}.
     */
    private static BlockBootstrap.Interval accuracyInterval(Map<Integer, TrialResult> a, Map<Integer, TrialResult> b,
            DataFacts facts) {
        if (facts == null || Stream.concat(a.values().stream(), b.values().stream())
                .anyMatch(r -> r.testPredictions().isEmpty())) {
            return null;
        }
        int[] labels = facts.testLabels();
        double[] diff = new double[labels.length];
        accumulate(diff, a, labels, 1.0 / a.size());
        accumulate(diff, b, labels, -1.0 / b.size());
        return BlockBootstrap.meanInterval(diff, BlockBootstrap.blockLength(labels.length, facts.horizon()),
                BOOTSTRAP_SEED);
    }

    private static void accumulate(double[] diff, Map<Integer, TrialResult> trials, int[] labels, double weight) {
        for (TrialResult r : trials.values()) {
            boolean[] correct = r.testCorrect(labels);
            for (int i = 0; i < diff.length; i++) {
                if (correct[i]) {
                    diff[i] += weight;
                }
            }
        }
    }

    /** The share of the learnable signal an accuracy reaches on a dataset with a known optimum, else {@code NaN}. */
    static double signalShare(double accuracy, DataFacts facts) {
        if (facts == null || facts.optimum().isEmpty()) {
            return Double.NaN;
        }
        return io.distill4j.eval.KnownOptimum.share(accuracy, facts.majorityMetrics().accuracy(),
                facts.optimum().get().accuracy());
    }

    /**
     * The chance baselines of each dataset (labelled by dataset when the study has several), buy-and-hold under the
     * study's costs and, on synthetic data, the optimum of the true probabilities.
     */
    private static List<Row> chanceRows(Map<String, DataFacts> data, io.distill4j.eval.Backtest.Settings backtest) {
        List<Row> rows = new ArrayList<>();
        int index = 0;
        for (DataFacts f : data.values()) {
            String suffix = data.size() > 1 ? " (dataset " + (++index) + ")" : "";
            rows.add(chanceRow("majority class (" + f.majorityClassName() + ")" + suffix, f.majorityMetrics(), f));
            rows.add(chanceRow("persistence" + suffix, f.persistenceMetrics(), f));
            f.buyAndHold(backtest.costs()).ifPresent(b -> {
                Map<String, Stats> stats = new LinkedHashMap<>();
                b.asMap().forEach((k, v) -> stats.put(k, Stats.of(List.of(v))));
                rows.add(new Row("buy-and-hold" + suffix, "chance", 1, 0, stats, Stats.of(List.of()), -1,
                        Double.NaN));
            });
            f.optimum().ifPresent(o -> {
                Map<String, Stats> stats = new LinkedHashMap<>();
                stats.put("accuracy", Stats.of(List.of(o.accuracy())));
                stats.put("log_loss", Stats.of(List.of(o.logLoss())));
                stats.put("signal_share", Stats.of(List.of(1.0)));
                rows.add(new Row("optimum (true probabilities)" + suffix, "optimum", 1, 0, stats,
                        Stats.of(List.of()), -1, Double.NaN));
            });
        }
        return rows;
    }

    private static Row chanceRow(String method, ClassificationMetrics m, DataFacts facts) {
        Map<String, Stats> stats = new LinkedHashMap<>();
        stats.put("accuracy", Stats.of(List.of(m.accuracy())));
        stats.put("macro_f1", Stats.of(List.of(m.macroF1())));
        stats.put("signal_share", Stats.of(List.of(signalShare(m.accuracy(), facts))));
        return new Row(method, "chance", 1, 0, stats, Stats.of(List.of()), -1, Double.NaN);
    }

    /** What the seeds of a study vary: the study's {@code seeds_vary} ({@code student} or {@code teacher_and_student}). */
    static String seedsVary(Study study) {
        return study.base().seedsVary().key();
    }

    /** The sentence saying what the seeds vary, for {@code student} or {@code teacher_and_student}. */
    static String seedsVaryNote(String seedsVary) {
        return switch (seedsVary) {
            case "student" -> "Seeds vary the student's initialisation and minibatch order only; the teacher is the "
                    + "same for every seed, so the spread over seeds is student-training noise, not teacher noise.";
            case "teacher_and_student" -> "Seeds vary the teacher's and the student's initialisation and minibatch "
                    + "order, so the spread over seeds includes teacher noise.";
            default -> throw new IllegalArgumentException("seeds_vary must be student or teacher_and_student, got "
                    + seedsVary);
        };
    }

    private static List<String> dataNotes(String seedsVary, Map<String, DataFacts> data,
            io.distill4j.eval.Backtest.Settings backtest) {
        List<String> notes = new ArrayList<>();
        notes.add(seedsVaryNote(seedsVary));
        notes.add("Backtest of the test split: " + backtest.describe() + "; the position of the sample at bar t is "
                + "held from the close of bar t to the close of bar t+1 (no look-ahead), and closed at gaps.");
        int index = 0;
        for (DataFacts f : data.values()) {
            String which = data.size() > 1 ? " of dataset " + (++index) : "";
            List<String> parts = new ArrayList<>();
            for (String split : DataFacts.SPLITS) {
                parts.add(split + " " + f.balance(split));
            }
            notes.add("Data" + which + ": " + f.quality() + ".");
            notes.add("Class balance" + which + ": " + String.join("; ", parts) + ".");
            f.optimum().ifPresent(o -> notes.add(String.format(Locale.ROOT, "Known optimum%s: the generator's true "
                    + "class probabilities reach test accuracy %.4f (%.4f expected over the labels' noise) and "
                    + "log-loss %.4f; signal share = (accuracy - majority class) / (optimum - majority class).",
                    which, o.accuracy(), o.expectedAccuracy(), o.logLoss())));
        }
        return List.copyOf(notes);
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
                    + "trial(s), saving about %.1f s of teacher training.", capitalise(t.trial().description()),
                    cached ? "reused from the cache (" + cacheOrigin(t) + ")" : "trained once in this run", seconds,
                    students, seconds * extra));
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
     * Where a teacher read from the cache came from, so that a reader knows its numbers come from an earlier run,
     * e.g. {@code trained 2026-11-29 18:02 UTC, key 3fa2c1d9e0b7}.
     */
    private static String cacheOrigin(TrialResult teacher) {
        var when = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
                .withZone(java.time.ZoneOffset.UTC);
        double at = teacher.facts().getOrDefault("trained_at_ms", 0.0);
        Double key = teacher.facts().get(CACHE_KEY_FACT);
        return "trained " + (at > 0 ? when.format(java.time.Instant.ofEpochMilli((long) at)) : "at an unknown time")
                + ", key " + (key == null ? "unknown" : String.format(Locale.ROOT, "%012x", key.longValue()));
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

    /** The best distilled cell by mean validation accuracy (the verdict's cell), if any distilled cell ran. */
    public java.util.Optional<Row> bestDistilled() {
        return java.util.Optional.ofNullable(best(rows));
    }

    private static Row best(List<Row> rows) {
        Row best = null;
        for (Row r : rows) {
            if (r.role().equals("distilled") && r.validationAccuracy().n() > 0
                    && (best == null || r.validationAccuracy().mean() > best.validationAccuracy().mean())) {
                best = r;
            }
        }
        return best;
    }

    private static String verdict(List<Row> rows) {
        Row best = best(rows);
        Comparison c = best == null ? null : best.comparison();
        Row baseline = c == null ? null : c.baselineRow();
        if (baseline == null || baseline.metric("accuracy").n() == 0) {
            return "No verdict: the student-alone baseline or every distilled trial failed.";
        }
        String facts = String.format(Locale.ROOT,
                "Best distilled cell by validation accuracy: %s, against its own baseline %s. On the test split, "
                        + "over %d and %d seed(s): accuracy %s against %s for the student alone, macro-F1 %s "
                        + "against %s.",
                best.method(), c.baseline(), best.metric("accuracy").n(), baseline.metric("accuracy").n(),
                best.metric("accuracy").format(4), baseline.metric("accuracy").format(4),
                best.metric("macro_f1").format(4), baseline.metric("macro_f1").format(4));
        String interval = c.accuracyInterval() == null ? "" : String.format(Locale.ROOT,
                " Test accuracy difference (distilled minus alone, mean over seeds): %s, 95%% moving-block bootstrap"
                        + " interval over the test samples (blocks of %d, %d resamples).",
                c.accuracyInterval().format(4), c.accuracyInterval().blockLength(),
                c.accuracyInterval().resamples());
        if (c.accuracy() == null) {
            return facts + " No claim either way: too few seeds (" + c.seeds() + ") to call a difference (at least "
                    + MIN_SEEDS + " per side are needed)." + interval;
        }
        int accuracy = direction(c.accuracy());
        int f1 = direction(c.macroF1());
        String tests = String.format(Locale.ROOT, "(%s t-test over %d seed(s)%s: accuracy %s; macro-F1 %s; a "
                + "difference counts at p < %.2f)", c.accuracy().kind(), c.seeds(),
                c.accuracy().kind().equals("paired") ? " sharing their initialisation" : "",
                c.accuracy().describe(), c.macroF1().describe(), ALPHA);
        String judgement;
        if (accuracy > 0 && f1 > 0) {
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
        return facts + " " + judgement + interval;
    }

    /**
     * The verdict of a regression study: its first distilled cell against its baseline on the test IC and R², mean ±
     * std over seeds, with a paired t-test (Welch's when the seeds differ) on the IC, none below {@value #MIN_SEEDS}
     * seeds a side.
     */
    private static String regressionVerdict(List<Row> rows, Map<String, List<TrialResult>> groups,
            Map<String, String> baselineOf) {
        Row cell = rows.stream().filter(r -> r.role().equals("distilled") && r.metric("ic").n() > 0).findFirst()
                .orElse(null);
        String base = cell == null ? null : baselineOf.get(cell.method());
        Row baseline = base == null ? null : rows.stream().filter(r -> r.method().equals(base)).findFirst()
                .orElse(null);
        if (baseline == null || baseline.metric("ic").n() == 0) {
            return "No verdict: the student-alone baseline or every distilled trial failed.";
        }
        String facts = String.format(Locale.ROOT, "Distilled cell %s against its own baseline %s on the test split, "
                + "over %d and %d seed(s): IC %s against %s for the student alone, R² %s against %s, directional "
                + "accuracy %s against %s.", cell.method(), base, cell.metric("ic").n(), baseline.metric("ic").n(),
                cell.metric("ic").format(4), baseline.metric("ic").format(4), cell.metric("r2").format(4),
                baseline.metric("r2").format(4), cell.metric("directional_accuracy").format(4),
                baseline.metric("directional_accuracy").format(4));
        Map<Integer, TrialResult> a = bySeed(groups.get(cell.method()));
        Map<Integer, TrialResult> b = bySeed(groups.get(base));
        boolean paired = a.keySet().equals(b.keySet());
        int seeds = paired ? a.size() : Math.min(a.size(), b.size());
        if (seeds < MIN_SEEDS) {
            return facts + " No claim either way: too few seeds (" + seeds + ") to call a difference (at least "
                    + MIN_SEEDS + " per side are needed).";
        }
        TTest.Result ic = test(paired, metric(a, "ic"), metric(b, "ic"));
        String test = String.format(Locale.ROOT, "(%s t-test on the test IC over %d seed(s): %s; a difference counts "
                + "at p < %.2f)", ic.kind(), seeds, ic.describe(), ALPHA);
        int d = direction(ic);
        return facts + " " + (d > 0 ? "Distillation raised the IC over the student alone " + test + "."
                : d < 0 ? "Distillation lowered the IC against the student alone " + test + "."
                : "No clear difference in IC beyond seed-to-seed noise " + test + ".");
    }

    /** +1 / -1 when the difference is positive / negative at p < {@link #ALPHA}, 0 otherwise. */
    static int direction(TTest.Result r) {
        return r.p() < ALPHA ? (int) Math.signum(r.difference()) : 0;
    }

    // ---- output ----------------------------------------------------------------------------------

    /** The main table's column headers. */
    public static final List<String> TABLE_HEADERS = List.of("method", "runs", "accuracy", "macro-F1", "log-loss",
            "agreement", "KL(T||S)", "retention acc", "retention F1", "params", "compression", "train s",
            "train CPU s", "CPU vs KD");

    /** The main table's cells, one list per row, in {@link #TABLE_HEADERS} order. */
    public List<List<String>> tableCells() {
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
            cells.add(r.metric(TRAIN_SECONDS).n() == 0 ? "-" : r.metric(TRAIN_SECONDS).format(1));
            cells.add(r.metric(TRAIN_CPU_SECONDS).n() == 0 ? "-" : r.metric(TRAIN_CPU_SECONDS).format(2));
            cells.add(ratio(r.metric(CPU_VS_KD)));
            out.add(cells);
        }
        return out;
    }

    /** A ratio's mean ± std as {@code 1.52x ± 0.10} ({@code 1.52x} for one value, {@code -} for none). */
    static String ratio(Stats s) {
        if (s.n() == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, s.n() < 2 ? "%.2fx" : "%.2fx ± %.2f", s.mean(), s.std());
    }

    /** The trading table's column headers. */
    public static final List<String> TRADING_HEADERS = List.of("method", "Sharpe", "annual return",
            "max drawdown", "hit rate", "turnover", "ECE", "Brier", "retention Sharpe", "signal share");

    /** The trading table's cells ({@link #TRADING_HEADERS} order): rows that have at least one trading metric. */
    public List<List<String>> tradingCells() {
        List<List<String>> out = new ArrayList<>();
        for (Row r : rows) {
            if (TRADING_METRICS.stream().allMatch(m -> r.metric(m).n() == 0)) {
                continue;
            }
            List<String> cells = new ArrayList<>();
            cells.add(r.method());
            for (String m : TRADING_METRICS) {
                cells.add(r.metric(m).format(m.equals("sharpe") ? 2 : 3));
            }
            out.add(cells);
        }
        return out;
    }

    /** The regression table's column headers. */
    public static final List<String> REGRESSION_HEADERS = List.of("method", "R²", "IC", "daily IC", "daily IC t",
            "direction", "MSE", "agreement", "retention R²", "retention IC");

    /** The regression table's cells ({@link #REGRESSION_HEADERS} order): rows with regression metrics, else none. */
    public List<List<String>> regressionCells() {
        List<List<String>> out = new ArrayList<>();
        for (Row r : rows) {
            if (r.metric("r2").n() == 0) {
                continue;
            }
            List<String> cells = new ArrayList<>();
            cells.add(r.method());
            for (String m : List.of("r2", "ic", "ic_daily_mean", "ic_daily_t", "directional_accuracy", "mse",
                    "agreement", "retention_r2", "retention_ic")) {
                cells.add(r.metric(m).format(m.equals("ic_daily_t") ? 2 : 4));
            }
            out.add(cells);
        }
        return out;
    }

    /** The tables as aligned plain text, for the console. */
    public String toText() {
        String text = aligned(TABLE_HEADERS, tableCells()) + "\nTrading (test split backtest) and calibration:\n"
                + aligned(TRADING_HEADERS, tradingCells());
        List<List<String>> regression = regressionCells();
        return regression.isEmpty() ? text
                : text + "\nRegression (test split):\n" + aligned(REGRESSION_HEADERS, regression);
    }

    private static String aligned(List<String> headers, List<List<String>> cells) {
        List<List<String>> all = new ArrayList<>();
        all.add(headers);
        all.addAll(cells);
        int[] width = new int[headers.size()];
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
        b.append("Test-split metrics, mean ± std over seeds (sample std; n/a for a single run). Retention = student "
                + "metric / teacher metric; compression = teacher parameters / student parameters. Chance rows need "
                + "no model: the train split's majority class for every sample, and persistence (the class of the "
                + "past horizon's move under the labels' threshold). Train s: wall-clock seconds of a trial's training epochs "
                + "(their validation passes included, evaluation not); train CPU s: the CPU seconds of the thread that "
                + "trained it (less sensitive to the machine's load and --workers); CPU vs KD: per seed, the train CPU "
                + "seconds over those of the same seed's plain Hinton-KD row (same student, training and data).\n\n");
        dataNotes.forEach(n -> b.append(n).append("\n\n"));
        b.append('|').append(String.join(" | ", TABLE_HEADERS)).append("|\n|");
        b.append("---|".repeat(TABLE_HEADERS.size())).append('\n');
        for (List<String> row : tableCells()) {
            b.append('|').append(String.join(" | ", row)).append("|\n");
        }
        b.append("\nTrading and calibration on the test split, mean ± std over seeds (Sharpe annualised for the bar "
                + "interval; retention Sharpe = student Sharpe / teacher Sharpe when the teacher's is positive):\n\n");
        b.append('|').append(String.join(" | ", TRADING_HEADERS)).append("|\n|");
        b.append("---|".repeat(TRADING_HEADERS.size())).append('\n');
        for (List<String> row : tradingCells()) {
            b.append('|').append(String.join(" | ", row)).append("|\n");
        }
        List<List<String>> regression = regressionCells();
        if (!regression.isEmpty()) {
            b.append("\nRegression metrics on the test split, mean ± std over seeds (R² against the split's own mean; "
                    + "IC = Spearman rank correlation of prediction and target; daily IC = mean of the per-UTC-day ICs "
                    + "and its t-statistic; direction = share of right signs; agreement = correlation with the "
                    + "teacher's prediction; retention = student / teacher when the teacher's is positive):\n\n");
            b.append('|').append(String.join(" | ", REGRESSION_HEADERS)).append("|\n|");
            b.append("---|".repeat(REGRESSION_HEADERS.size())).append('\n');
            for (List<String> row : regression) {
                b.append('|').append(String.join(" | ", row)).append("|\n");
            }
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
        RegimeSummary.appendMarkdown(b, rows);
        appendSimilarity(b);
        if (!teacherNotes.isEmpty()) {
            b.append('\n');
            teacherNotes.forEach(n -> b.append(n).append("\n"));
        }
        b.append(chain.toMarkdown());
        b.append(mutual.toMarkdown());
        b.append("\n## Verdict\n\n").append(verdict).append('\n');
        if (!failures.isEmpty()) {
            b.append("\n## Failed trials\n\n");
            for (TrialResult f : failures) {
                b.append("- ").append(f.trial().description()).append(" (").append(f.trialId()).append("): ")
                        .append(f.failure()).append('\n');
            }
        }
        return b.toString();
    }

    /**
     * The feature-similarity table: per student row, the hidden-layer pair with the highest mean CKA (logits left out
     * on both sides), its CKA, the CKA of logits against logits, and each projecting head's cosine; nothing when no
     * row has CKA metrics.
     */
    private void appendSimilarity(StringBuilder b) {
        String logits = "." + io.distill4j.api.VertexNames.LOGITS;
        List<Row> withCka = rows.stream().filter(r -> r.metrics().keySet().stream()
                .anyMatch(k -> k.startsWith(FeatureSimilarity.CKA))).toList();
        if (withCka.isEmpty()) {
            return;
        }
        b.append("\nFeature similarity to the teacher on the test split: linear CKA (Kornblith et al. 2019; 1 = the same "
                + "representation up to rotation and scale), mean ± std over seeds, for the best-matching pair of hidden "
                + "layers (`teacher layer.student layer`, the highest mean CKA) and for logits against logits; the "
                + "per-trial matrices are in `cka/<trial>.csv`. Projected cosine: mean cosine similarity between a "
                + "head's projection of a student layer and its teacher layer.\n\n"
                + "|method | best hidden pair | CKA | CKA logits | projected cosine|\n|---|---|---|---|---|\n");
        for (Row r : withCka) {
            String best = null;
            for (Map.Entry<String, Stats> e : r.metrics().entrySet()) {
                String k = e.getKey();
                if (k.startsWith(FeatureSimilarity.CKA) && !k.endsWith(logits)
                        && !k.startsWith(FeatureSimilarity.CKA + io.distill4j.api.VertexNames.LOGITS + ".")
                        && Double.isFinite(e.getValue().mean())
                        && (best == null || e.getValue().mean() > r.metric(best).mean())) {
                    best = k;
                }
            }
            List<String> cosines = new ArrayList<>();
            r.metrics().forEach((k, v) -> {
                if (k.startsWith(FeatureSimilarity.COSINE)) {
                    cosines.add(k.substring(FeatureSimilarity.COSINE.length()) + " " + v.format(3));
                }
            });
            b.append('|').append(r.method()).append(" | ")
                    .append(best == null ? "-" : best.substring(FeatureSimilarity.CKA.length())).append(" | ")
                    .append(best == null ? "-" : r.metric(best).format(3)).append(" | ")
                    .append(r.metric(FeatureSimilarity.CKA + io.distill4j.api.VertexNames.LOGITS + logits).format(3))
                    .append(" | ").append(cosines.isEmpty() ? "-" : String.join(", ", cosines)).append("|\n");
        }
    }

    /** One line per row: mean and std of every metric. */
    public String toCsv() {
        StringBuilder b = new StringBuilder("method,role,runs,failed");
        for (String m : METRICS) {
            b.append(',').append(m).append("_mean,").append(m).append("_std");
        }
        b.append(",val_accuracy_mean,parameters,compression,baseline,test,seeds,accuracy_diff,accuracy_t,accuracy_df,"
                + "accuracy_p,macro_f1_diff,macro_f1_t,macro_f1_df,macro_f1_p,accuracy_diff_ci_low,"
                + "accuracy_diff_ci_high,ci_block_length");
        for (String m : TRADING_METRICS) {
            b.append(',').append(m).append("_mean,").append(m).append("_std");
        }
        for (String m : TIME_METRICS) {
            b.append(',').append(m).append("_mean,").append(m).append("_std");
        }
        boolean regression = !regressionCells().isEmpty(); // regression columns only in a regression study's file
        if (regression) {
            for (String m : REGRESSION_METRICS) {
                b.append(',').append(m).append("_mean,").append(m).append("_std");
            }
        }
        b.append(RegimeSummary.csvHeader(rows)); // per-regime columns only in a study with data.regimes
        b.append('\n');
        for (Row r : rows) {
            b.append(csv(r.method())).append(',').append(r.role()).append(',').append(r.runs()).append(',')
                    .append(r.failed());
            for (String m : METRICS) {
                Stats s = r.metric(m);
                b.append(',').append(num(s.mean())).append(',').append(num(s.std()));
            }
            b.append(',').append(num(r.validationAccuracy().mean())).append(',').append(r.parameters()).append(',')
                    .append(num(r.compression()));
            Comparison c = r.comparison();
            if (c == null) {
                b.append(",".repeat(14));
            } else {
                b.append(',').append(csv(c.baseline())).append(',')
                        .append(c.accuracy() == null ? "" : c.accuracy().kind()).append(',').append(c.seeds());
                for (TTest.Result t : java.util.Arrays.asList(c.accuracy(), c.macroF1())) {
                    b.append(',').append(num(t == null ? Double.NaN : t.difference())).append(',')
                            .append(num(t == null ? Double.NaN : t.t())).append(',')
                            .append(num(t == null ? Double.NaN : t.df())).append(',')
                            .append(num(t == null ? Double.NaN : t.p()));
                }
                BlockBootstrap.Interval ci = c.accuracyInterval();
                b.append(',').append(num(ci == null ? Double.NaN : ci.lower())).append(',')
                        .append(num(ci == null ? Double.NaN : ci.upper())).append(',')
                        .append(ci == null ? "" : String.valueOf(ci.blockLength()));
            }
            for (String m : TRADING_METRICS) {
                Stats st = r.metric(m);
                b.append(',').append(num(st.mean())).append(',').append(num(st.std()));
            }
            for (String m : TIME_METRICS) {
                b.append(',').append(num(r.metric(m).mean())).append(',').append(num(r.metric(m).std()));
            }
            if (regression) {
                for (String m : REGRESSION_METRICS) {
                    Stats st = r.metric(m);
                    b.append(',').append(num(st.mean())).append(',').append(num(st.std()));
                }
            }
            b.append(RegimeSummary.csvCells(rows, r));
            b.append('\n');
        }
        return b.toString();
    }

    /** A CSV number: 6 decimals, empty when not finite. */
    static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6f", v) : "";
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** Writes {@code summary.md} and {@code summary.csv} into {@code folder}, each atomically. */
    public void write(Path folder) {
        writeAtomically(folder.resolve("summary.md"), toMarkdown());
        writeAtomically(folder.resolve("summary.csv"), toCsv());
        if (!chain.stages().isEmpty()) {
            writeAtomically(folder.resolve("chain.csv"), chain.toCsv());
            if (!chain.router().perSeed().isEmpty()) {
                writeAtomically(folder.resolve("router.csv"), chain.router().toCsv());
            }
        }
    }

    private static void writeAtomically(Path target, String text) {
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), ".tmp-", ".part");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            AtomicFiles.replace(tmp, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
