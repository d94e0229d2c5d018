package io.distill4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.data.features.DatasetPreparer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Valid CSV that is wrong data: seconds, a changing or odd interval, a constant price. */
class KlineChecksTest {
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    /** A kline file: one bar per {@code [time, close]}, other columns derived from the close. */
    private Path write(String name, List<long[]> bars) throws IOException {
        StringBuilder b = new StringBuilder("timestamp_ms,open,high,low,close,volume\n");
        for (long[] bar : bars) {
            double close = bar[1] / 100.0;
            b.append(bar[0]).append(',').append(close).append(',').append(close + 1).append(',').append(close - 1)
                    .append(',').append(close).append(",5\n");
        }
        Path p = dir.resolve(name);
        Files.writeString(p, b.toString());
        return p;
    }

    /** {@code n} bars from {@code start}, {@code step} ms apart, with a zig-zag close. */
    private static List<long[]> bars(long start, long step, int n, int from) {
        List<long[]> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new long[] {start + i * step, 10_000 + ((from + i) % 7) * 10});
        }
        return out;
    }

    private String failure(Path p) {
        return assertThrows(DataException.class, () -> KlineChecks.check(KlineCsvReader.read(p))).getMessage();
    }

    @Test
    void secondsInsteadOfMillisecondsIsAnError() throws IOException {
        Path p = write("s.csv", bars(1_700_000_000L, 300, 50, 0));
        assertEquals(p + ": row 1: timestamp_ms 1700000000 is 1970-01-20T16:13:20Z read as milliseconds: the "
                + "timestamps look like seconds (expected Unix milliseconds, e.g. 1700000000000; multiply by 1000)",
                failure(p));
    }

    @Test
    void shorterBarsAfterLongerOnesAreAnError() throws IOException {
        List<long[]> b = new java.util.ArrayList<>(bars(T0, 60_000, 100, 0));
        b.addAll(bars(T0 + 100 * 60_000, 300_000, 120, 100)); // 5m bars are now the most common step
        Path p = write("m.csv", b);
        assertEquals(p + ": row 2: the bar interval changes: 1m after row 1, shorter than the file's interval 5m "
                + "(expected one interval per file)", failure(p));
    }

    @Test
    void aRunOfLongerStepsIsAnErrorButOneLongStepIsAGap() throws IOException {
        List<long[]> b = new java.util.ArrayList<>(bars(T0, 60_000, 200, 0));
        b.addAll(bars(T0 + 199 * 60_000 + 300_000, 300_000, 30, 200));
        Path p = write("m5.csv", b);
        assertEquals(p + ": rows 200..210: the bar interval changes: 10 consecutive steps of 5m where the file's "
                + "interval is 1m (expected one interval per file; a gap is one long step, not a run of them)",
                failure(p));

        List<long[]> gapped = new java.util.ArrayList<>(bars(T0, 60_000, 100, 0));
        gapped.addAll(bars(T0 + 99 * 60_000 + 3_600_000, 60_000, 100, 100));
        DataQualityReport q = KlineChecks.check(KlineCsvReader.read(write("g.csv", gapped)));
        assertEquals(new DataQualityReport(200, 60_000, 1, 59, 3_600_000, 0), q);
        assertEquals("200 bars of 1m: 1 gap (59 missing bars, largest 1h), 0 zero-volume bars", q.describe());
    }

    @Test
    void anIntervalOfNoWholeMinutesIsAnError() throws IOException {
        Path p = write("odd.csv", bars(T0, 300_001, 50, 0));
        assertEquals(p + ": bar interval 300001 ms (the most common step) is not a whole number of minutes; "
                + "expected one of 1m,3m,5m,15m,30m,1h,2h,4h,6h,12h,1d,1w", failure(p));
    }

    @Test
    void aNonExchangeIntervalOfWholeMinutesIsAWarning() throws IOException {
        DataQualityReport q = KlineChecks.check(KlineCsvReader.read(write("10m.csv", bars(T0, 600_000, 50, 0))));
        assertEquals(List.of("bar interval 10m is not an exchange interval (1m,3m,5m,15m,30m,1h,2h,4h,6h,12h,1d,1w)"),
                q.warnings());
        assertTrue(q.describe().endsWith("0 zero-volume bars; warning: bar interval 10m is not an exchange interval "
                + "(1m,3m,5m,15m,30m,1h,2h,4h,6h,12h,1d,1w)"), q.describe());
    }

    @Test
    void aConstantPriceIsAnError() throws IOException {
        List<long[]> b = bars(T0, 300_000, 50, 0);
        b.forEach(bar -> bar[1] = 10_050);
        Path p = write("flat.csv", b);
        assertEquals(p + ": close is 100.5 on all 50 rows: a constant price has no up or down moves to learn "
                + "(expected a moving price)", failure(p));
    }

    @Test
    void theDataPipelineRunsTheChecks() throws IOException {
        Path p = write("s.csv", bars(1_700_000_000L, 300, 3000, 0));
        DataConfig config = new DataConfig(new DataConfig.CsvSource(p), 16, 6, OptionalDouble.empty(),
                new DataConfig.Split(0.6, 0.2, 0.2, OptionalInt.empty()));
        DataException e = assertThrows(DataException.class, () -> DatasetPreparer.prepare(config));
        assertTrue(e.getMessage().startsWith(p.toAbsolutePath() + ": row 1: timestamp_ms 1700000000 is 1970"),
                e.getMessage());
    }

    @Test
    void realDataPassesWithoutWarnings() {
        KlineLoad load = KlineCsvReader.read(SharedData.file("klines/bybit-linear/BTCUSDT-5m-sample.csv"));
        assertEquals(load.quality(), KlineChecks.check(load));
        assertEquals("2000 bars of 5m: 0 gaps, 0 zero-volume bars", load.quality().describe());
    }
}
