package io.distill4j.regime;

import com.fasterxml.jackson.databind.JsonNode;
import io.distill4j.config.ConfigNode;
import java.util.Optional;

/**
 * The {@code data.regimes} section of a study: how samples are given a {@link MarketRegime}
 * ({@link RegimeLabeller}).
 *
 * <pre>
 * data:
 *   regimes:
 *     window: 20            # bars of one-bar log returns behind each sample, 2..1000 (default 20)
 *     vol_quantile: 0.8     # high_vol above this quantile of the train split's volatility, in (0, 1) (default 0.8)
 *     trend_quantile: 0.7   # trend above this quantile of the train split's trend strength, in (0, 1) (default 0.7)
 * </pre>
 *
 * @param window the number of one-bar log returns ending at a sample's bar that its regime is computed from
 * @param volQuantile the quantile of the train samples' realised volatility above which a sample is high-vol
 * @param trendQuantile the quantile of the train samples' trend strength above which a (not high-vol) sample trends
 */
public record RegimeConfig(int window, double volQuantile, double trendQuantile) {
    /** The key of the section under {@code data}. */
    public static final String KEY = "regimes";

    public RegimeConfig {
        if (window < 2 || window > 1000) {
            throw new IllegalArgumentException("window must be in [2, 1000], got " + window);
        }
        if (!(volQuantile > 0 && volQuantile < 1) || !(trendQuantile > 0 && trendQuantile < 1)) {
            throw new IllegalArgumentException("quantiles must be in (0, 1), got " + volQuantile + ", "
                    + trendQuantile);
        }
    }

    /** Parses a {@code data.regimes} mapping; rejects unknown keys and values out of range. */
    public static RegimeConfig parse(ConfigNode node) {
        int window = node.integer("window", 20, 2, 1000);
        double vol = quantile(node, "vol_quantile", 0.8);
        double trend = quantile(node, "trend_quantile", 0.7);
        node.finish();
        return new RegimeConfig(window, vol, trend);
    }

    private static double quantile(ConfigNode node, String key, double defaultValue) {
        double q = node.number(key, defaultValue, 0, 1);
        if (!(q > 0 && q < 1)) {
            throw node.error(key, "expected a quantile strictly between 0 and 1, got " + q);
        }
        return q;
    }

    /** The {@code data.regimes} section of a study tree, if it has one (validated by {@code StudyConfig.parse}). */
    public static Optional<RegimeConfig> of(String file, JsonNode study) {
        return ConfigNode.root(file, study).section("data").optionalSection(KEY).map(RegimeConfig::parse);
    }
}
