package io.distill4j.strategy;

import io.distill4j.data.DataException;
import io.distill4j.api.KlineSeries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Positions of a strategy, one per bar: {@code -1} short, {@code 0} flat, {@code +1} long. A position is decided at
 * the close of its bar from that bar and earlier ones only (causal).
 */
public final class Positions {
    private Positions() {
    }

    /**
     * A moving-average crossover with a volatility filter: long when {@code SMA_fast > SMA_slow * (1 + band)},
     * short when {@code SMA_fast < SMA_slow * (1 - band)}, flat otherwise, and flat whenever the realised volatility
     * (sample std of the last {@code volWindow} 1-bar log returns) is above {@code maxVolatility}. Bars before the
     * slow average and the volatility window are complete are flat. Gaps in the series are not bridged specially:
     * the rule runs over the bars as they are, like a live strategy would.
     */
    public static int[] movingAverageCrossover(KlineSeries bars, int fast, int slow, double band, int volWindow,
            double maxVolatility) {
        double[] vol = realisedVolatility(bars, volWindow);
        double[] close = bars.close();
        int n = close.length;
        double[] prefix = new double[n + 1];
        for (int i = 0; i < n; i++) {
            prefix[i + 1] = prefix[i] + close[i];
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            if (i + 1 < slow || Double.isNaN(vol[i]) || vol[i] > maxVolatility) {
                continue;
            }
            double smaFast = (prefix[i + 1] - prefix[i + 1 - fast]) / fast;
            double smaSlow = (prefix[i + 1] - prefix[i + 1 - slow]) / slow;
            if (smaFast > smaSlow * (1 + band)) {
                out[i] = 1;
            } else if (smaFast < smaSlow * (1 - band)) {
                out[i] = -1;
            }
        }
        return out;
    }

    /** Sample std of the last {@code window} 1-bar log returns ending at each bar; NaN before enough bars. */
    public static double[] realisedVolatility(KlineSeries bars, int window) {
        double[] close = bars.close();
        int n = close.length;
        double[] out = new double[n];
        Arrays.fill(out, Double.NaN);
        double[] r = new double[n];
        for (int i = 1; i < n; i++) {
            r[i] = Math.log(close[i] / close[i - 1]);
        }
        for (int i = window; i < n; i++) {
            double sum = 0;
            for (int k = i - window + 1; k <= i; k++) {
                sum += r[k];
            }
            double mean = sum / window;
            double ss = 0;
            for (int k = i - window + 1; k <= i; k++) {
                ss += (r[k] - mean) * (r[k] - mean);
            }
            out[i] = Math.sqrt(ss / (window - 1));
        }
        return out;
    }

    /**
     * Positions from a CSV {@code timestamp_ms,position} (header required, ascending timestamps, positions -1, 0
     * or 1). A position holds from its timestamp until the next row (a step function, as strategies report position
     * changes); bars before the first row are flat.
     */
    public static int[] fromCsv(Path file, KlineSeries bars) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read the positions file (" + e.getMessage() + ")", e);
        }
        if (lines.isEmpty() || !lines.get(0).trim().equals("timestamp_ms,position")) {
            throw new DataException(file + ": header: expected 'timestamp_ms,position'");
        }
        int rows = lines.size() - 1;
        long[] times = new long[rows];
        int[] positions = new int[rows];
        for (int r = 0; r < rows; r++) {
            String[] cells = lines.get(r + 1).trim().split(",", -1);
            if (cells.length != 2) {
                throw new DataException(file + ": row " + (r + 1) + ": expected 2 columns, got " + cells.length);
            }
            try {
                times[r] = Long.parseLong(cells[0].trim());
                positions[r] = Integer.parseInt(cells[1].trim());
            } catch (NumberFormatException e) {
                throw new DataException(file + ": row " + (r + 1) + ": expected an integer timestamp and a position "
                        + "of -1, 0 or 1, got '" + lines.get(r + 1).trim() + "'");
            }
            if (positions[r] < -1 || positions[r] > 1) {
                throw new DataException(file + ": row " + (r + 1) + ": position must be -1, 0 or 1, got "
                        + positions[r]);
            }
            if (r > 0 && times[r] <= times[r - 1]) {
                throw new DataException(file + ": row " + (r + 1) + ": timestamps must be strictly ascending ("
                        + times[r] + " after " + times[r - 1] + ")");
            }
        }
        if (rows == 0) {
            throw new DataException(file + ": no positions (only a header)");
        }
        int[] out = new int[bars.size()];
        int row = -1;
        for (int i = 0; i < bars.size(); i++) {
            while (row + 1 < rows && times[row + 1] <= bars.timeMs()[i]) {
                row++;
            }
            out[i] = row < 0 ? 0 : positions[row];
        }
        return out;
    }
}
