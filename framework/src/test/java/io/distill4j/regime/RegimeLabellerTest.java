package io.distill4j.regime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.KlineSeries;
import io.distill4j.data.DataConfig;
import io.distill4j.data.features.Contiguity;
import io.distill4j.data.features.DatasetPreparer;
import io.distill4j.data.features.PreparedData;
import io.distill4j.data.synthetic.SyntheticConfig;
import io.distill4j.data.synthetic.SyntheticMarket;
import java.util.Arrays;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The regime rules against hand computations, and thresholds fitted on the train split only. */
class RegimeLabellerTest {
    private static final long FIVE_MINUTES = 300_000L;

    /** A series of the given closes, one bar every 5 minutes (open = high = low = close). */
    static KlineSeries closes(double... c) {
        long[] t = new long[c.length];
        for (int i = 0; i < c.length; i++) {
            t[i] = i * FIVE_MINUTES;
        }
        double[] v = new double[c.length];
        Arrays.fill(v, 1);
        double[] nan = new double[c.length];
        Arrays.fill(nan, Double.NaN);
        return new KlineSeries("test", t, c.clone(), c.clone(), c.clone(), c.clone(), v, nan);
    }

    @Test
    void volatilityAndTrendStrengthByHand() {
        // closes 100, 101, 99, 102, 103: returns ln(101/100), ln(99/101), ln(102/99), ln(103/102)
        KlineSeries s = closes(100, 101, 99, 102, 103);
        double[] r = {Math.log(1.01), Math.log(99 / 101.0), Math.log(102 / 99.0), Math.log(103 / 102.0)};
        // window 3 at bar 4: the last three returns
        double mean = (r[1] + r[2] + r[3]) / 3;
        double var = (Math.pow(r[1] - mean, 2) + Math.pow(r[2] - mean, 2) + Math.pow(r[3] - mean, 2)) / 2;
        double vol = Math.sqrt(var);
        double strength = Math.abs(r[1] + r[2] + r[3]) / (vol * Math.sqrt(3));
        double[] m = RegimeLabeller.measures(s, Contiguity.of(s), 4, 3);
        assertEquals(vol, m[0], 1e-15);
        assertEquals(strength, m[1], 1e-12);
        // a window longer than the history uses the 4 returns there are
        double mean4 = (r[0] + r[1] + r[2] + r[3]) / 4;
        double ss = 0;
        for (double x : r) {
            ss += (x - mean4) * (x - mean4);
        }
        double vol4 = Math.sqrt(ss / 3);
        double[] all = RegimeLabeller.measures(s, Contiguity.of(s), 4, 50);
        assertEquals(vol4, all[0], 1e-15);
        assertEquals(Math.abs(Math.log(103 / 100.0)) / (vol4 * 2), all[1], 1e-12);
        // a flat market: no volatility, no trend
        KlineSeries flat = closes(5, 5, 5, 5);
        assertArrayEquals(new double[] {0, 0}, RegimeLabeller.measures(flat, Contiguity.of(flat), 3, 3), 0.0);
        assertThrows(IllegalArgumentException.class, () -> RegimeLabeller.measures(s, Contiguity.of(s), 1, 3));
    }

    @Test
    void rulesInOrderHighVolThenTrendThenMeanReversion() {
        RegimeLabeller l = new RegimeLabeller(new RegimeConfig(20, 0.8, 0.7), 0.01, 1.5);
        assertEquals(MarketRegime.HIGH_VOL, l.regime(0.02, 3)); // high vol wins over a strong trend
        assertEquals(MarketRegime.HIGH_VOL, l.regime(0.011, 0));
        assertEquals(MarketRegime.TREND, l.regime(0.01, 1.6)); // at the vol threshold is not above it
        assertEquals(MarketRegime.MEAN_REVERSION, l.regime(0.005, 1.5));
        assertEquals(MarketRegime.MEAN_REVERSION, l.regime(0, 0));
    }

    @Test
    void thresholdsAreQuantilesOfTheTrainSamples() {
        KlineSeries s = SyntheticMarket.generate(new SyntheticConfig(2000, 3, FIVE_MINUTES)).series();
        int[] train = new int[500];
        for (int k = 0; k < train.length; k++) {
            train[k] = 30 + 2 * k;
        }
        RegimeConfig config = new RegimeConfig(12, 0.75, 0.6);
        RegimeLabeller l = RegimeLabeller.fit(s, train, config);
        // by hand: sort the train measures, the q quantile at position q (n - 1), linear in between
        double[] vol = new double[train.length];
        double[] strength = new double[train.length];
        double[] c = s.close();
        for (int k = 0; k < train.length; k++) {
            int i = train[k];
            double sum = 0;
            for (int j = i - 11; j <= i; j++) {
                sum += Math.log(c[j] / c[j - 1]);
            }
            double mean = sum / 12;
            double ss = 0;
            for (int j = i - 11; j <= i; j++) {
                ss += Math.pow(Math.log(c[j] / c[j - 1]) - mean, 2);
            }
            vol[k] = Math.sqrt(ss / 11);
            strength[k] = Math.abs(sum) / (vol[k] * Math.sqrt(12));
        }
        Arrays.sort(vol);
        Arrays.sort(strength);
        double pv = 0.75 * 499; // 374.25
        double ps = 0.6 * 499; // 299.4
        assertEquals(vol[374] + 0.25 * (vol[375] - vol[374]), l.volThreshold(), 1e-15);
        assertEquals(strength[299] + 0.4 * (strength[300] - strength[299]), l.trendThreshold(), 1e-12);
        assertEquals(374.25, pv, 1e-12);
        assertEquals(299.4, ps, 1e-12);
        // on train, the shares follow the quantiles: 25% high-vol; trend above the 60% strength quantile
        int[] regimes = l.label(s, train);
        long high = Arrays.stream(regimes).filter(r -> r == MarketRegime.HIGH_VOL.ordinal()).count();
        assertEquals(125, high);
        assertTrue(Arrays.stream(regimes).anyMatch(r -> r == MarketRegime.TREND.ordinal()));
        assertTrue(Arrays.stream(regimes).anyMatch(r -> r == MarketRegime.MEAN_REVERSION.ordinal()));
    }

    /** Changing every bar after the train split (validation and test data) leaves the thresholds exactly as they were. */
    @Test
    void thresholdsAreFittedOnTrainOnly() {
        DataConfig config = new DataConfig(new DataConfig.SyntheticSource(5000, 11, "5m"), 16, 6,
                OptionalDouble.empty(), new DataConfig.Split(0.6, 0.2, 0.2, OptionalInt.empty()));
        KlineSeries bars = SyntheticMarket.generate(new SyntheticConfig(5000, 11, FIVE_MINUTES)).series();
        PreparedData original = DatasetPreparer.prepare(bars, config);
        RegimeConfig regimes = new RegimeConfig(20, 0.8, 0.7);
        RegimeLabeller fitted = RegimeLabeller.fit(original.series(), original.train().barIndices(), regimes);
        int[] train = original.train().barIndices();
        int cut = train[train.length - 1] + config.horizon(); // the last bar a train label reads
        PreparedData changed = DatasetPreparer.prepare(noisierAfter(bars, cut, 4), config);
        assertArrayEquals(train, changed.train().barIndices());
        RegimeLabeller refitted = RegimeLabeller.fit(changed.series(), changed.train().barIndices(), regimes);
        assertEquals(fitted.volThreshold(), refitted.volThreshold(), 0.0, "volatility threshold from train only");
        assertEquals(fitted.trendThreshold(), refitted.trendThreshold(), 0.0, "trend threshold from train only");
        // the change is real: the test samples' regimes move (4x noisier: mostly high volatility now)
        int[] before = fitted.label(original.series(), original.test().barIndices());
        int[] after = refitted.label(changed.series(), changed.test().barIndices());
        assertNotEquals(Arrays.toString(before), Arrays.toString(after));
        assertTrue(RegimeMetrics.rows(after, MarketRegime.HIGH_VOL).length > 0.9 * after.length);
        // and a change inside the train split does move them (the check above can fail)
        int inside = train[train.length / 2];
        RegimeLabeller moved = RegimeLabeller.fit(noisierAfter(bars, inside, 4), train, regimes);
        assertNotEquals(fitted.volThreshold(), moved.volThreshold());
    }

    /** The series with every one-bar log return after bar {@code cut} multiplied by {@code factor}. */
    private static KlineSeries noisierAfter(KlineSeries s, int cut, double factor) {
        double[] c = s.close().clone();
        double[] o = s.open().clone();
        double[] h = s.high().clone();
        double[] l = s.low().clone();
        for (int i = cut + 1; i < c.length; i++) {
            double r = Math.log(s.close()[i] / s.close()[i - 1]);
            c[i] = c[i - 1] * Math.exp(factor * r);
            double ratio = c[i] / s.close()[i];
            o[i] *= ratio;
            h[i] = Math.max(h[i] * ratio, c[i]);
            l[i] = Math.min(l[i] * ratio, c[i]);
        }
        return new KlineSeries(s.source(), s.timeMs(), o, h, l, c, s.volume(), s.turnover());
    }

    @Test
    void configRejectsOutOfRangeValues() {
        assertThrows(IllegalArgumentException.class, () -> new RegimeConfig(1, 0.8, 0.7));
        assertThrows(IllegalArgumentException.class, () -> new RegimeConfig(20, 1, 0.7));
        assertThrows(IllegalArgumentException.class, () -> new RegimeConfig(20, 0.8, 0));
    }
}
