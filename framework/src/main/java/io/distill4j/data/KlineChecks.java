package io.distill4j.data;

import io.distill4j.api.KlineSeries;

import io.distill4j.data.BybitInterval;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * Whether a well-formed kline series (see {@link KlineCsvReader}) is plausible market data. Run by the data pipeline
 * on every kline file a study reads (training and {@code --dry-run}), after the row checks.
 *
 * <p>Errors ({@link DataException} naming the source and the rows):
 * <ul>
 *   <li>timestamps in seconds: a first timestamp before {@link #EARLIEST_MS} (1973-03-03 read as milliseconds);</li>
 *   <li>an interval that changes part-way: a step shorter than the file's interval (its most common step), or
 *       {@link #SPACING_RUN} consecutive equal steps of another length (an outage is one long step, not a run);</li>
 *   <li>an interval that is not a whole number of minutes (e.g. 300001 ms);</li>
 *   <li>a constant price (the same close on every row: one label class, so students would score accuracy 1.0).</li>
 * </ul>
 * Warning (recorded in the {@link DataQualityReport}, since a user may mean it): a whole-minute interval that is not
 * an exchange interval ({@link BybitInterval}, {@code 1m ... 1w}), e.g. bars resampled to 10m.
 */
public final class KlineChecks {
    /** 1973-03-03T09:46:40Z in milliseconds; an earlier first timestamp is taken for one in seconds. */
    public static final long EARLIEST_MS = 100_000_000_000L;
    /** This many consecutive equal steps other than the interval mean the interval changed part-way. */
    public static final int SPACING_RUN = 10;

    private KlineChecks() {
    }

    /** Checks {@code load}; returns its quality report with any warnings added. */
    public static DataQualityReport check(KlineLoad load) {
        KlineSeries s = load.series();
        DataQualityReport quality = load.quality();
        String at = s.source() + ": ";
        long[] t = s.timeMs();
        if (t[0] < EARLIEST_MS) {
            throw new DataException(at + "row 1: timestamp_ms " + t[0] + " is " + Instant.ofEpochMilli(t[0])
                    + " read as milliseconds: the timestamps look like seconds (expected Unix milliseconds, e.g. "
                    + "1700000000000; multiply by 1000)");
        }
        if (t.length < 2) {
            return quality;
        }
        long interval = quality.intervalMs();
        String names = String.join(",", BybitInterval.shortNames());
        int run = 0;
        for (int i = 1; i < t.length; i++) {
            long step = t[i] - t[i - 1];
            run = i > 1 && step == t[i - 1] - t[i - 2] ? run + 1 : 1;
            if (step < interval) {
                throw new DataException(at + "row " + (i + 1) + ": the bar interval changes: "
                        + DataQualityReport.duration(step) + " after row " + i + ", shorter than the file's interval "
                        + DataQualityReport.duration(interval) + " (expected one interval per file)");
            }
            if (step != interval && run >= SPACING_RUN) {
                throw new DataException(at + "rows " + (i + 1 - run) + ".." + (i + 1) + ": the bar interval changes: "
                        + run + " consecutive steps of " + DataQualityReport.duration(step) + " where the file's "
                        + "interval is " + DataQualityReport.duration(interval)
                        + " (expected one interval per file; a gap is one long step, not a run of them)");
            }
        }
        if (interval % 60_000 != 0) {
            throw new DataException(at + "bar interval " + interval + " ms (the most common step) is not a whole "
                    + "number of minutes; expected one of " + names);
        }
        double first = s.close()[0];
        boolean constant = true;
        for (double c : s.close()) {
            constant &= c == first;
        }
        if (constant) {
            throw new DataException(at + "close is " + BigDecimal.valueOf(first).stripTrailingZeros().toPlainString()
                    + " on all " + t.length + " rows: a constant price has no up or down moves to learn "
                    + "(expected a moving price)");
        }
        if (BybitInterval.ofMillis(interval).isEmpty()) {
            quality = quality.withWarning("bar interval " + DataQualityReport.duration(interval)
                    + " is not an exchange interval (" + names + ")");
        }
        return quality;
    }
}
