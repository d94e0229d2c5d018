package io.distill4j.experiment;

import io.distill4j.config.ConfigHash;
import io.distill4j.eval.Stats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The mutual-learning part of a study's summary (see {@link Mutual}): one line per student of the cohort, mean ± std
 * over seeds on the test split (accuracy, macro-F1, agreement with its peers and with the reference teacher) beside
 * its architecture trained alone with the same epochs, and per student a verdict by Welch's t-test over seeds
 * ({@value Summary#MIN_SEEDS} seeds a side at least, a difference counts at p &lt; {@value Summary#ALPHA}).
 *
 * @param members the per-student lines, in cohort order
 * @param verdicts one sentence per student
 */
public record MutualSummary(List<Member> members, List<String> verdicts) {

    /** Per-student metrics, in table order. */
    static final List<String> METRICS = List.of("accuracy", "macro_f1", MutualTrials.PEER_AGREEMENT, "agreement");

    /**
     * One student over seeds, beside its baseline.
     *
     * @param method its summary row, e.g. {@code mutual m1/2 mlp[16,8]}
     * @param baseline its baseline's summary row
     */
    public record Member(String method, String student, int runs, long parameters, int epochs,
            Map<String, Stats> metrics, String baseline, int baselineRuns, Stats baselineAccuracy,
            Stats baselineMacroF1) {
    }

    /** The main verdict of a mutual-learning study, which has no distilled cell. */
    static final String MAIN_VERDICT = "No distilled cell in this study: it trains a mutual-learning cohort; each "
            + "student's verdict against its architecture trained alone is in the section \"Mutual learning\".";

    /** Nothing to report: a study without a cohort. */
    static final MutualSummary NONE = new MutualSummary(List.of(), List.of());

    /**
     * The cohort summary of a study's results grouped by summary row ({@code groups}), with the baselines' row names
     * by baseline key ({@code baselineNames}).
     */
    static MutualSummary of(Map<String, List<TrialResult>> groups, Map<String, String> baselineNames) {
        List<Member> members = new ArrayList<>();
        List<String> verdicts = new ArrayList<>();
        for (var e : groups.entrySet()) {
            List<TrialResult> ok = e.getValue().stream().filter(r -> !r.failed()
                    && r.trial().role() == Trial.Role.MUTUAL).toList();
            if (ok.isEmpty()) {
                continue;
            }
            Trial t = ok.get(0).trial();
            StudyConfig c = t.config();
            StudyConfig alone = StudyConfig.parse(t.file(), t.mutual().aloneTree(t.resolved(), t.mutual().student()));
            String baseline = baselineNames.get(ConfigHash.of(alone.baselineIdentity()));
            List<TrialResult> base = groups.getOrDefault(baseline, List.of()).stream().filter(r -> !r.failed())
                    .toList();
            Map<String, Stats> stats = new LinkedHashMap<>();
            for (String m : METRICS) {
                stats.put(m, ChainSummary.stat(ok, m));
            }
            members.add(new Member(e.getKey(), c.student().describe(), ok.size(), ok.get(0).parameters(),
                    c.training().epochs(), stats, baseline, base.size(), ChainSummary.stat(base, "accuracy"),
                    ChainSummary.stat(base, "macro_f1")));
            verdicts.add(String.format(Locale.ROOT, "Mutual student `%s` (%d student(s) in the cohort), %d seed(s): "
                    + "test accuracy %s, macro-F1 %s. ", e.getKey(), t.mutual().size(), ok.size(),
                    stats.get("accuracy").format(4), stats.get("macro_f1").format(4))
                    + ChainSummary.against("mutual student", "its architecture trained alone with the same budget (`"
                            + baseline + "`)", ok, base, c.training().epochs()));
        }
        return members.isEmpty() ? NONE : new MutualSummary(List.copyOf(members), List.copyOf(verdicts));
    }

    /** The per-student table and the verdicts, as a markdown section; empty without a cohort. */
    String toMarkdown() {
        if (members.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("\n## Mutual learning\n\nPer student of the cohort, on the test split, "
                + "mean ± std over seeds, beside the same architecture trained alone with the same epochs. "
                + "`agreement peers`: mean top-1 agreement with the other students; `agreement teacher`: with the "
                + "study's teacher (a reference only: it never taught the cohort).\n\n");
        b.append("|student | architecture | runs | epochs | params | accuracy | macro-F1 | agreement peers | "
                + "agreement teacher | alone | alone runs | alone accuracy | alone macro-F1|\n|")
                .append("---|".repeat(13)).append('\n');
        for (Member m : members) {
            b.append('|').append(m.method()).append(" | ").append(m.student()).append(" | ").append(m.runs())
                    .append(" | ").append(m.epochs()).append(" | ").append(m.parameters());
            for (String metric : METRICS) {
                b.append(" | ").append(m.metrics().get(metric).format(4));
            }
            b.append(" | ").append(m.baseline()).append(" | ").append(m.baselineRuns()).append(" | ")
                    .append(m.baselineAccuracy().format(4)).append(" | ").append(m.baselineMacroF1().format(4))
                    .append("|\n");
        }
        b.append('\n');
        verdicts.forEach(v -> b.append(v).append("\n\n"));
        return b.toString();
    }
}
