package io.distill4j.data.synthetic;

import io.distill4j.api.KlineSeries;
import java.util.SplittableRandom;

/**
 * A deterministic regime-switching OHLCV generator: the project's built-in default dataset.
 *
 * <p>The next bars' direction is predictable from the 12 standard features, but only through <em>interactions</em>
 * between them, and its law is exposed, so that every study on it knows the best any model can do. A Markov chain
 * moves between three {@link Regime regimes} (expected stay about 200 bars for the first two, 100 for turbulence;
 * the whole regime path is drawn first) with noise {@code sigma} = 0.0016 (calm), 0.0030 (choppy), 0.0050
 * (turbulent). The log return of bar {@code j} is {@code r_j = drift_j + sigma_j e_j}, {@code e_j} standard normal,
 * where {@code drift_j = sigma_j s_k} is set by the state at the close of bar {@code k = j - }{@value #LEAD}:
 * <pre>
 *   s_k = R[regime_k] sin(1.6 z20_k) + 0.8 tanh(3 z5_k) tanh(3 z10_k) tanh(3 z20_k)
 * </pre>
 * with {@code zm_k} the last {@code m}-bar log return at bar {@code k} divided by {@code sigma sqrt(m)} of bar
 * {@code k}'s regime (the features show these moves as {@code ret_5}, {@code ret_10}, {@code ret_20},
 * {@code sma_ratio_20}, {@code vwap_change_20} ..., relative to {@code realised_vol_*}):
 * <ul>
 *   <li>regime x trend: {@code R} = +1 when calm, -1 when choppy, 0 when turbulent, and the response to the 20-bar
 *       move is a sine: small moves continue (calm) or fade (choppy), larger ones turn. The regime shows only
 *       through the volatility features, so the response depends on the volatility level and on the move
 *       non-monotonically;</li>
 *   <li>sign agreement (all regimes): the product of the signs of the 5-, 10- and 20-bar moves, softened by tanh,
 *       at 0.8 noise units: three moves up (or down) continue, and every sign flip of one move flips the drift, a
 *       three-way parity of nested moves that no single feature shows. A big MLP learns it
 *       from 18,000 noisy labels; a 16-8 MLP trained alone mostly does not (the design was chosen for that gap,
 *       see {@code experiments/scripts/market-design.py} and the README).</li>
 * </ul>
 * A latent participation level {@code p} (AR(1), {@code p = 0.9 p + 0.22 e''}) scales the volume only; it carries no
 * signal.
 *
 * <b>Exact odds.</b> Given the generator's state at bar {@code t} (prices so far, participation, and the regime path,
 * which does not depend on prices), the drifts and noises of bars {@code t+1 .. t+h} are fixed for
 * {@code h <= }{@value #LEAD} and the {@code e_j} are independent of them, so the forward log return over {@code h}
 * bars is normal with known mean and variance: {@link SyntheticSeries#classProbabilities} gives the true
 * probabilities of sell/hold/buy, from which the Bayes-optimal accuracy and log-loss follow. A model sees only the
 * features of bar {@code t}, a noisy summary of that state (the drifts come from the states of bars
 * {@code t-5 .. t}), so the optimum is an upper bound it cannot fully reach.
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
    static final double[] SIGMA = {0.0016, 0.0030, 0.0050};
    /** Strength of the regime's response to the 20-bar move: + continuation, - reversal. */
    private static final double[] RESPONSE = {1.0, -1.0, 0.0};
    /** How fast the response to the 20-bar move turns (radians per unit of z20). */
    private static final double FREQUENCY = 1.6;
    /** Strength of the sign-agreement term (all regimes), in units of noise. */
    private static final double AGREEMENT = 0.8;
    /** How sharply {@code tanh(SHARPNESS z)} turns into the sign of a move {@code z}. */
    private static final double SHARPNESS = 3.0;
    private static final double PARTICIPATION_PHI = 0.9;
    private static final double PARTICIPATION_SIGMA = 0.22;
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
                drift[j] = SIGMA[regime[j]] * signal(i, regime[i], logClose);
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
    private static double signal(int k, int regime, double[] logClose) {
        double sigma = SIGMA[regime];
        double z20 = move(logClose, k, 20, sigma);
        return RESPONSE[regime] * StrictMath.sin(FREQUENCY * z20)
                + AGREEMENT * StrictMath.tanh(SHARPNESS * move(logClose, k, 5, sigma))
                        * StrictMath.tanh(SHARPNESS * move(logClose, k, 10, sigma))
                        * StrictMath.tanh(SHARPNESS * z20);
    }

    /** The {@code m}-bar log return at bar {@code k} in units of {@code sigma sqrt(m)} (0 before bar {@code m}). */
    private static double move(double[] logClose, int k, int m, double sigma) {
        return k >= m ? (logClose[k] - logClose[k - m]) / (sigma * StrictMath.sqrt(m)) : 0;
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
