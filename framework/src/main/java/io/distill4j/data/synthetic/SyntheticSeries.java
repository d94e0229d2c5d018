package io.distill4j.data.synthetic;

import io.distill4j.api.KlineSeries;
import java.util.Objects;

/**
 * A generated kline series with the regime that produced each bar.
 *
 * @param series the bars
 * @param regimes {@code regimes[i]} is the regime of bar {@code i}
 */
public record SyntheticSeries(KlineSeries series, Regime[] regimes) {
    public SyntheticSeries {
        Objects.requireNonNull(series, "series");
        if (regimes.length != series.size()) {
            throw new IllegalArgumentException("one regime per bar expected");
        }
    }

    /** The fraction of bars in each regime, indexed by {@link Regime#ordinal()}. */
    public double[] regimeFrequencies() {
        double[] f = new double[Regime.values().length];
        for (Regime r : regimes) {
            f[r.ordinal()] += 1.0 / regimes.length;
        }
        return f;
    }
}
