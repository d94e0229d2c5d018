package io.distill4j.regime;

import java.util.List;

/**
 * The regime of a sample, decided from the bars up to and including the sample's own bar (see
 * {@link RegimeLabeller} for the rules). The {@link #ordinal()} is the regime's index in per-sample columns.
 */
public enum MarketRegime {
    /** Realised volatility above the train split's {@code vol_quantile}. */
    HIGH_VOL("high_vol"),
    /** Not high volatility, and a trend strength above the train split's {@code trend_quantile}. */
    TREND("trend"),
    /** Neither: a calm market without a strong directional move, where moves tend to revert. */
    MEAN_REVERSION("mean_reversion");

    private final String key;

    MarketRegime(String key) {
        this.key = key;
    }

    /** The name in study files, summaries and tracking keys ({@code high_vol}, {@code trend}, {@code mean_reversion}). */
    public String key() {
        return key;
    }

    /** Every regime's {@link #key()}, in index order. */
    public static List<String> keys() {
        return java.util.Arrays.stream(values()).map(MarketRegime::key).toList();
    }

    /** The regime of a key. */
    public static MarketRegime of(String key) {
        for (MarketRegime r : values()) {
            if (r.key.equals(key)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown regime '" + key + "' (regimes: " + String.join(", ", keys()) + ")");
    }
}
