package io.distill4j.data.synthetic;

import io.distill4j.api.KlineSeries;
import java.util.SplittableRandom;

/**
 * A deterministic regime-switching OHLCV generator: the project's built-in default dataset.
 *
 * <p>The next bars' direction is predictable from the 12 standard features, but only through <em>interactions</em>
 * between them, so that a large network has something real to learn that a linear model (and, less so, a tiny
 * network) cannot represent. A Markov chain moves between three {@link Regime regimes} (expected stay about 200
 * bars for the first two, 100 for turbulence) with noise {@code sigma} = 0.0016 (calm), 0.0030 (choppy), 0.0050
 * (turbulent). Per bar the log return is {@code r = sigma (s + e)}, {@code e} standard normal, with the signal
 * {@code s} (in units of the regime's noise) computed from the bars so far:
 * <pre>
 *   s = R[regime] tanh(z10) + 0.35 tanh(z3) tanh(p / 0.5)
 * </pre>
 * <ul>
 *   <li>{@code z10}, {@code z3}: the last 10- and 3-bar log returns divided by {@code sigma sqrt(k)} (observed as
 *       {@code ret_10}, {@code ret_3}, {@code sma_ratio_20}, {@code rsi_14} ...);</li>
 *   <li>regime x trend: {@code R} = +0.5 when calm (moves continue), -0.5 when choppy (moves are given back), 0 when
 *       turbulent. The regime shows only through the volatility features ({@code realised_vol_*},
 *       {@code hl_range}), so the sign of the response to the past move depends on the volatility level, and not
 *       even monotonically (no signal at the highest level): an XOR-like interaction. Pooled over all bars the
 *       10-bar move barely predicts the next one, so a linear model gets little out of it;</li>
 *   <li>volume confirmation: {@code p} is a latent participation level (AR(1), {@code p = 0.9 p + 0.22 e''},
 *       stationary sd 0.5) that scales the volume, observed through {@code log_volume_ratio_20}. A 3-bar move on
 *       rising participation continues, on falling participation it fades: a product of two zero-mean features,
 *       again invisible to a linear model.</li>
 * </ul>
 * The only linearly usable structure is that low volatility makes a small move ({@code hold}) more likely. The
 * features are noisy views of {@code z10, z3, p} and the regime, so the task stays moderately hard.
 *
 * <p>Bars: open = previous close (100 for the first bar), close = open {@code exp(r)}, high/low extend the body by
 * half-normal wicks scaled to the regime's noise, so {@code low <= min(open, close) <= max(open, close) <= high}
 * and prices stay positive. Volume is {@code 1000 m exp(p) (0.5 + |r| / 0.004) exp(0.2 e')}, {@code m} = 0.8
 * calm, 1.2 choppy, 2.0 turbulent: it rises with volatility and with the absolute return. Bar {@code i} opens at
 * {@code startTimeMs + i intervalMs} (no gaps).
 *
 * <p>Determinism: only {@link SplittableRandom} seeded with the config's seed and {@link StrictMath} are used, so a
 * seed gives a bit-identical series on every JVM.
 */
public final class SyntheticMarket {
    /** Noise per bar of each regime. */
    private static final double[] SIGMA = {0.0016, 0.0030, 0.0050};
    /** Strength of the regime's response to the ten-bar move: + continuation, - reversal. */
    private static final double[] RESPONSE = {1.0, -1.0, 0.0};
    /** How fast the response to the 20-bar move turns (radians per unit of z20). */
    private static final double FREQUENCY = 1.6;
    /** Strength of the volume-confirmation signal (all regimes). */
    private static final double CONFIRMATION = 0.5;
    private static final double PARTICIPATION_PHI = 0.9;
    private static final double PARTICIPATION_SIGMA = 0.22;
    private static final double PARTICIPATION_SCALE = 0.5;
    private static final double[] STAY = {0.995, 0.995, 0.99};
    /** Weights of the next regime on a switch (the current one excluded). */
    private static final double[] NEXT = {0.4, 0.4, 0.2};
    private static final double[] VOLUME_MULT = {0.8, 1.2, 2.0};
    /** Bars between the state that sets a bar's drift and the bar itself: horizons up to it have exact odds. */
    public static final int LEAD = 6;

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
        double[] drift = new double[n];
        double[] noise = new double[n];
        Regime[] regimes = new Regime[n];
        Regime[] all = Regime.values();

        // the regime path is drawn first: it does not depend on prices, and bar j's noise is known LEAD bars ahead
        int[] regime = new int[n];
        regime[0] = (int) (rng.nextDouble() * all.length);
        for (int i = 1; i < n; i++) {
            regime[i] = rng.nextDouble() >= STAY[regime[i - 1]] ? nextRegime(regime[i - 1], rng.nextDouble())
                    : regime[i - 1];
        }
        double logP = StrictMath.log(100.0);
        double p = 0;
        for (int i = 0; i < n; i++) {
            double sigma = SIGMA[regime[i]];
            noise[i] = sigma;
            double r = drift[i] + sigma * gaussian(rng);

            double o = StrictMath.exp(logP);
            logP += r;
            logClose[i] = logP;
            if (i + LEAD < n) {
                int j = i + LEAD;
                drift[j] = SIGMA[regime[j]] * signal(i, regime[i], logClose, p);
            }
            double c = StrictMath.exp(logP);
            double up = StrictMath.abs(gaussian(rng)) * 0.5 * sigma;
            double down = StrictMath.abs(gaussian(rng)) * 0.5 * sigma;
            time[i] = config.startTimeMs() + i * config.intervalMs();
            open[i] = o;
            close[i] = c;
            high[i] = StrictMath.max(o, c) * StrictMath.exp(up);
            low[i] = StrictMath.min(o, c) * StrictMath.exp(-down);
            volume[i] = 1000 * VOLUME_MULT[regime[i]] * StrictMath.exp(p)
                    * (0.5 + StrictMath.abs(r) / 0.004) * StrictMath.exp(0.2 * gaussian(rng));
            turnover[i] = Double.NaN;
            regimes[i] = all[regime[i]];
            p = PARTICIPATION_PHI * p + PARTICIPATION_SIGMA * gaussian(rng);
        }
        String source = "synthetic(seed=" + config.seed() + ",bars=" + n + ",intervalMs=" + config.intervalMs() + ")";
        return new SyntheticSeries(new KlineSeries(source, time, open, high, low, close, volume, turnover), regimes,
                drift, noise, LEAD);
    }

    /**
     * The signal {@code s} (in units of noise) that the state at the close of bar {@code k} sets for bar
     * {@code k + LEAD}.
     */
    private static double signal(int k, int regime, double[] logClose, double participation) {
        double sigma = SIGMA[regime];
        double z20 = k >= 20 ? (logClose[k] - logClose[k - 20]) / (sigma * StrictMath.sqrt(20)) : 0;
        double z10 = k >= 10 ? (logClose[k] - logClose[k - 10]) / (sigma * StrictMath.sqrt(10)) : 0;
        return RESPONSE[regime] * StrictMath.sin(FREQUENCY * z20)
                + CONFIRMATION * StrictMath.tanh(z10) * StrictMath.tanh(participation / PARTICIPATION_SCALE);
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
