package io.distill4j.experiment;

import io.distill4j.eval.Stats;
import io.distill4j.regime.MarketRegime;
import io.distill4j.regime.RegimeMetrics;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-regime part of a summary (a study with {@code data.regimes}): for every row with per-regime test metrics
 * ({@link RegimeMetrics}), each regime's share of the test samples and the row's metrics within it, mean ± std over
 * seeds. Nothing for a study without regimes, so other summaries are unchanged.
 */
final class RegimeSummary {
    private RegimeSummary() {
    }

    /** The per-regime metric names of the rows ({@code accuracy, macro_f1} or the regression ones); empty: none. */
    static List<String> metrics(List<Summary.Row> rows) {
        boolean any = false;
        boolean regression = false;
        for (Summary.Row r : rows) {
            for (String k : r.metrics().keySet()) {
                if (k.startsWith(RegimeMetrics.PREFIX)) {
                    any = true;
                    regression |= k.endsWith(".r2");
                }
            }
        }
        return !any ? List.of() : regression ? RegimeMetrics.REGRESSION : RegimeMetrics.CLASSIFICATION;
    }

    /** Every column: {@code share} then each metric, per regime; none without per-regime metrics. */
    private static List<String[]> columns(List<String> metrics) {
        List<String[]> out = new ArrayList<>();
        if (metrics.isEmpty()) {
            return out;
        }
        for (MarketRegime r : MarketRegime.values()) {
            out.add(new String[] {r.key(), "share"});
            for (String m : metrics) {
                out.add(new String[] {r.key(), m});
            }
        }
        return out;
    }

    private static boolean has(Summary.Row r) {
        return r.metric(RegimeMetrics.key(MarketRegime.HIGH_VOL, "share")).n() > 0;
    }

    /** The Markdown section, or nothing without per-regime metrics. */
    static void appendMarkdown(StringBuilder b, List<Summary.Row> rows) {
        List<String> metrics = metrics(rows);
        if (metrics.isEmpty()) {
            return;
        }
        b.append("\nPer market regime on the test split (`data.regimes`: past-only realised volatility and trend "
                + "strength, thresholds fitted on the train split; share = the regime's share of the test samples), "
                + "mean ± std over seeds:\n\n|method");
        List<String[]> columns = columns(metrics);
        for (String[] c : columns) {
            b.append(" | ").append(c[0]).append(' ').append(c[1]);
        }
        b.append("|\n|").append("---|".repeat(columns.size() + 1)).append('\n');
        for (Summary.Row r : rows) {
            if (!has(r)) {
                continue;
            }
            b.append('|').append(r.method());
            for (String[] c : columns) {
                b.append(" | ").append(r.metric(RegimeMetrics.PREFIX + c[0] + "." + c[1])
                        .format(c[1].equals("share") ? 3 : 4));
            }
            b.append("|\n");
        }
    }

    /** The CSV header columns ({@code ,regime.<r>.<m>_mean,..._std} each), or empty without per-regime metrics. */
    static String csvHeader(List<Summary.Row> rows) {
        StringBuilder b = new StringBuilder();
        for (String[] c : columns(metrics(rows))) {
            String name = RegimeMetrics.PREFIX + c[0] + "." + c[1];
            b.append(',').append(name).append("_mean,").append(name).append("_std");
        }
        return b.toString();
    }

    /** One row's CSV cells matching {@link #csvHeader} (empty cells where the row has none). */
    static String csvCells(List<Summary.Row> rows, Summary.Row r) {
        StringBuilder b = new StringBuilder();
        for (String[] c : columns(metrics(rows))) {
            Stats s = r.metric(RegimeMetrics.PREFIX + c[0] + "." + c[1]);
            b.append(',').append(Summary.num(s.mean())).append(',').append(Summary.num(s.std()));
        }
        return b.toString();
    }
}
