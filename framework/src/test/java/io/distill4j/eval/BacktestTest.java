package io.distill4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.distill4j.api.KlineSeries;
import io.distill4j.data.features.FeatureEngineer;
import io.distill4j.data.synthetic.SyntheticConfig;
import io.distill4j.data.synthetic.SyntheticMarket;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BacktestTest {
    /** Bars at t = 0, 1, 2, 3, then a gap (t = 4 is missing), then t = 5, 6. */
    private static final long[] TIME = {0, 1, 2, 3, 5, 6};
    private static final double[] CLOSE = {100, 110, 99, 99, 120, 126};

    @Test
    void handComputedFeesSlippageAndGap() {
        double[] positions = {1, -1, 0.5, 1, 1};
        int[] bars = {0, 1, 2, 3, 4};
        var r = Backtest.run(positions, bars, TIME, CLOSE, 1, new Backtest.Costs(10, 5));
        // cost per unit traded: 15 bps = 0.0015
        double[] pnl = {
            0.10 - 0.0015 * 1,     // bar 0: long from flat (+1 traded), 100 -> 110
            0.10 - 0.0015 * 2,     // bar 1: long -> short (2 traded), 110 -> 99 is -10%, short earns +10%
            0.00 - 0.0015 * 1.5,   // bar 2: short -> +0.5 (1.5 traded), 99 -> 99
            0.00 - 0.0015 * 0.5,   // bar 3: the next bar is after a gap: the +1 is not taken, the 0.5 is closed
            0.05 - 0.0015 * 2,     // bar 4: flat -> long (1), 120 -> 126, closed after the last sample (1)
        };
        assertArrayEquals(pnl, r.netReturns(), 1e-12);
        double e = 1;
        double[] equity = new double[5];
        for (int k = 0; k < 5; k++) {
            e *= 1 + pnl[k];
            equity[k] = e;
        }
        assertArrayEquals(equity, r.equity(), 1e-12);
        assertEquals(1.0985 * 1.097 * 0.99775 * 0.99925 * 1.047 - 1, r.totalReturn(), 1e-12);
        assertEquals(7.0 / 5, r.turnover(), 1e-12);          // 1 + 2 + 1.5 + 0.5 + 2 traded over 5 bars
        assertEquals(3.0 / 4, r.hitRate(), 1e-12);           // 4 bars in the market, 3 of them positive
        assertEquals(1 - 0.99775 * 0.99925, r.maxDrawdown(), 1e-12); // peak after bar 1, trough after bar 3
        double mean = (0.0985 + 0.097 - 0.00225 - 0.00075 + 0.047) / 5;
        double ss = 0;
        for (double p : pnl) {
            ss += (p - mean) * (p - mean);
        }
        double barsPerYear = 365.25 * 24 * 3600 * 1000; // interval 1 ms
        assertEquals(mean / Math.sqrt(ss / 4) * Math.sqrt(barsPerYear), r.sharpe(), 1e-9 * Math.abs(r.sharpe()));
        assertEquals(Math.pow(1 + r.totalReturn(), barsPerYear / 5) - 1, r.annualReturn(), 1e-12);
    }

    @Test
    void withoutCostsAndGapsBuyAndHoldEarnsThePriceMove() {
        long[] time = {0, 60_000, 120_000, 180_000};
        double[] close = {100, 101, 99, 102};
        var r = Backtest.run(new double[] {1, 1, 1}, new int[] {0, 1, 2}, time, close, 60_000,
                new Backtest.Costs(0, 0));
        assertEquals(102.0 / 100 - 1, r.totalReturn(), 1e-12);
        assertEquals(1.0 * 2 / 3, r.turnover(), 1e-12); // bought once, sold once
    }

    @Test
    void skippedSampleBarsCloseThePosition() {
        // samples at bars 0 and 2: the long of bar 0 is closed after one bar, bar 1 is not held
        var r = Backtest.run(new double[] {1, 1}, new int[] {0, 2}, TIME, CLOSE, 1, new Backtest.Costs(0, 10));
        assertArrayEquals(new double[] {0.10 - 0.002, 0.0 - 0.002}, r.netReturns(), 1e-12);
    }

    @Test
    void sizingByClassOrByMargin() {
        double[][] p = {{0.6, 0.3, 0.1}, {0.2, 0.5, 0.3}, {0.1, 0.2, 0.7}};
        assertArrayEquals(new double[] {-1, 0, 1}, Backtest.Sizing.CLASS.positions(p), 0);
        assertArrayEquals(new double[] {0.1 - 0.6, 0.3 - 0.2, 0.7 - 0.1}, Backtest.Sizing.MARGIN.positions(p), 1e-15);
    }

    @Test
    void rejectsBadInput() {
        var costs = new Backtest.Costs(1, 1);
        assertThrows(IllegalArgumentException.class, () -> Backtest.run(new double[] {2}, new int[] {0}, TIME, CLOSE,
                1, costs));
        assertThrows(IllegalArgumentException.class, () -> Backtest.run(new double[] {1, 1}, new int[] {1, 1}, TIME,
                CLOSE, 1, costs));
        assertThrows(IllegalArgumentException.class, () -> new Backtest.Costs(-1, 0));
    }

    /**
     * No look-ahead: the features, a fixed model of them and the position at bar t use bars up to t only, so changing
     * every bar after t leaves the positions up to t, and the net returns before t, unchanged.
     */
    @Test
    void perturbingBarsAfterTNeverChangesThePositionAtT() {
        KlineSeries s = SyntheticMarket.generate(new SyntheticConfig(400, 3, 60_000)).series();
        int t = 250;
        double[] close = s.close().clone();
        double[] high = s.high().clone();
        double[] low = s.low().clone();
        double[] volume = s.volume().clone();
        for (int i = t + 1; i < close.length; i++) {
            double f = 1 + 0.05 * Math.sin(i);
            close[i] *= f;
            high[i] *= f * 1.01;
            low[i] *= f;
            volume[i] *= 3;
        }
        KlineSeries changed = new KlineSeries(s.source(), s.timeMs(), s.open(), high, low, close, volume,
                s.turnover());
        int[] bars = new int[close.length - 1 - 40];
        for (int k = 0; k < bars.length; k++) {
            bars[k] = 40 + k;
        }
        double[] a = positions(s, bars);
        double[] b = positions(changed, bars);
        int atT = t - 40;
        assertArrayEquals(Arrays.copyOf(a, atT + 1), Arrays.copyOf(b, atT + 1), 0);
        assertNotEquals(a[atT + 2], b[atT + 2]); // the perturbation reaches the model after t
        var costs = new Backtest.Costs(4, 2);
        var ra = Backtest.run(a, bars, s.timeMs(), s.close(), 60_000, costs);
        var rb = Backtest.run(b, bars, changed.timeMs(), changed.close(), 60_000, costs);
        assertArrayEquals(Arrays.copyOf(ra.netReturns(), atT), Arrays.copyOf(rb.netReturns(), atT), 0);
    }

    /** A fixed softmax-linear model of each bar's feature row, sized by margin. */
    private static double[] positions(KlineSeries s, int[] bars) {
        double[][] rows = FeatureEngineer.compute(s);
        double[][] p = new double[bars.length][];
        for (int k = 0; k < bars.length; k++) {
            double[] x = rows[bars[k]];
            double z = 0;
            for (int j = 0; j < x.length; j++) {
                z += (j % 3 - 1) * x[j] * (j < 5 ? 100 : 1);
            }
            double[] logits = {-z, 0, z};
            p[k] = io.distill4j.loss.Softmax.probabilities(logits);
        }
        return Backtest.Sizing.MARGIN.positions(p);
    }
}
