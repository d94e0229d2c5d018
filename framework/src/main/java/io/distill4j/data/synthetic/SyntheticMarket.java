package io.distill4j.data.synthetic;

import io.distill4j.data.KlineSeries;
import java.util.SplittableRandom;

/**
 * A deterministic regime-switching OHLCV generator: the project's built-in default dataset.
 *
 * <p>A Markov chain moves between four {@link Regime regimes} (expected stay about 200 bars for trends and mean
 * reversion, 100 for high volatility). Per bar the log return {@code r} is:
 * <ul>
 *   <li>trend up/down: {@code r = mu + phi (r_prev - mu) + 0.003 e}, {@code mu = +-0.0005}, {@code phi = 0.1}
 *       (drift plus momentum);</li>
 *   <li>mean reversion: {@code r = -0.15 (ln p - L) + 0.0022 e}, where {@code L} is a slow exponential moving level
 *       of the log price ({@code alpha = 0.02}, updated in every regime);</li>
 *   <li>high volatility: {@code r = 0.006 e} (noise only).</li>
 * </ul>
 * with {@code e} standard normal. So the direction over the next few bars is predictable from past returns in
 * trends (momentum), from the distance to the moving average in mean reversion (with the opposite sign: the
 * nonlinearity), and not at all in high volatility; realised volatility tells the regimes apart.
 *
 * <p>Bars: open = previous close (100 for the first bar), close = open {@code exp(r)}, high/low extend the body by
 * half-normal wicks scaled to the regime's noise, so {@code low <= min(open, close) <= max(open, close) <= high}
 * and prices stay positive. Volume is {@code 1000 m (0.3 + |r| / 0.002) exp(0.3 e')}, {@code m} = 1.2 in trends,
 * 0.8 in mean reversion, 1.8 in high volatility: correlated with volatility and absolute return. Bar {@code i}
 * opens at {@code startTimeMs + i intervalMs} (no gaps).
 *
 * <p>Determinism: only {@link SplittableRandom} seeded with the config's seed and {@link StrictMath} are used, so a
 * seed gives a bit-identical series on every JVM.
 */
public final class SyntheticMarket {
    /** Noise per bar of each regime. */
    private static final double[] SIGMA = {0.0016, 0.0030, 0.0050};
    /** Strength of the regime's response to the ten-bar move: + continuation, - reversal. */
    private static final double[] RESPONSE = {0.5, -0.5, 0.0};
    /** Strength of the volume-confirmation signal (all regimes). */
    private static final double CONFIRMATION = 0.35;
    private static final double PARTICIPATION_PHI = 0.9;
    private static final double PARTICIPATION_SIGMA = 0.22;
    private static final double PARTICIPATION_SCALE = 0.5;
    private static final double[] STAY = {0.995, 0.995, 0.99};
    /** Weights of the next regime on a switch (the current one excluded). */
    private static final double[] NEXT = {0.4, 0.4, 0.2};
    private static final double[] VOLUME_MULT = {0.8, 1.2, 2.0};

    private SyntheticMarket() {
    }

    /** Generates the series described by {@code config}. */
    public static SyntheticSeries generate(SyntheticConfig config) {
        int n = config.bars();
        SplittableRandom rng = new SplittableRandom(config.seed());
        long[] time = new long[n];
        double[] open = new double[n];
        double[] high = new double[n];
        double[] low = new double[n];
        double[] close = new double[n];
        double[] volume = new double[n];
        double[] turnover = new double[n];
        double[] logClose = new double[n];
        Regime[] regimes = new Regime[n];
        Regime[] all = Regime.values();

        int regime = (int) (rng.nextDouble() * all.length);
        double logP = StrictMath.log(100.0);
        double participation = 0;
        for (int i = 0; i < n; i++) {
            if (i > 0 && rng.nextDouble() >= STAY[regime]) {
                regime = nextRegime(regime, rng.nextDouble());
            }
            double sigma = SIGMA[regime];
            double z10 = i >= 11 ? (logClose[i - 1] - logClose[i - 11]) / (sigma * StrictMath.sqrt(10)) : 0;
            double z3 = i >= 4 ? (logClose[i - 1] - logClose[i - 4]) / (sigma * StrictMath.sqrt(3)) : 0;
            double signal = RESPONSE[regime] * StrictMath.tanh(z10)
                    + CONFIRMATION * StrictMath.tanh(z3) * StrictMath.tanh(participation / PARTICIPATION_SCALE);
            double r = sigma * (signal + gaussian(rng));
            participation = PARTICIPATION_PHI * participation + PARTICIPATION_SIGMA * gaussian(rng);

            double o = StrictMath.exp(logP);
            logP += r;
            logClose[i] = logP;
            double c = StrictMath.exp(logP);
            double up = StrictMath.abs(gaussian(rng)) * 0.5 * sigma;
            double down = StrictMath.abs(gaussian(rng)) * 0.5 * sigma;
            time[i] = config.startTimeMs() + i * config.intervalMs();
            open[i] = o;
            close[i] = c;
            high[i] = StrictMath.max(o, c) * StrictMath.exp(up);
            low[i] = StrictMath.min(o, c) * StrictMath.exp(-down);
            volume[i] = 1000 * VOLUME_MULT[regime] * StrictMath.exp(participation)
                    * (0.5 + StrictMath.abs(r) / 0.004) * StrictMath.exp(0.2 * gaussian(rng));
            turnover[i] = Double.NaN;
            regimes[i] = all[regime];
        }
        String source = "synthetic(seed=" + config.seed() + ",bars=" + n + ",intervalMs=" + config.intervalMs() + ")";
        return new SyntheticSeries(new KlineSeries(source, time, open, high, low, close, volume, turnover), regimes);
    }

    private static int nextRegime(int current, double u) {
        double total = 0;
        for (int k = 0; k < NEXT.length; k++) {
            total += k == current ? 0 : NEXT[k];
        }
        double acc = 0;
        for (int k = 0; k < NEXT.length; k++) {
            if (k == current) {
                continue;
            }
            acc += NEXT[k] / total;
            if (u < acc) {
                return k;
            }
        }
        return current == NEXT.length - 1 ? NEXT.length - 2 : NEXT.length - 1;
    }

    /** A standard normal draw (Box-Muller with {@link StrictMath}). */
    private static double gaussian(SplittableRandom rng) {
        double u1 = 1.0 - rng.nextDouble(); // in (0, 1]
        double u2 = rng.nextDouble();
        return StrictMath.sqrt(-2 * StrictMath.log(u1)) * StrictMath.cos(2 * StrictMath.PI * u2);
    }
}
