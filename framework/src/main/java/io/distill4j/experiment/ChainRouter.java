package io.distill4j.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import io.distill4j.config.ConfigNode;
import io.distill4j.eval.ClassificationMetrics;
import io.distill4j.regime.MarketRegime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The regime router of a chain's tiered family ({@code chain.router}): the family is the study's teacher (tier 0) and
 * the chain's stages (tier {@code k} = stage {@code k}); each test sample is served by the tier its market regime
 * ({@code data.regimes}, thresholds fitted on the train split) maps to. A regime the router leaves out is served by
 * the last stage (the smallest, fastest model).
 *
 * <pre>
 * chain:
 *   router: {high_vol: teacher, trend: stage 1}   # mean_reversion left out: the last stage
 * </pre>
 *
 * <p>Routed predictions {@code p_i = P[tier(r_i)]_i}; their accuracy is the share-weighted sum of each tier's accuracy
 * on the samples routed to it, {@code sum_t share_t acc_t}.
 *
 * @param tiers the tier of each regime, by {@link MarketRegime#ordinal()}: 0 the teacher, {@code k} stage {@code k}
 */
public record ChainRouter(int[] tiers) {
    /** The key of the router inside {@code chain}. */
    public static final String KEY = "router";

    public ChainRouter {
        tiers = tiers.clone();
    }

    @Override
    public int[] tiers() {
        return tiers.clone();
    }

    /** The name of tier {@code t}: {@code teacher} or {@code stage k}. */
    public static String tierName(int t) {
        return t == 0 ? "teacher" : "stage " + t;
    }

    /**
     * Parses {@code chain.router}: regime names as keys, each mapped to {@code teacher} or {@code stage k}
     * ({@code 1 <= k <= stages}).
     */
    static ChainRouter parse(ConfigNode node, int stages) {
        int[] tiers = new int[MarketRegime.values().length];
        Arrays.fill(tiers, stages);
        if (!node.json().isObject() || node.keys().isEmpty()) {
            throw node.error("expected a mapping of regimes (" + String.join(", ", MarketRegime.keys())
                    + ") to a tier ('teacher' or 'stage k', k in 1.." + stages + ")");
        }
        for (String key : node.keys()) {
            if (!MarketRegime.keys().contains(key)) {
                throw node.error(key, "unknown regime '" + key + "' (regimes: " + String.join(", ",
                        MarketRegime.keys()) + ")");
            }
            JsonNode v = node.json().get(key);
            String s = v.isTextual() ? v.asText().trim() : "";
            int tier = -1;
            if (s.equals("teacher")) {
                tier = 0;
            } else if (s.matches("stage [1-9][0-9]{0,3}")) {
                tier = Integer.parseInt(s.substring(6));
            }
            if (tier < 0 || tier > stages) {
                throw node.error(key, "expected 'teacher' or 'stage k' with k in 1.." + stages + ", got "
                        + ConfigNode.describe(v));
            }
            tiers[MarketRegime.of(key).ordinal()] = tier;
        }
        return new ChainRouter(tiers);
    }

    /** The router of a study tree's chain, if it has one (validated by {@code StudyConfig.parse}). */
    static Optional<ChainRouter> of(String file, JsonNode tree) {
        ConfigNode chain = ConfigNode.root(file, tree).section(Chain.KEY);
        return chain.has(KEY) ? Optional.of(parse(chain.section(KEY), chain.sectionList("stages").size()))
                : Optional.empty();
    }

    /**
     * The routed test metrics of one seed.
     *
     * @param accuracy the routed predictions' accuracy
     * @param macroF1 their macro-F1
     * @param shares the share of samples each tier served, by tier (they add up to 1)
     */
    public record Routed(double accuracy, double macroF1, double[] shares) {
    }

    /**
     * Routes each sample to its regime's tier.
     *
     * @param regimes each test sample's regime index
     * @param labels the test labels
     * @param predictions each tier's predicted classes, tier 0 (the teacher) first
     */
    public Routed route(int[] regimes, int[] labels, List<int[]> predictions) {
        int n = labels.length;
        if (regimes.length != n) {
            throw new IllegalArgumentException(regimes.length + " regimes for " + n + " test labels");
        }
        int[] routed = new int[n];
        double[] shares = new double[predictions.size()];
        for (int i = 0; i < n; i++) {
            int t = tiers[regimes[i]];
            if (predictions.get(t).length != n) {
                throw new IllegalArgumentException(tierName(t) + " has " + predictions.get(t).length
                        + " test predictions for " + n + " test labels");
            }
            routed[i] = predictions.get(t)[i];
            shares[t] += 1.0 / n;
        }
        ClassificationMetrics m = metrics(routed, labels);
        return new Routed(m.accuracy(), m.macroF1(), shares);
    }

    /** The accuracy and macro-F1 of predicted classes (as one-hot rows, for {@link ClassificationMetrics}). */
    static ClassificationMetrics metrics(int[] predicted, int[] labels) {
        double[][] rows = new double[predicted.length][3];
        for (int i = 0; i < predicted.length; i++) {
            rows[i][predicted[i]] = 1;
        }
        return ClassificationMetrics.of(rows, labels, null);
    }
}
