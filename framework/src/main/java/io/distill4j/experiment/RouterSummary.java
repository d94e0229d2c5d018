package io.distill4j.experiment;

import io.distill4j.eval.ClassificationMetrics;
import io.distill4j.eval.Stats;
import io.distill4j.regime.MarketRegime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The router part of a chain study's summary ({@link ChainRouter}): per tier of the family (the teacher, then each
 * stage) and for the routed family, the test accuracy and macro-F1 (mean ± std over seeds) and the share of test
 * samples the tier served, computed from the trials' saved test predictions (no retraining), plus each tier's
 * single-sample latency when its trials measured one (facts {@value #LATENCY_P50} and {@value #LATENCY_P99}).
 *
 * @param rows one line per tier, then the routed family's
 * @param seeds the seeds routed (those with a prediction of every tier)
 * @param mapping the router, in words
 * @param perSeed the same figures seed by seed ({@code router.csv})
 */
public record RouterSummary(List<Line> rows, int seeds, String mapping, List<SeedLine> perSeed) {
    /** The fact of a trial's median single-sample predict latency, ns. */
    public static final String LATENCY_P50 = "latency_p50_ns";
    /** The fact of a trial's 99th-percentile single-sample predict latency, ns. */
    public static final String LATENCY_P99 = "latency_p99_ns";

    /** One tier (or the routed family) over seeds; latencies (ns, over the seeds' trials) empty when not measured. */
    public record Line(String tier, String model, Stats accuracy, Stats macroF1, Stats share, Stats latencyP50,
            Stats latencyP99) {
    }

    /** One tier (or the routed family) on one seed. */
    public record SeedLine(int seed, String tier, double accuracy, double macroF1, double share) {
    }

    /** Nothing to report: no router. */
    static final RouterSummary NONE = new RouterSummary(List.of(), 0, "", List.of());

    /**
     * The router summary of a chain study's results ({@code cell}: the chain's grid cell), routing with the test
     * regimes of {@code facts}.
     */
    static RouterSummary of(Chain chain, ChainRouter router, List<TrialResult> results, DataFacts facts,
            io.distill4j.regime.RegimeConfig regimes) {
        int tiers = chain.size() + 1;
        int[] labels = facts.testLabels();
        int[] testRegimes = facts.testRegimes(regimes);
        Map<Integer, TrialResult[]> bySeed = new TreeMap<>();
        List<TrialResult> teachers = new ArrayList<>();
        for (TrialResult r : results) {
            if (r.failed() || r.testPredictions().isEmpty()) {
                continue;
            }
            if (r.trial().role() == Trial.Role.TEACHER) {
                teachers.add(r);
            } else if (r.trial().role() == Trial.Role.CHAIN_STAGE) {
                bySeed.computeIfAbsent(r.trial().seed(), s -> new TrialResult[tiers])[r.trial().chain().stage()] = r;
            }
        }
        List<List<Double>> acc = lists(tiers + 1);
        List<List<Double>> f1 = lists(tiers + 1);
        List<List<Double>> share = lists(tiers + 1);
        List<List<Double>> p50 = lists(tiers);
        List<List<Double>> p99 = lists(tiers);
        TrialResult[] example = new TrialResult[tiers];
        List<SeedLine> perSeed = new ArrayList<>();
        int seeds = 0;
        for (var e : bySeed.entrySet()) {
            TrialResult[] family = e.getValue();
            family[0] = teachers.stream().filter(t -> t.trial().seed() == e.getKey()).findFirst()
                    .orElse(teachers.stream().filter(t -> t.trial().seed() < 0).findFirst().orElse(null));
            if (java.util.Arrays.asList(family).contains(null)) {
                continue;
            }
            seeds++;
            List<int[]> predictions = new ArrayList<>();
            for (int t = 0; t < tiers; t++) {
                example[t] = family[t];
                int[] p = classes(family[t].testPredictions());
                predictions.add(p);
                ClassificationMetrics m = ChainRouter.metrics(p, labels);
                acc.get(t).add(m.accuracy());
                f1.get(t).add(m.macroF1());
                if (family[t].facts().containsKey(LATENCY_P50) && (t > 0 || p50.get(0).isEmpty())) {
                    p50.get(t).add(family[t].facts().get(LATENCY_P50)); // the one teacher counts once
                    p99.get(t).add(family[t].facts().get(LATENCY_P99));
                }
            }
            ChainRouter.Routed routed = router.route(testRegimes, labels, predictions);
            for (int t = 0; t < tiers; t++) {
                share.get(t).add(routed.shares()[t]);
                perSeed.add(new SeedLine(e.getKey(), ChainRouter.tierName(t), acc.get(t).get(seeds - 1),
                        f1.get(t).get(seeds - 1), routed.shares()[t]));
            }
            acc.get(tiers).add(routed.accuracy());
            f1.get(tiers).add(routed.macroF1());
            share.get(tiers).add(1.0);
            perSeed.add(new SeedLine(e.getKey(), "routed", routed.accuracy(), routed.macroF1(), 1.0));
        }
        if (seeds == 0) {
            return NONE;
        }
        List<Line> rows = new ArrayList<>();
        for (int t = 0; t < tiers; t++) {
            String model = t == 0 ? example[0].trial().config().teachers().values().iterator().next().describe()
                    : example[t].trial().config().student().describe();
            rows.add(new Line(ChainRouter.tierName(t), model, Stats.of(acc.get(t)), Stats.of(f1.get(t)),
                    Stats.of(share.get(t)), Stats.of(p50.get(t)), Stats.of(p99.get(t))));
        }
        rows.add(new Line("routed", "family", Stats.of(acc.get(tiers)), Stats.of(f1.get(tiers)),
                Stats.of(share.get(tiers)), Stats.of(List.of()), Stats.of(List.of())));
        StringBuilder mapping = new StringBuilder();
        for (MarketRegime r : MarketRegime.values()) {
            mapping.append(mapping.length() == 0 ? "" : ", ").append(r.key()).append(" → ")
                    .append(ChainRouter.tierName(router.tiers()[r.ordinal()]));
        }
        return new RouterSummary(List.copyOf(rows), seeds, mapping.toString(), List.copyOf(perSeed));
    }

    private static List<List<Double>> lists(int n) {
        List<List<Double>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ArrayList<>());
        }
        return out;
    }

    private static int[] classes(String digits) {
        return digits.chars().map(c -> c - '0').toArray();
    }

    /** The router table as a markdown section; empty without a router. */
    String toMarkdown() {
        if (rows.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "\n## Regime router\n\nThe family (teacher and "
                + "chain stages) with each test sample served by its regime's tier (%s; regime thresholds fitted on "
                + "train), against each tier alone. Test split, mean ± std over %d seed(s), from the trials' saved test "
                + "predictions. Share: the test samples the tier served. Latency: one single-sample predict call on "
                + "the trained DL4J graph, p50 and p99 of " + TierLatency.CALLS + " timed calls after "
                + TierLatency.WARMUP + " warm-up ones, mean ± std over the "
                + "tier's trials (measured in the trial, on a machine shared with the other trials).\n\n|tier | model | accuracy | macro-F1 | share served | latency p50 (µs) | latency p99 "
                + "(µs)|\n|---|---|---|---|---|---|---|\n", mapping, seeds));
        for (Line l : rows) {
            b.append('|').append(l.tier()).append(" | ").append(l.model()).append(" | ")
                    .append(l.accuracy().format(4)).append(" | ").append(l.macroF1().format(4)).append(" | ")
                    .append(l.share().format(3)).append(" | ").append(micros(l.latencyP50())).append(" | ")
                    .append(micros(l.latencyP99())).append("|\n");
        }
        return b.toString();
    }

    private static String micros(Stats ns) {
        return ns.n() == 0 ? "" : ns.n() < 2 ? ChainSummary.num(ns.mean() / 1000, 1)
                : ChainSummary.num(ns.mean() / 1000, 1) + " ± " + ChainSummary.num(ns.std() / 1000, 1);
    }

    /** The per-seed figures as CSV ({@code router.csv}); empty without a router. */
    String toCsv() {
        if (perSeed.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("seed,tier,accuracy,macro_f1,share\n");
        for (SeedLine l : perSeed) {
            b.append(l.seed()).append(',').append(l.tier()).append(',').append(ChainSummary.num(l.accuracy(), 6))
                    .append(',').append(ChainSummary.num(l.macroF1(), 6)).append(',')
                    .append(ChainSummary.num(l.share(), 6)).append('\n');
        }
        return b.toString();
    }
}
