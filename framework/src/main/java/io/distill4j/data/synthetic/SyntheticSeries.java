package io.distill4j.data.synthetic;

import io.distill4j.api.KlineSeries;
import java.util.Objects;
import org.apache.commons.math3.special.Erf;

/**
 * A generated kline series with the regime that produced each bar and the law of every bar's log return: bar
 * {@code j}'s log return is {@code drift[j] + noise[j] e_j} with {@code e_j} standard normal and independent of
 * everything the generator knew {@link #lead()} bars earlier, when {@code drift[j]} and {@code noise[j]} were already
 * fixed. That makes the class of a forward return over at most {@code lead} bars an exactly known probability (see
 * {@link #classProbabilities}).
 *
 * @param series the bars
 * @param regimes {@code regimes[i]} is the regime of bar {@code i}
 * @param drift the conditional mean of each bar's log return
 * @param noise the conditional standard deviation of each bar's log return
 * @param lead how many bars ahead each bar's drift and noise are fixed
 */
public record SyntheticSeries(KlineSeries series, Regime[] regimes, double[] drift, double[] noise, int lead) {
    public SyntheticSeries {
        Objects.requireNonNull(series, "series");
        if (regimes.length != series.size() || drift.length != series.size() || noise.length != series.size()) {
            throw new IllegalArgumentException("one regime, drift and noise per bar expected");
        }
        if (lead < 1) {
            throw new IllegalArgumentException("lead must be >= 1, got " + lead);
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

    /**
     * The true probabilities of {@code [sell, hold, buy]} for the sample at bar {@code bar}: the forward log return
     * {@code R = ln(close[bar + h] / close[bar])} is, given the generator's state at {@code bar}, normal with mean
     * {@code M = sum drift[j]} and variance {@code S^2 = sum noise[j]^2} over {@code j = bar+1 .. bar+h}, so
     * {@code p(sell) = Phi((-t - M) / S)}, {@code p(buy) = 1 - Phi((t - M) / S)} and {@code p(hold)} the rest.
     *
     * @param horizon the label horizon {@code h}, at most {@link #lead()}
     * @param threshold the label threshold {@code t}
     */
    public double[] classProbabilities(int bar, int horizon, double threshold) {
        if (horizon < 1 || horizon > lead || bar < 0 || bar + horizon >= drift.length) {
            throw new IllegalArgumentException("horizon " + horizon + " from bar " + bar + " must be in [1, lead "
                    + lead + "] and end inside the series");
        }
        double mean = 0;
        double variance = 0;
        for (int j = bar + 1; j <= bar + horizon; j++) {
            mean += drift[j];
            variance += noise[j] * noise[j];
        }
        double sd = Math.sqrt(variance);
        double sell = phi((-threshold - mean) / sd);
        double buy = 1 - phi((threshold - mean) / sd);
        return new double[] {sell, Math.max(0, 1 - sell - buy), buy};
    }

    /** The standard normal distribution function. */
    static double phi(double x) {
        return 0.5 * Erf.erfc(-x / Math.sqrt(2));
    }
}
