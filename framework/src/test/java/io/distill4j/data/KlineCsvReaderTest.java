package io.distill4j.data;

import io.distill4j.api.KlineSeries;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KlineCsvReaderTest {
    private static final String HEADER = "timestamp_ms,open,high,low,close,volume\n";
    private static final String GOOD1 = "1000,10,11,9,10.5,100\n";
    private static final String GOOD2 = "2000,10.5,12,10,11,50\n";

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private void assertFails(String content, String expectedSuffix) throws IOException {
        Path p = write("bad.csv", content);
        DataException e = assertThrows(DataException.class, () -> KlineCsvReader.read(p));
        assertEquals(p + ": " + expectedSuffix, e.getMessage());
    }

    @Test
    void emptyFile() throws IOException {
        Path p = write("empty.csv", "");
        DataException e = assertThrows(DataException.class, () -> KlineCsvReader.read(p));
        assertTrue(e.getMessage().startsWith(p + ": header: file is empty (expected header "
                + "'timestamp_ms,open,high,low,close,volume'"), e.getMessage());
    }

    @Test
    void headerOnly() throws IOException {
        assertFails(HEADER, "row 1: no data rows after the header");
    }

    @Test
    void wrongHeader() throws IOException {
        Path p = write("h.csv", "time,open,high,low,close,volume\n" + GOOD1);
        DataException e = assertThrows(DataException.class, () -> KlineCsvReader.read(p));
        assertTrue(e.getMessage().startsWith(p + ": header: expected header 'timestamp_ms,open,high,low,close,volume'"
                + " or 'timestamp_ms,open,high,low,close,volume,turnover', got 'time,open"), e.getMessage());
    }

    @Test
    void headerWithTooManyColumns() throws IOException {
        Path p = write("h.csv", "timestamp_ms,open,high,low,close,volume,turnover,extra\n" + GOOD1);
        DataException e = assertThrows(DataException.class, () -> KlineCsvReader.read(p));
        assertTrue(e.getMessage().startsWith(p + ": header: expected header"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "missing column   | 2000,10.5,12,10,11              | row 2: missing columns: expected 6 values, got 5",
        "extra column     | 2000,10.5,12,10,11,50,7         | row 2: extra columns: expected 6 values, got 7",
        "non-numeric      | 2000,10.5,abc,10,11,50          | row 2: high: not a number: 'abc' (expected decimal notation such as 101.5, -3 or 1.5e-3)",
        "empty value      | 2000,10.5,12,,11,50             | row 2: low: not a number: '' (expected decimal notation such as 101.5, -3 or 1.5e-3)",
        "NaN              | 2000,10.5,12,10,NaN,50          | row 2: close: NaN or infinite value 'NaN'",
        "infinite         | 2000,10.5,12,10,11,Infinity     | row 2: volume: NaN or infinite value 'Infinity'",
        "bad timestamp    | 2000.5,10.5,12,10,11,50         | row 2: timestamp_ms: expected a non-negative integer, got '2000.5'",
        "duplicate time   | 1000,10.5,12,10,11,50           | row 2: duplicate timestamp 1000 (same as row 1)",
        "unsorted time    | 500,10.5,12,10,11,50            | row 2: unsorted timestamps: 500 is before row 1's 1000 (rows must be in ascending time)",
        "zero price       | 2000,0,12,10,11,50              | row 2: open: price must be positive, got 0",
        "negative price   | 2000,10.5,12,-1,11,50           | row 2: low: price must be positive, got -1",
        "high below body  | 2000,10.5,10.8,10,11,50         | row 2: high 10.8 is below max(open, close) = 11",
        "low above body   | 2000,10.5,12,10.6,11,50         | row 2: low 10.6 is above min(open, close) = 10.5",
        "negative volume  | 2000,10.5,12,10,11,-0.5         | row 2: volume must not be negative, got -0.5",
    })
    void malformedSecondRow(String label, String row, String expected) throws IOException {
        assertFails(HEADER + GOOD1 + row + "\n", expected);
    }

    /** One strict grammar for every numeric column: Java-only numerals are rejected, naming row and column. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "hexadecimal      | 2000,0x1A,12,10,11,50     | open: not a number: '0x1A'",
        "hex float        | 2000,10.5,0x1Ap3,10,11,50 | high: not a number: '0x1Ap3'",
        "double suffix    | 2000,10.5,12,10,11d,50    | close: not a number: '11d'",
        "float suffix     | 2000,10.5,12,10,11,50f    | volume: not a number: '50f'",
        "leading plus     | 2000,10.5,12,+10,11,50    | low: not a number: '+10'",
        "bare fraction    | 2000,10.5,12,10,11,.5     | volume: not a number: '.5'",
        "trailing point   | 2000,10.5,12,10,11.,50    | close: not a number: '11.'",
        "underscore       | 2000,10.5,12,10,11,1_000  | volume: not a number: '1_000'",
        "non-ASCII digits | 2000,10.5,12,10,11,\u0665  | volume: not a number: '\u0665'",
    })
    void javaOnlyNumeralsAreRejected(String label, String row, String expected) throws IOException {
        assertFails(HEADER + GOOD1 + row + "\n",
                "row 2: " + expected + " (expected decimal notation such as 101.5, -3 or 1.5e-3)");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "hexadecimal   | 0x7D0                | ''",
        "plus sign     | +2000                | ''",
        "exponent      | 2e3                  | ''",
        "over 19 digit | 12345678901234567890 | ''",
        "over Long     | 9999999999999999999  | ' (too large)'",
    })
    void timestampMustBeAPlainInteger(String label, String ts, String note) throws IOException {
        assertFails(HEADER + GOOD1 + ts + ",10.5,12,10,11,50\n",
                "row 2: timestamp_ms: expected a non-negative integer, got '" + ts + "'" + note);
    }

    @Test
    void decimalAndScientificNotationAreAccepted() throws IOException {
        Path p = write("sci.csv", HEADER + GOOD1 + "2000,1.05e1,1.2E+1,1e1,11.0,5e-1\n");
        KlineSeries s = KlineCsvReader.read(p).series();
        assertEquals(10.5, s.open()[1]);
        assertEquals(12.0, s.high()[1]);
        assertEquals(10.0, s.low()[1]);
        assertEquals(0.5, s.volume()[1]);
    }

    @Test
    void blankLineInTheMiddle() throws IOException {
        assertFails(HEADER + GOOD1 + "\n" + GOOD2, "row 2: missing columns: expected 6 values, got 1 (blank line)");
    }

    @Test
    void errorInLaterRowNamesThatRow() throws IOException {
        assertFails(HEADER + GOOD1 + GOOD2 + "3000,11,12,10,11,5\n4000,11,12,10,11,x\n",
                "row 4: volume: not a number: 'x'"
                + " (expected decimal notation such as 101.5, -3 or 1.5e-3)");
    }

    @Test
    void negativeTurnover() throws IOException {
        assertFails("timestamp_ms,open,high,low,close,volume,turnover\n1000,10,11,9,10.5,100,-3\n",
                "row 1: turnover must not be negative, got -3");
    }

    @Test
    void happyPathWithGapAndZeroVolume() throws IOException {
        Path p = write("ok.csv", HEADER + GOOD1 + GOOD2 + "3000,11,11,11,11,0\n" + "6000,11,12,10.5,11.5,7\n"
                + "7000,11.5,12,11,11.2,8\n");
        KlineLoad load = KlineCsvReader.read(p);
        KlineSeries s = load.series();
        assertEquals(5, s.size());
        assertEquals(p.toString(), s.source());
        assertEquals(6000L, s.timeMs()[3]);
        assertEquals(11.5, s.close()[3]);
        assertEquals(12.0, s.high()[1]);
        assertEquals(9.0, s.low()[0]);
        assertEquals(100.0, s.volume()[0]);
        assertTrue(Double.isNaN(s.turnover()[0]));
        assertEquals(new DataQualityReport(5, 1000, 1, 2, 3000, 1), load.quality());
    }

    @Test
    void turnoverColumnIsRead() throws IOException {
        Path p = write("t.csv", "timestamp_ms,open,high,low,close,volume,turnover\n1000,10,11,9,10.5,100,1050.25\n");
        KlineLoad load = KlineCsvReader.read(p);
        assertEquals(1050.25, load.series().turnover()[0]);
        assertEquals(new DataQualityReport(1, 0, 0, 0, 0, 0), load.quality());
    }

    @Test
    void missingFile() {
        Path p = dir.resolve("nope.csv");
        DataException e = assertThrows(DataException.class, () -> KlineCsvReader.read(p));
        assertEquals(p + ": file not found", e.getMessage());
    }

    @Test
    void realBybitSample() {
        Path p = SharedData.file("klines/bybit-linear/BTCUSDT-5m-sample.csv");
        KlineLoad load = KlineCsvReader.read(p);
        assertEquals(2000, load.series().size());
        assertEquals(new DataQualityReport(2000, 300_000, 0, 0, 0, 0), load.quality());
        assertEquals(1750875600000L, load.series().timeMs()[0]);
        assertEquals(107301.8, load.series().close()[0]);
    }

    @Test
    void realBinanceHourlyReportsTheOutage() {
        Path p = SharedData.file("klines/binance-spot/BTCUSDT-1h.csv");
        KlineLoad load = KlineCsvReader.read(p);
        DataQualityReport q = load.quality();
        assertEquals(35_842, q.rows());
        assertEquals(3_600_000, q.intervalMs());
        assertEquals(1, q.gaps());
        assertEquals(1, q.missingBars());
        assertEquals(7_200_000, q.largestGapMs());
        assertEquals(1, q.zeroVolumeBars());
        // the zero-volume bar is 2023-03-24 12:00 UTC (data row 10741), kept as it is
        assertEquals(1679659200000L, load.series().timeMs()[10740]);
        assertEquals(0.0, load.series().volume()[10740]);
    }

    @Test
    void readsTheFull5mFileQuickly() {
        Path p = SharedData.file("klines/bybit-linear/BTCUSDT-5m.csv");
        long t0 = System.nanoTime();
        KlineLoad load = KlineCsvReader.read(p);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(25_919, load.series().size());
        System.out.println("KlineCsvReader: read " + load.series().size() + " rows of " + p.getFileName() + " in " + ms
                + " ms");
    }
}
