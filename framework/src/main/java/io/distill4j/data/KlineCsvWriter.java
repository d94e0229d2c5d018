package io.distill4j.data;

import io.distill4j.AtomicFiles;
import io.distill4j.api.KlineSeries;

import io.distill4j.Distill4jException;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

import java.nio.file.Files;
import java.nio.file.Path;


/**
 * Writes a {@link KlineSeries} as the project's kline CSV: header {@code timestamp_ms,open,high,low,close,volume}
 * plus {@code ,turnover} when any row has one (a row without one leaves the cell empty). Numbers are plain decimals
 * that read back to the identical {@code double} (no exponent, no rounding). The file is replaced atomically: it is
 * written to a temporary file in the same folder and then moved over the target, so readers never see half a file.
 */
public final class KlineCsvWriter {

    private KlineCsvWriter() {
    }

    /**
     * Writes {@code series} to {@code file}, creating missing parent folders.
     *
     * @throws Distill4jException when the file cannot be written
     * @throws IllegalArgumentException when the rows are not ascending and unique in time
     */
    public static void write(KlineSeries series, Path file) {
        long[] t = series.timeMs();
        for (int i = 1; i < t.length; i++) {
            if (t[i] <= t[i - 1]) {
                throw new IllegalArgumentException(series.source() + ": row " + i + " time " + t[i]
                        + " is not after the previous " + t[i - 1]);
            }
        }
        boolean turnover = false;
        for (double v : series.turnover()) {
            if (!Double.isNaN(v)) {
                turnover = true;
                break;
            }
        }
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(turnover ? "timestamp_ms,open,high,low,close,volume,turnover\n"
                        : "timestamp_ms,open,high,low,close,volume\n");
                StringBuilder line = new StringBuilder(128);
                for (int i = 0; i < series.size(); i++) {
                    line.setLength(0);
                    line.append(t[i]).append(',').append(format(series.open()[i])).append(',')
                            .append(format(series.high()[i])).append(',').append(format(series.low()[i])).append(',')
                            .append(format(series.close()[i])).append(',').append(format(series.volume()[i]));
                    if (turnover) {
                        line.append(',').append(format(series.turnover()[i]));
                    }
                    w.write(line.append('\n').toString());
                }
            }
            AtomicFiles.replace(tmp, target);
            tmp = null;
        } catch (IOException e) {
            throw new Distill4jException("cannot write kline CSV " + file + ": " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temporary file is hidden and named after the target
                }
            }
        }
    }

    /**
     * {@code v} as a plain decimal that parses back to exactly {@code v}: {@code 17071}, {@code 0.00001234},
     * {@code 12345678.9}; empty for NaN.
     */
    static String format(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        if (Double.isInfinite(v)) {
            throw new IllegalArgumentException("cannot write an infinite value");
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }
}
