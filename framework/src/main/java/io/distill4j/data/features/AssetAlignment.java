package io.distill4j.data.features;

import io.distill4j.api.KlineSeries;
import io.distill4j.runtime.FeatureSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Other assets' bars aligned on a series' open times, as a declared feature set reads them
 * ({@link FeatureSet#inputs}): for every bar of the series, each asset's open, high, low, close and volume of the bar
 * with the same open time, or {@code NaN} when that asset has none (a gap in its file, or a time outside it). Nothing
 * is filled or interpolated: a missing bar ends that asset's run, as a gap does.
 *
 * @param inputs {@code [5 * assets][bars]}: per asset its open, high, low, close, volume rows
 * @param missing per asset, the bars of the series that asset has no bar for
 * @param report one line: per asset the bars matched and missing
 */
public record AssetAlignment(double[][] inputs, int[] missing, String report) {
    /** Aligns {@code others} (named {@code names}) on the open times of {@code series}. */
    public static AssetAlignment of(KlineSeries series, List<String> names, List<KlineSeries> others) {
        int n = series.size();
        long[] t = series.timeMs();
        double[][] inputs = new double[5 * others.size()][n];
        int[] missing = new int[others.size()];
        List<String> parts = new ArrayList<>();
        for (int a = 0; a < others.size(); a++) {
            KlineSeries o = others.get(a);
            double[][] src = {o.open(), o.high(), o.low(), o.close(), o.volume()};
            long[] ot = o.timeMs();
            int j = 0;
            for (int i = 0; i < n; i++) {
                while (j < ot.length && ot[j] < t[i]) {
                    j++;
                }
                boolean found = j < ot.length && ot[j] == t[i];
                missing[a] += found ? 0 : 1;
                for (int f = 0; f < 5; f++) {
                    inputs[5 * a + f][i] = found ? src[f][j] : Double.NaN;
                }
            }
            parts.add(String.format(Locale.ROOT, "%s %d matched, %d missing", names.get(a), n - missing[a],
                    missing[a]));
        }
        return new AssetAlignment(inputs, missing, "assets aligned on the " + n + " bars of " + series.source() + ": "
                + String.join(", ", parts) + " (a missing bar ends that asset's run)");
    }
}
