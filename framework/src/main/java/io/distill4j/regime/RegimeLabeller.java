package io.distill4j.regime;

import io.distill4j.api.KlineSeries;
import io.distill4j.data.features.Contiguity;
import io.distill4j.data.features.FeatureEngineer;
import io.distill4j.eval.Stats;
import java.util.Arrays;

/**
 * Gives every sample a {@link MarketRegime} from the bars up to and including its own bar (past-only, like the
 * features), with two thresholds fitted on the <b>train split only</b>.
 *
 * <p>For the sample at bar {@code i}, with {@code c} the closes, take the {@code n = min(window, i - s)} one-bar log
 * returns {@code r_j = ln(c[j] / c[j-1])}, {@code j = i-n+1 .. i}, where {@code s} is the first bar of the contiguous
 * run holding {@code i} (nothing bridges a gap in the bars; a sample always has at least the features' 20 bars of
 * history, so {@code n >= min(window, 20)}):
 * <ul>
 *   <li><b>volatility</b> {@code vol_i}: the sample standard deviation (divisor {@code n - 1}) of the {@code r_j};</li>
 *   <li><b>trend strength</b> {@code s_i = |sum_j r_j| / (vol_i sqrt(n))}: the size of the net move over the window
 *       in units of its own noise (0 when {@code vol_i = 0}); about {@code |N(0, 1)|} for a driftless random walk.</li>
 * </ul>
 * Thresholds: {@code V} = the {@code vol_quantile} quantile of {@code vol} over the train samples, {@code S} = the
 * {@code trend_quantile} quantile of {@code s} over the train samples (both linear between order statistics,
 * {@link Stats#quantile}). Rules, in order: {@link MarketRegime#HIGH_VOL} if {@code vol_i > V}; else
 * {@link MarketRegime#TREND} if {@code s_i > S}; else {@link MarketRegime#MEAN_REVERSION}. The fit reads no bar after
 * the last train sample's, so validation and test data cannot move the thresholds.
 */
public final class RegimeLabeller {
    private final RegimeConfig config;
    private final double volThreshold;
    private final double trendThreshold;

    /** A labeller with given thresholds (e.g. fitted by {@link #fit}). */
    public RegimeLabeller(RegimeConfig config, double volThreshold, double trendThreshold) {
        this.config = config;
        this.volThreshold = volThreshold;
        this.trendThreshold = trendThreshold;
    }

    /** Fits the two thresholds on the samples at {@code trainBars} (the train split's bars) of {@code series}. */
    public static RegimeLabeller fit(KlineSeries series, int[] trainBars, RegimeConfig config) {
        if (trainBars.length == 0) {
            throw new IllegalArgumentException("need train samples to fit regime thresholds");
        }
        Contiguity runs = Contiguity.of(series);
        double[] vol = new double[trainBars.length];
        double[] strength = new double[trainBars.length];
        for (int k = 0; k < trainBars.length; k++) {
            double[] m = measures(series, runs, trainBars[k], config.window());
            vol[k] = m[0];
            strength[k] = m[1];
        }
        Arrays.sort(vol);
        Arrays.sort(strength);
        return new RegimeLabeller(config, Stats.quantile(vol, config.volQuantile()),
                Stats.quantile(strength, config.trendQuantile()));
    }

    /**
     * {@code {vol_i, s_i}} of the sample at bar {@code i} (see the class comment).
     *
     * @throws IllegalArgumentException when fewer than 2 returns of the bar's run end at it
     */
    public static double[] measures(KlineSeries series, Contiguity runs, int i, int window) {
        int n = Math.min(window, i - runs.runStart(i));
        if (n < 2) {
            throw new IllegalArgumentException("bar " + i + " has " + n + " return(s) of history in its run; a regime"
                    + " needs at least 2");
        }
        double[] c = series.close();
        double vol = FeatureEngineer.realisedVol(c, i, n);
        double net = Math.log(c[i] / c[i - n]); // the sum of the n one-bar log returns
        double strength = vol > 0 ? Math.abs(net) / (vol * Math.sqrt(n)) : 0;
        return new double[] {vol, strength};
    }

    /** The regime of one sample from its two measures. */
    public MarketRegime regime(double vol, double strength) {
        if (vol > volThreshold) {
            return MarketRegime.HIGH_VOL;
        }
        return strength > trendThreshold ? MarketRegime.TREND : MarketRegime.MEAN_REVERSION;
    }

    /** The regime of the sample at every bar of {@code bars}, as {@link MarketRegime#ordinal()}s. */
    public int[] label(KlineSeries series, int[] bars) {
        Contiguity runs = Contiguity.of(series);
        int[] out = new int[bars.length];
        for (int k = 0; k < bars.length; k++) {
            double[] m = measures(series, runs, bars[k], config.window());
            out[k] = regime(m[0], m[1]).ordinal();
        }
        return out;
    }

    /** The volatility threshold {@code V}, fitted on train. */
    public double volThreshold() {
        return volThreshold;
    }

    /** The trend-strength threshold {@code S}, fitted on train. */
    public double trendThreshold() {
        return trendThreshold;
    }

    public RegimeConfig config() {
        return config;
    }
}
