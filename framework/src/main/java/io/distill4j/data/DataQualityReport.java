package io.distill4j.data;

import io.distill4j.api.KlineSeries;
import io.distill4j.data.BybitInterval;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a loader found in a kline series besides errors: its size, spacing, gaps, zero-volume bars and warnings.
 *
 * <p>A gap is a step between consecutive bars larger than {@code intervalMs}; gaps are kept, never filled.
 *
 * @param rows number of bars
 * @param intervalMs the most common spacing between bars (see {@link KlineSeries#intervalMs()})
 * @param gaps number of steps larger than the interval
 * @param missingBars bars absent inside those gaps (a step of {@code k} intervals misses {@code k - 1} bars; a step
 *     that is not a multiple of the interval counts the whole intervals it spans, rounded down, minus one)
 * @param largestGapMs the largest step between consecutive bars that exceeds the interval, 0 when there is no gap
 * @param zeroVolumeBars bars whose volume is exactly 0 (kept)
 * @param warnings things a user may mean but should know about (see {@link KlineChecks}); empty for most data
 */
public record DataQualityReport(int rows, long intervalMs, int gaps, long missingBars, long largestGapMs,
        int zeroVolumeBars, List<String> warnings) {

    public DataQualityReport {
        warnings = List.copyOf(Objects.requireNonNull(warnings, "warnings"));
    }

    /** A report without warnings. */
    public DataQualityReport(int rows, long intervalMs, int gaps, long missingBars, long largestGapMs,
            int zeroVolumeBars) {
        this(rows, intervalMs, gaps, missingBars, largestGapMs, zeroVolumeBars, List.of());
    }

    /** Measures {@code series}. */
    public static DataQualityReport of(KlineSeries series) {
        long interval = series.intervalMs();
        long[] t = series.timeMs();
        int gaps = 0;
        long missing = 0;
        long largest = 0;
        for (int i = 1; i < t.length; i++) {
            long step = t[i] - t[i - 1];
            if (step > interval) {
                gaps++;
                missing += Math.max(0, step / interval - 1);
                largest = Math.max(largest, step);
            }
        }
        int zero = 0;
        for (double v : series.volume()) {
            if (v == 0.0) {
                zero++;
            }
        }
        return new DataQualityReport(series.size(), interval, gaps, missing, largest, zero);
    }

    /** This report with {@code warning} added. */
    public DataQualityReport withWarning(String warning) {
        List<String> w = new ArrayList<>(warnings);
        w.add(warning);
        return new DataQualityReport(rows, intervalMs, gaps, missingBars, largestGapMs, zeroVolumeBars, w);
    }

    /**
     * One line for the console and the summary, e.g. {@code 2000 bars of 5m: 2 gaps (3 missing bars, largest 20m),
     * 1 zero-volume bar}, followed by {@code ; warning: ...} for each warning.
     */
    public String describe() {
        StringBuilder b = new StringBuilder().append(rows).append(rows == 1 ? " bar" : " bars");
        if (rows > 1) {
            b.append(" of ").append(duration(intervalMs));
        }
        b.append(": ").append(gaps).append(gaps == 1 ? " gap" : " gaps");
        if (gaps > 0) {
            b.append(" (").append(missingBars).append(missingBars == 1 ? " missing bar" : " missing bars")
                    .append(", largest ").append(duration(largestGapMs)).append(')');
        }
        b.append(", ").append(zeroVolumeBars).append(zeroVolumeBars == 1 ? " zero-volume bar" : " zero-volume bars");
        warnings.forEach(w -> b.append("; warning: ").append(w));
        return b.toString();
    }

    /**
     * A span in the project's interval notation: an exchange interval's name ({@code 5m}, {@code 1w}), else days,
     * hours, minutes and seconds ({@code 1d 2h 5m}), else plain milliseconds ({@code 300001 ms}).
     */
    public static String duration(long ms) {
        var known = BybitInterval.ofMillis(ms);
        if (known.isPresent()) {
            return known.get().shortName();
        }
        if (ms <= 0 || ms % 1000 != 0) {
            return ms + " ms";
        }
        long[] units = {86_400_000L, 3_600_000L, 60_000L, 1000L};
        String[] names = {"d", "h", "m", "s"};
        List<String> parts = new ArrayList<>();
        long rest = ms;
        for (int k = 0; k < units.length; k++) {
            if (rest >= units[k]) {
                parts.add(rest / units[k] + names[k]);
                rest %= units[k];
            }
        }
        return String.join(" ", parts);
    }
}
