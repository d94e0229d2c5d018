package io.distill4j.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bar-by-bar backtest of a model's test-split predictions.
 *
 * <p>Sample {@code k} sits at bar {@code i = bars[k]}: its prediction uses bars up to and including {@code i} only
 * (features are computed from closed bars), and its position {@code pos[k]} in {@code [-1, 1]} is held from the close
 * of bar {@code i} to the close of bar {@code i + 1}, earning the next-bar simple return
 * {@code pos[k] (close[i+1] / close[i] - 1)}. Changing the position from the one held before costs
 * {@code (fee + slippage) / 10^4 |pos[k] - held|}. The position is closed (at the same cost) whenever the book cannot
 * carry it on: when bar {@code i + 1} is not the next bar in time (a gap in the data: no return is earned across it),
 * when the next sample is not bar {@code i + 1} (samples dropped near gaps), and after the last sample.
 *
 * <p>Metrics ({@link Result#asMap()} names): {@code total_return} (compounded, {@code prod(1 + pnl) - 1}),
 * {@code annual_return} ({@code (1 + total)^(barsPerYear / n) - 1}), {@code sharpe} (mean / sample std of the per-bar
 * net returns, times {@code sqrt(barsPerYear)}; no risk-free rate), {@code hit_rate} (share of bars with a non-zero
 * position whose net return is positive), {@code turnover} (mean {@code |position change|} per bar, closings
 * included) and {@code max_drawdown} (largest fall of the equity curve from its running peak, as a fraction). A year
 * is 365.25 days (crypto markets trade every day).
 */
public final class Backtest {
    /** Milliseconds in a year of 365.25 days. */
    public static final double YEAR_MS = 365.25 * 24 * 3600 * 1000;

    private Backtest() {
    }

    /** How class probabilities ({@code [sell, hold, buy]}) become a position. */
    public enum Sizing {
        /** The argmax class: sell -1, hold 0, buy +1. */
        CLASS,
        /** The probability margin {@code p(buy) - p(sell)}, in {@code [-1, 1]}. */
        MARGIN;

        /** The position of one sample's probabilities: a function of that sample's row only. */
        public double position(double[] p) {
            if (p.length != 3) {
                throw new IllegalArgumentException("expected [sell, hold, buy] probabilities, got " + p.length);
            }
            return switch (this) {
                case CLASS -> ClassificationMetrics.argmax(p) - 1;
                case MARGIN -> p[2] - p[0];
            };
        }

        /** The positions of every sample. */
        public double[] positions(double[][] probabilities) {
            double[] out = new double[probabilities.length];
            for (int k = 0; k < out.length; k++) {
                out[k] = position(probabilities[k]);
            }
            return out;
        }
    }

    /**
     * The costs of trading.
     *
     * @param feeBps exchange fee per unit of position traded, in basis points
     * @param slippageBps price impact per unit traded, in basis points
     */
    public record Costs(double feeBps, double slippageBps) {
        public Costs {
            if (!(feeBps >= 0) || !(slippageBps >= 0) || Double.isInfinite(feeBps + slippageBps)) {
                throw new IllegalArgumentException("fees and slippage must be finite and >= 0, got " + feeBps + ", "
                        + slippageBps);
            }
        }

        /** The cost per unit of position traded, as a fraction. */
        public double perUnit() {
            return (feeBps + slippageBps) / 10_000;
        }
    }

    /**
     * How a study trades its predictions.
     *
     * @param sizing how probabilities become positions
     * @param costs fees and slippage
     */
    public record Settings(Sizing sizing, Costs costs) {
        /** Argmax positions, 2 bps fee and 1 bp slippage per unit traded. */
        public static final Settings DEFAULT = new Settings(Sizing.CLASS, new Costs(2, 1));

        public Settings {
            java.util.Objects.requireNonNull(sizing, "sizing");
            java.util.Objects.requireNonNull(costs, "costs");
        }

        /** A short description, e.g. {@code class positions, fee 2 bps + slippage 1 bps}. */
        public String describe() {
            return sizing.name().toLowerCase(java.util.Locale.ROOT) + " positions, fee " + costs.feeBps()
                    + " bps + slippage " + costs.slippageBps() + " bps per unit traded";
        }
    }

    /**
     * A backtest's outcome.
     *
     * @param netReturns the net return of each sample's bar
     * @param equity equity after each sample's bar, starting from 1
     */
    public record Result(double totalReturn, double annualReturn, double sharpe, double hitRate, double turnover,
            double maxDrawdown, double[] netReturns, double[] equity) {
        /** The metrics by their names (see {@link Backtest}). */
        public Map<String, Double> asMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("total_return", totalReturn);
            m.put("annual_return", annualReturn);
            m.put("sharpe", sharpe);
            m.put("hit_rate", hitRate);
            m.put("turnover", turnover);
            m.put("max_drawdown", maxDrawdown);
            return m;
        }
    }

    /**
     * Runs the backtest.
     *
     * @param positions position of each sample, in {@code [-1, 1]}
     * @param bars bar index of each sample, increasing
     * @param timeMs open time of every bar of the series
     * @param close close of every bar of the series
     * @param intervalMs the bar interval; consecutive bars further apart are a gap
     */
    public static Result run(double[] positions, int[] bars, long[] timeMs, double[] close, long intervalMs,
            Costs costs) {
        int n = positions.length;
        if (n == 0 || bars.length != n || timeMs.length != close.length || intervalMs <= 0) {
            throw new IllegalArgumentException("need as many bars as positions (> 0), one time per close and a "
                    + "positive interval");
        }
        double unit = costs.perUnit();
        double[] pnl = new double[n];
        double[] equity = new double[n];
        double e = 1;
        double peak = 1;
        double maxDrawdown = 0;
        double traded = 0;
        int active = 0;
        int hits = 0;
        double held = 0;
        for (int k = 0; k < n; k++) {
            int i = bars[k];
            if (k > 0 && i <= bars[k - 1]) {
                throw new IllegalArgumentException("sample bars must increase, got " + bars[k - 1] + " then " + i);
            }
            double pos = positions[k];
            if (!(pos >= -1 && pos <= 1)) {
                throw new IllegalArgumentException("position " + pos + " of sample " + k + " is outside [-1, 1]");
            }
            boolean next = i + 1 < close.length && timeMs[i + 1] - timeMs[i] == intervalMs;
            if (!next) {
                pos = 0; // nothing to hold across a gap or past the end of the data
            }
            double change = Math.abs(pos - held);
            double r = pos == 0 ? 0 : pos * (close[i + 1] / close[i] - 1);
            held = pos;
            boolean carryOn = k + 1 < n && bars[k + 1] == i + 1 && next;
            if (!carryOn) {
                change += Math.abs(held);
                held = 0;
            }
            traded += change;
            r -= unit * change;
            pnl[k] = r;
            if (pos != 0) {
                active++;
                if (r > 0) {
                    hits++;
                }
            }
            e *= 1 + r;
            equity[k] = e;
            peak = Math.max(peak, e);
            maxDrawdown = Math.max(maxDrawdown, 1 - e / peak);
        }
        double barsPerYear = YEAR_MS / intervalMs;
        double total = e - 1;
        double mean = 0;
        for (double r : pnl) {
            mean += r / n;
        }
        double ss = 0;
        for (double r : pnl) {
            ss += (r - mean) * (r - mean);
        }
        double sd = n > 1 ? Math.sqrt(ss / (n - 1)) : Double.NaN;
        double sharpe = sd > 0 ? mean / sd * Math.sqrt(barsPerYear) : Double.NaN;
        double annual = e > 0 ? Math.pow(e, barsPerYear / n) - 1 : -1;
        return new Result(total, annual, sharpe, active == 0 ? Double.NaN : (double) hits / active, traded / n,
                maxDrawdown, pnl, equity);
    }
}
