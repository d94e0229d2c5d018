package io.distill4j.experiment;

import io.distill4j.eval.Stats;
import io.distill4j.eval.TTest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The chain part of a study's summary (see {@link Chain}): one line per stage, mean ± std over seeds on the test
 * split (accuracy, macro-F1, the stage's distillation loss, agreement and retention against its own teacher and
 * against the original teacher, parameters, per-stage and cumulative compression, the stage's T and alpha), and a
 * verdict per chain: its final student against the one-shot student distilled from the original teacher with the
 * same total number of epochs, and against that student trained alone with that budget, by Welch's t-test over seeds
 * ({@value Summary#MIN_SEEDS} seeds a side at least, a difference counts at p &lt; {@value Summary#ALPHA}).
 *
 * @param stages the per-stage lines, chain by chain, in stage order
 * @param verdicts one paragraph per chain
 * @param router the regime router's table ({@link RouterSummary#NONE} without {@code chain.router})
 */
public record ChainSummary(List<Stage> stages, List<String> verdicts, RouterSummary router) {

    /** Per-stage metrics, in table order: the stage's own test metrics and those {@link ChainStages} adds. */
    static final List<String> METRICS = List.of("accuracy", "macro_f1", ChainStages.DISTILLATION_LOSS, "agreement",
            "agreement" + ChainStages.ORIGINAL, "retention_accuracy" + ChainStages.OWN,
            "retention_accuracy" + ChainStages.ORIGINAL, "retention_macro_f1" + ChainStages.OWN,
            "retention_macro_f1" + ChainStages.ORIGINAL);

    /**
     * One stage over seeds.
     *
     * @param method the summary row, e.g. {@code chain s2/3}
     * @param teacher what taught it: {@code teacher} or the previous stage's row
     * @param stageCompression its teacher's parameters / its parameters
     * @param cumulativeCompression the original teacher's parameters / its parameters
     */
    public record Stage(String method, String student, String teacher, int runs, long parameters,
            double stageCompression, double cumulativeCompression, double temperature, double alpha, int epochs,
            Map<String, Stats> metrics) {
    }

    /** Nothing to report: a study without a chain. */
    static final ChainSummary NONE = new ChainSummary(List.of(), List.of(), RouterSummary.NONE);

    /**
     * The chain summary of a study's results grouped by summary row ({@code groups}), with the rows made of them and
     * the facts of the study's datasets by {@link DataFacts#key} (for a router's test regimes).
     */
    static ChainSummary of(Map<String, List<TrialResult>> groups, Map<String, Summary.Row> rows,
            Map<String, DataFacts> data) {
        Set<String> cells = new LinkedHashSet<>();
        groups.values().forEach(g -> g.stream().filter(r -> r.trial().role() == Trial.Role.CHAIN_STAGE)
                .forEach(r -> cells.add(r.trial().cell())));
        if (cells.isEmpty()) {
            return NONE;
        }
        List<Stage> stages = new ArrayList<>();
        List<String> verdicts = new ArrayList<>();
        RouterSummary router = RouterSummary.NONE;
        for (String cell : cells) {
            List<TrialResult> last = List.of();
            Chain chain = null;
            String previous = "teacher";
            for (var e : groups.entrySet()) {
                List<TrialResult> ok = e.getValue().stream().filter(r -> !r.failed()
                        && r.trial().role() == Trial.Role.CHAIN_STAGE && r.trial().cell().equals(cell)).toList();
                if (ok.isEmpty()) {
                    continue;
                }
                Trial t = ok.get(0).trial();
                chain = t.chain();
                StudyConfig c = t.config();
                Map<String, Stats> stats = new LinkedHashMap<>();
                for (String m : METRICS) {
                    stats.put(m, Stats.of(ok.stream().map(r -> r.test(m)).toList()));
                }
                long params = ok.get(0).parameters();
                double own = ok.get(0).facts().getOrDefault("teacher_parameters", Double.NaN);
                double original = ok.get(0).facts().getOrDefault("original_teacher_parameters", Double.NaN);
                stages.add(new Stage(e.getKey(), c.student().describe(), previous, ok.size(), params, own / params,
                        original / params, c.lossSection().path("temperature").asDouble(Double.NaN),
                        c.lossSection().path("alpha").asDouble(Double.NaN), c.training().epochs(), stats));
                previous = e.getKey();
                last = chain.stage() == chain.size() ? ok : List.of();
            }
            if (chain != null) {
                verdicts.add(verdict(cell, chain, last, groups, rows));
                router = router.rows().isEmpty() ? router(cell, chain, last, groups, data) : router;
            }
        }
        return new ChainSummary(List.copyOf(stages), List.copyOf(verdicts), router);
    }

    /** The router table of a chain with {@code chain.router} (the first such chain of the study). */
    private static RouterSummary router(String cell, Chain chain, List<TrialResult> last,
            Map<String, List<TrialResult>> groups, Map<String, DataFacts> data) {
        if (last.isEmpty()) {
            return RouterSummary.NONE;
        }
        StudyConfig c = last.get(0).trial().config();
        var router = ChainRouter.of(c.file(), c.tree());
        DataFacts facts = data.get(DataFacts.key(c));
        if (router.isEmpty() || facts == null || c.regimes().isEmpty()) {
            return RouterSummary.NONE;
        }
        List<TrialResult> family = groups.values().stream().flatMap(List::stream)
                .filter(r -> r.trial().role() == Trial.Role.TEACHER || r.trial().role() == Trial.Role.CHAIN_STAGE
                        && r.trial().cell().equals(cell)).toList();
        return RouterSummary.of(chain, router.get(), family, facts, c.regimes().get());
    }

    /** The chain's final stage against the equal-compute one-shot student and the student alone. */
    private static String verdict(String cell, Chain chain, List<TrialResult> last,
            Map<String, List<TrialResult>> groups, Map<String, Summary.Row> rows) {
        String name = cell.isEmpty() ? "chain" : "chain " + cell;
        String oneShotMethod = "distilled one-shot" + (cell.isEmpty() ? "" : " " + cell);
        Summary.Row oneShot = rows.get(oneShotMethod);
        String aloneMethod = oneShot == null || oneShot.comparison() == null ? null : oneShot.comparison().baseline();
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "Chain `%s` (%d stage(s), %d epochs in all): "
                + "final stage over %d seed(s): test accuracy %s, macro-F1 %s.", name, chain.size(),
                chain.totalEpochs(), last.size(), stat(last, "accuracy").format(4), stat(last, "macro_f1").format(4)));
        b.append(' ').append(against("chain", "one-shot at equal compute (`" + oneShotMethod + "`, distilled from "
                + "the original teacher)", last, groups.getOrDefault(oneShotMethod, List.of()), chain.totalEpochs()));
        if (aloneMethod != null) {
            b.append(' ').append(against("chain", "the student alone with the same budget (`" + aloneMethod + "`)",
                    last, groups.getOrDefault(aloneMethod, List.of()), chain.totalEpochs()));
        }
        return b.toString();
    }

    /**
     * One comparison of some students ({@code chain}: a chain's final students, a mutual cohort's student) with a
     * baseline's, by Welch's t-test, in words naming {@code subject} ({@code chain}, {@code mutual student}).
     */
    static String against(String subject, String what, List<TrialResult> chain, List<TrialResult> other,
            int epochs) {
        List<TrialResult> ok = other.stream().filter(r -> !r.failed()).toList();
        String facts = String.format(Locale.ROOT, "Against %s, %d epochs, %d seed(s): accuracy %s, macro-F1 %s", what,
                epochs, ok.size(), stat(ok, "accuracy").format(4), stat(ok, "macro_f1").format(4));
        if (chain.size() < Summary.MIN_SEEDS || ok.size() < Summary.MIN_SEEDS) {
            return facts + "; no claim either way: too few seeds to call a difference (at least " + Summary.MIN_SEEDS
                    + " per side are needed).";
        }
        TTest.Result accuracy = TTest.welch(values(chain, "accuracy"), values(ok, "accuracy"));
        TTest.Result f1 = TTest.welch(values(chain, "macro_f1"), values(ok, "macro_f1"));
        int a = Summary.direction(accuracy);
        int f = Summary.direction(f1);
        String call;
        if (a > 0 && f > 0) {
            call = "the " + subject + " beat it on both accuracy and macro-F1";
        } else if (a > 0 && f == 0 || f > 0 && a == 0) {
            call = "the " + subject + " beat it on " + (a > 0 ? "accuracy" : "macro-F1") + " only";
        } else if (a < 0 && f <= 0 || f < 0 && a <= 0) {
            call = "the " + subject + " did worse";
        } else if (a == 0 && f == 0) {
            call = "no clear difference: the " + subject + " did not beat it beyond seed-to-seed noise";
        } else {
            call = "mixed: one metric higher, the other lower";
        }
        return String.format(Locale.ROOT, "%s; %s (Welch t-test, %s minus baseline: accuracy %s; macro-F1 %s; a "
                + "difference counts at p < %.2f).", facts, call, subject, accuracy.describe(), f1.describe(),
                Summary.ALPHA);
    }

    static Stats stat(List<TrialResult> results, String metric) {
        return Stats.of(results.stream().map(r -> r.test(metric)).toList());
    }

    private static double[] values(List<TrialResult> results, String metric) {
        return results.stream().mapToDouble(r -> r.test(metric)).toArray();
    }

    /** The per-stage table and the verdicts, as a markdown section; empty without a chain. */
    String toMarkdown() {
        if (stages.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("\n## Chain\n\nPer stage, on the test split, mean ± std over seeds. Each "
                + "stage's teacher is the previous stage's trained student (stage 1's: the study's teacher). `own` "
                + "is against the stage's own teacher, `orig` against the original teacher; compression = teacher "
                + "parameters / stage parameters (per stage: its own teacher's; cumulative: the original's). Loss: the "
                + "stage's distillation loss (with its T and alpha) on the test split.\n\n");
        b.append("|stage | student | taught by | runs | epochs | T | alpha | params | compression | cumulative | "
                + "accuracy | macro-F1 | loss | agreement own | agreement orig | retention acc own | retention acc "
                + "orig | retention F1 own | retention F1 orig|\n|").append("---|".repeat(19)).append('\n');
        for (Stage s : stages) {
            b.append('|').append(s.method()).append(" | ").append(s.student()).append(" | ").append(s.teacher())
                    .append(" | ").append(s.runs()).append(" | ").append(s.epochs()).append(" | ")
                    .append(num(s.temperature(), 3)).append(" | ").append(num(s.alpha(), 3)).append(" | ")
                    .append(s.parameters()).append(" | ").append(num(s.stageCompression(), 1)).append(" | ")
                    .append(num(s.cumulativeCompression(), 1));
            for (String m : METRICS) {
                b.append(" | ").append(s.metrics().get(m).format(m.startsWith("retention") ? 3 : 4));
            }
            b.append("|\n");
        }
        b.append('\n');
        verdicts.forEach(v -> b.append(v).append("\n\n"));
        b.append(router.toMarkdown());
        return b.toString();
    }

    /** The per-stage table as CSV ({@code chain.csv}); empty without a chain. */
    String toCsv() {
        if (stages.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("stage,student,teacher,runs,epochs,temperature,alpha,parameters,"
                + "stage_compression,cumulative_compression");
        for (String m : METRICS) {
            b.append(',').append(m).append("_mean,").append(m).append("_std");
        }
        b.append('\n');
        for (Stage s : stages) {
            b.append(s.method()).append(',').append(quoted(s.student())).append(',').append(s.teacher()).append(',')
                    .append(s.runs()).append(',').append(s.epochs()).append(',').append(num(s.temperature(), 6))
                    .append(',').append(num(s.alpha(), 6)).append(',').append(s.parameters()).append(',')
                    .append(num(s.stageCompression(), 6)).append(',').append(num(s.cumulativeCompression(), 6));
            for (String m : METRICS) {
                Stats st = s.metrics().get(m);
                b.append(',').append(num(st.mean(), 6)).append(',').append(num(st.std(), 6));
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static String quoted(String s) {
        return s.contains(",") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    static String num(double v, int decimals) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "";
    }
}
