package io.distill4j.search;

import io.distill4j.eval.Stats;
import io.distill4j.eval.TTest;
import io.distill4j.experiment.StudyRunner;
import io.distill4j.experiment.Trial;
import io.distill4j.experiment.TrialResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a search found, as text ({@code results/<study>/search.md}): the candidates by status, the spread of their
 * validation scores, what pruning saved (epochs not trained, of the epochs the pruned candidates were planned), the
 * top candidates, and the final comparison on the test split: the best candidate, the study's default configuration
 * and the student alone, each as mean ± std over the seeds, with Welch's t-test of each difference.
 *
 * @param text the Markdown text
 * @param finalRows the final comparison's rows: method to its test values of the objective, one per seed
 */
public record SearchSummary(String text, Map<String, List<Double>> finalRows) {
    /** Candidates listed in the top table. */
    public static final int TOP = 10;

    /** The summary of a search's candidates and its final run (absent when no candidate finished). */
    public static SearchSummary of(Search search, List<CandidateResult> candidates, Optional<CandidateResult> best,
            StudyRunner.Outcome finalRun, boolean stoppedByTime) {
        SearchConfig c = search.config();
        StringBuilder b = new StringBuilder();
        b.append("# Search: ").append(search.name()).append("\n\n");
        long finished = count(candidates, CandidateResult.Status.FINISHED);
        long pruned = count(candidates, CandidateResult.Status.PRUNED);
        long failed = count(candidates, CandidateResult.Status.FAILED);
        long generated = candidates.stream().filter(r -> r.index() >= 0).count();
        b.append(String.format(Locale.ROOT, "Strategy %s (seed %d), %d of %d candidate(s)%s: %d finished, %d pruned, "
                + "%d failed%s. Objective: validation %s (%s), mean over seeds %s. Candidates never read the test "
                + "split.%n%n", c.strategy().key(), c.seed(), generated, c.candidates(),
                generated < candidates.size() ? " plus the default configuration" : "", finished, pruned, failed, stoppedByTime ? "; stopped by the time budget of " + c.minutes() + " minute(s)" : "",
                c.metric(), c.maximize() ? "higher is better" : "lower is better", c.seeds()));
        List<Double> scores = candidates.stream().filter(r -> r.status() == CandidateResult.Status.FINISHED)
                .map(CandidateResult::score).toList();
        if (!scores.isEmpty()) {
            Stats s = Stats.of(scores);
            b.append(String.format(Locale.ROOT, "Score spread over finished candidates: min %.4f, median %.4f, max "
                    + "%.4f, mean ± std %s.%n%n", scores.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
                    MedianPruner.median(scores), scores.stream().mapToDouble(Double::doubleValue).max().orElseThrow(),
                    s.format(4)));
        }
        candidates.stream().filter(r -> r.index() < 0 && r.status() == CandidateResult.Status.FINISHED).findFirst()
                .ifPresent(d -> b.append(String.format(Locale.ROOT, "The default configuration scored %.4f on "
                        + "validation; the best %.4f.%n%n", d.score(), best.map(CandidateResult::score)
                        .orElse(Double.NaN))));
        b.append(pruning(search, candidates)).append("\n\n");
        b.append("## Top candidates\n\n| rank | candidate | values | validation ").append(c.metric())
                .append(" | per seed | status |\n|---|---|---|---|---|---|\n");
        Comparator<CandidateResult> order = Comparator.comparingDouble(CandidateResult::score);
        List<CandidateResult> ranked = new ArrayList<>(candidates.stream()
                .filter(r -> r.status() == CandidateResult.Status.FINISHED).sorted(c.maximize() ? order.reversed()
                        : order).toList());
        for (int i = 0; i < Math.min(TOP, ranked.size()); i++) {
            CandidateResult r = ranked.get(i);
            b.append(String.format(Locale.ROOT, "| %d | %s | %s | %.4f | %s | %s |%n", i + 1, id(r), r.label(),
                    r.score(), perSeed(r, c.metric()), r.status()));
        }
        for (CandidateResult r : candidates) {
            if (r.status() != CandidateResult.Status.FINISHED) {
                b.append(String.format(Locale.ROOT, "| - | %s | %s | - | - | %s: %s |%n", id(r), r.label(),
                        r.status(), r.reason()));
            }
        }
        Map<String, List<Double>> rows = new LinkedHashMap<>();
        b.append("\n## Final comparison on the test split\n\n");
        if (best.isEmpty() || finalRun == null) {
            b.append("No candidate finished: there is no best configuration to run on the test split.\n");
            return new SearchSummary(b.toString(), rows);
        }
        CandidateResult chosen = best.get();
        b.append("Best candidate: ").append(id(chosen)).append(" (").append(chosen.label()).append("), written "
                + "to best.yaml. The final run trains it, the study's default configuration and the student alone "
                + "with the same budget and seeds ").append(c.seeds()).append(", then scores each on the test split "
                + "once.\n\n");
        String defaultLabel = search.defaults().cells().get(0).label();
        String bestMethod = null;
        for (TrialResult r : finalRun.results()) {
            if (r.failed() || r.trial().role() == Trial.Role.TEACHER) {
                continue;
            }
            String method = r.trial().role() == Trial.Role.STUDENT_ALONE ? "student-alone"
                    : r.trial().cell().equals(defaultLabel) ? "default" : "best";
            rows.computeIfAbsent(method, k -> new ArrayList<>()).add(r.test(c.metric()));
        }
        if (!rows.containsKey("best") && rows.containsKey("default")) {
            b.append("The best candidate's configuration is the default one.\n\n");
            rows.put("best", rows.get("default"));
        }
        b.append("| method | test ").append(c.metric()).append(" (mean ± std) | seeds |\n|---|---|---|\n");
        for (String m : List.of("best", "default", "student-alone")) {
            if (rows.containsKey(m)) {
                b.append("| ").append(m).append(" | ").append(Stats.of(rows.get(m)).format(4)).append(" | ")
                        .append(rows.get(m).size()).append(" |\n");
            }
        }
        b.append("\n");
        compare(b, rows, "best", "default");
        compare(b, rows, "best", "student-alone");
        compare(b, rows, "default", "student-alone");
        b.append("\nThe final study's full summary (every metric, verdicts, bootstrap intervals) is summary.md.\n");
        return new SearchSummary(b.toString(), rows);
    }

    private static void compare(StringBuilder b, Map<String, List<Double>> rows, String x, String y) {
        List<Double> a = rows.get(x);
        List<Double> o = rows.get(y);
        if (a == null || o == null) {
            return;
        }
        if (a.size() < 2 || o.size() < 2) {
            b.append("- ").append(x).append(" vs ").append(y).append(": too few seeds for a t-test\n");
            return;
        }
        TTest.Result t = TTest.welch(a.stream().mapToDouble(Double::doubleValue).toArray(),
                o.stream().mapToDouble(Double::doubleValue).toArray());
        b.append(String.format(Locale.ROOT, "- %s vs %s: difference %+.4f, Welch %s%n", x, y, t.difference(),
                t.describe()));
    }

    /** How much pruning saved: epochs the pruned candidates did not train, of the epochs they were planned. */
    static String pruning(Search search, List<CandidateResult> candidates) {
        if (search.config().pruning().isEmpty()) {
            return "Pruning: off.";
        }
        int epochs = search.defaults().base().training().epochs();
        long planned = (long) candidates.size() * search.config().seeds().size() * epochs;
        long saved = 0;
        for (CandidateResult r : candidates) {
            if (r.status() == CandidateResult.Status.PRUNED) {
                saved += (long) search.config().seeds().size() * epochs - r.epochsRun();
            }
        }
        return String.format(Locale.ROOT, "Pruning (median, from epoch %d, after %d finished candidates) saved %d "
                + "of %d planned epochs (%.0f%%).", search.config().pruning().get().warmupEpochs(),
                search.config().pruning().get().minCandidates(), saved, planned,
                planned == 0 ? 0.0 : 100.0 * saved / planned);
    }

    private static String perSeed(CandidateResult r, String metric) {
        List<String> out = new ArrayList<>();
        for (TrialResult t : r.trials()) {
            out.add(String.format(Locale.ROOT, "%.4f", t.validation(metric)));
        }
        return String.join(", ", out);
    }

    private static String id(CandidateResult r) {
        return r.index() < 0 ? "default" : String.valueOf(r.index());
    }

    private static long count(List<CandidateResult> candidates, CandidateResult.Status status) {
        return candidates.stream().filter(r -> r.status() == status).count();
    }

    /** Writes the text to {@code file}. */
    public void write(Path file) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
