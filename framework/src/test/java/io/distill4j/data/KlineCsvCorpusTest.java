package io.distill4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.distill4j.data.features.DatasetPreparer;
import io.distill4j.experiment.Study;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The corpus of malformed kline CSV files under {@code src/test/resources/klines/invalid}: each must fail with
 * exactly the expected one-line message naming the file and the row (or the header), both when read directly and
 * when a study with {@code data.source.type: csv} points at it. Gaps, a UTF-8 byte-order mark and CRLF line endings
 * are accepted ({@code klines/valid}).
 */
public class KlineCsvCorpusTest {
    public static final Path INVALID = Path.of("src/test/resources/klines/invalid");
    public static final Path VALID = Path.of("src/test/resources/klines/valid");
    private static final String HEADERS = "expected header 'timestamp_ms,open,high,low,close,volume' or "
            + "'timestamp_ms,open,high,low,close,volume,turnover'";

    @TempDir
    Path dir;

    public static Stream<Arguments> invalidKlines() {
        return Stream.of(
                Arguments.of("01-unsorted.csv", "row 4: unsorted timestamps: 1700000600000 is before row 3's "
                        + "1700000900000 (rows must be in ascending time)"),
                Arguments.of("02-duplicate-timestamp.csv", "row 4: duplicate timestamp 1700000600000 (same as row 3)"),
                Arguments.of("03-non-positive-price.csv", "row 2: low: price must be positive, got -1"),
                Arguments.of("04-nan.csv", "row 3: close: NaN or infinite value 'NaN'"),
                Arguments.of("05-infinity.csv", "row 3: high: NaN or infinite value 'Infinity'"),
                Arguments.of("06-wrong-header.csv", "header: " + HEADERS + ", got 'time,open,high,low,close,volume'"),
                Arguments.of("07-missing-column.csv", "row 4: missing columns: expected 6 values, got 5"),
                Arguments.of("08-extra-column.csv", "row 4: extra columns: expected 6 values, got 8"),
                Arguments.of("09-empty.csv", "header: file is empty (" + HEADERS + ")"),
                Arguments.of("10-header-only.csv", "row 1: no data rows after the header"),
                Arguments.of("11-binary-garbage.csv", "not a text file (NUL byte on line 1)"),
                Arguments.of("12-huge-value.csv", "row 3: high: NaN or infinite value '1e400'"),
                Arguments.of("13-negative-volume.csv", "row 5: volume must not be negative, got -3"),
                Arguments.of("14-high-below-low.csv", "row 2: high 100 is below max(open, close) = 101"),
                Arguments.of("15-text-in-number.csv", "row 3: open: not a number: 'ten' (expected decimal notation "
                        + "such as 101.5, -3 or 1.5e-3)"),
                Arguments.of("16-timestamp-not-integer.csv",
                        "row 3: timestamp_ms: expected a non-negative integer, got '17000000006e5'"),
                Arguments.of("17-blank-line.csv", "row 3: missing columns: expected 6 values, got 1 (blank line)"),
                Arguments.of("18-utf16.csv", "looks like UTF-16 text, not UTF-8 (save the file as UTF-8)"),
                Arguments.of("19-negative-timestamp.csv",
                        "row 1: timestamp_ms: expected a non-negative integer, got '-5'"),
                Arguments.of("20-semicolon-separated.csv",
                        "header: " + HEADERS + ", got 'timestamp_ms;open;high;low;close;volume'"),
                Arguments.of("21-unterminated-quote.csv",
                        "row 3: not a valid CSV line (Un-terminated quoted field at end of CSV line)"),
                Arguments.of("22-hexadecimal.csv", "row 2: volume: not a number: '0x1A' (expected decimal notation "
                        + "such as 101.5, -3 or 1.5e-3)"));
    }

    /** A complete, valid study reading {@code csv}; used by this test and the command-line test. */
    public static String studyFor(Path csv) {
        return """
                study: klines
                data:
                  source: {type: csv, path: '%s'}
                  features: {lookback: 16}
                  labels: {horizon: 6, threshold: auto}
                  split: {train: 0.6, validation: 0.2, test: 0.2, gap: auto}
                teacher: {type: mlp, hidden: [8], training: {epochs: 1}}
                student: {type: mlp, hidden: [4]}
                distillation:
                  loss: {type: hinton, temperature: 2, alpha: 0.5}
                training: {epochs: 1}
                seeds: [1]
                """.formatted(csv.toAbsolutePath().toString().replace("'", "''"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidKlines")
    void readerFailsWithExactMessage(String name, String problem) {
        Path file = INVALID.resolve(name);
        DataException e = assertThrows(DataException.class, () -> KlineCsvReader.read(file));
        assertOneLine(file + ": " + problem, e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidKlines")
    void studyPathFailsWithTheSameMessage(String name, String problem) throws IOException {
        Path csv = INVALID.resolve(name);
        Path yaml = dir.resolve("klines.yaml");
        Files.writeString(yaml, studyFor(csv));
        Study study = Study.load(yaml, List.of());
        DataException e = assertThrows(DataException.class, () -> DatasetPreparer.prepare(study.base().data()));
        assertOneLine(csv.toAbsolutePath().normalize() + ": " + problem, e.getMessage());
    }

    @Test
    void everyCorpusFileHasAnExpectedMessage() throws IOException {
        TreeSet<String> onDisk;
        try (Stream<Path> files = Files.list(INVALID)) {
            onDisk = files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(invalidKlines().map(a -> (String) a.get()[0]).collect(Collectors.toCollection(TreeSet::new)),
                onDisk);
    }

    @Test
    void gapsAreCountedNotErrors() {
        KlineLoad load = KlineCsvReader.read(VALID.resolve("gapped.csv"));
        assertEquals(7, load.quality().rows());
        assertEquals(2, load.quality().gaps());
        assertEquals(3, load.quality().missingBars());
        assertEquals(300_000, load.quality().intervalMs());
        assertEquals(900_000, load.quality().largestGapMs());
    }

    @Test
    void crlfLineEndingsAndByteOrderMarkAreAccepted() {
        KlineLoad crlf = KlineCsvReader.read(VALID.resolve("crlf.csv"));
        KlineLoad bom = KlineCsvReader.read(VALID.resolve("bom.csv"));
        assertEquals(6, crlf.series().size());
        assertEquals(6, bom.series().size());
        assertEquals(0, crlf.quality().gaps());
        assertEquals(1700000000000L, bom.series().timeMs()[0]);
        assertEquals(15.0, crlf.series().volume()[5]);
        assertEquals(crlf.series().close()[5], bom.series().close()[5]);
    }

    static void assertOneLine(String expected, String message) {
        assertEquals(expected, message);
        assertFalse(message.contains("\n") || message.contains("\r"), message);
        assertFalse(message.contains("Exception") || message.contains("org.datavec"), message);
    }
}
