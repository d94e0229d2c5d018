package io.distill4j.data;

import io.distill4j.api.KlineSeries;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.datavec.api.records.reader.impl.csv.CSVRecordReader;
import org.datavec.api.split.FileSplit;
import org.datavec.api.transform.schema.Schema;
import org.datavec.api.writable.Writable;

/**
 * Reads a kline CSV ({@code timestamp_ms,open,high,low,close,volume} with an optional 7th column {@code turnover})
 * through DataVec's {@link CSVRecordReader} (declared columns: {@link #schema}), validating every row. Surrounding
 * spaces of a value are ignored. Whether the bars are plausible (milliseconds, one interval, a moving price) is
 * checked afterwards by {@link KlineChecks}.
 *
 * <p><b>Errors.</b> Every problem is a {@link DataException} whose message is {@code <file>: row <n>: <problem>},
 * where {@code n} is the 1-based <em>data</em> row (the header is not counted, so row {@code n} is file line
 * {@code n + 1}). Header problems read {@code <file>: header: <problem>}. Rejected: an empty file, a header other
 * than the two accepted ones, a file with no data rows, a row with missing or extra columns, a value that is not in
 * decimal notation ({@link #NUMBER}: no hexadecimal, no {@code d}/{@code f} suffix, no leading {@code +} or bare
 * {@code .}), a NaN or infinite value, a timestamp that is not a non-negative integer (digits only), timestamps
 * that are not strictly ascending (unsorted or duplicate), a non-positive price, {@code high < max(open, close)},
 * {@code low > min(open, close)}, and negative volume or turnover.
 *
 * <p><b>Policy.</b> Gaps (missing bars) are kept as they are, never filled or interpolated, and counted in the
 * {@link DataQualityReport}; downstream code must not build windows or labels across them. Zero-volume bars are kept
 * and counted. {@code turnover} is {@code NaN} when the file has no such column.
 */
public final class KlineCsvReader {
    /** The six required columns, in order. */
    public static final List<String> COLUMNS = List.of("timestamp_ms", "open", "high", "low", "close", "volume");
    /** The optional seventh column. */
    public static final String TURNOVER = "turnover";

    private KlineCsvReader() {
    }

    /** The DataVec schema of a kline file with ({@code withTurnover}) or without the turnover column. */
    public static Schema schema(boolean withTurnover) {
        Schema.Builder b = new Schema.Builder().addColumnLong("timestamp_ms", 0L, null);
        for (String c : COLUMNS.subList(1, COLUMNS.size())) {
            b.addColumnDouble(c, null, null, false, false);
        }
        if (withTurnover) {
            b.addColumnDouble(TURNOVER, null, null, false, false);
        }
        return b.build();
    }

    /** Reads and validates {@code file}; see the class description for the rules. */
    public static KlineLoad read(Path file) {
        return read(file, List.of());
    }

    /**
     * Reads and validates {@code file} with extra numeric columns (a declared feature set's {@code column}
     * features): with {@code extra} empty, exactly {@link #read(Path)}; otherwise the header is the kline columns
     * (with or without {@code turnover}) followed by further named columns, which must include every name of
     * {@code extra}. Every row has as many values as the header; the values of the {@code extra} columns follow the
     * kline files' number grammar, a missing or bad one an error naming the row and the column. Further columns not
     * asked for are not read.
     */
    public static KlineLoad read(Path file, List<String> extra) {
        String name = file.toString();
        String[] header = checkHeader(file, name, extra);
        int klineColumns = header.length > 6 && header[6].trim().equals(TURNOVER) ? 7 : 6;
        Schema.Builder all = new Schema.Builder();
        Schema kline = schema(klineColumns == 7);
        for (int j = 0; j < header.length; j++) {
            all.addColumnString(j < klineColumns ? kline.getName(j) : header[j].trim());
        }
        Schema schema = extra.isEmpty() ? kline : all.build();
        int[] extraAt = new int[extra.size()];
        for (int k = 0; k < extraAt.length; k++) {
            extraAt[k] = schema.getIndexOfColumn(extra.get(k));
        }
        Columns c = new Columns(extra.size());
        try (CSVRecordReader reader = new CSVRecordReader(1, ',')) {
            reader.initialize(new FileSplit(file.toFile()));
            int row = 0;
            while (reader.hasNext()) {
                List<Writable> rec;
                try {
                    rec = reader.next();
                } catch (RuntimeException e) {
                    // DataVec's CSV parser: e.g. an unterminated quoted field
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    throw new DataException(name + ": row " + (row + 1) + ": not a valid CSV line ("
                            + oneLine(cause instanceof Exception x ? x : e) + ")", e);
                }
                row++;
                parseRow(name, row, rec, schema, klineColumns, extraAt, c);
            }
            if (row == 0) {
                throw new DataException(name + ": row 1: no data rows after the header");
            }
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new DataException(name + ": cannot read: " + oneLine(e), e);
        }
        KlineSeries series = c.toSeries(name);
        java.util.Map<String, double[]> values = new java.util.LinkedHashMap<>();
        for (int k = 0; k < extraAt.length; k++) {
            values.put(extra.get(k), Arrays.copyOf(c.d[6 + k], c.size));
        }
        return new KlineLoad(series, DataQualityReport.of(series), values);
    }

    private static String[] checkHeader(Path file, String name, List<String> extra) {
        if (Files.isDirectory(file)) {
            throw new DataException(name + ": is a directory, not a kline CSV file");
        }
        checkText(file, name);
        String line;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            line = r.readLine();
        } catch (NoSuchFileException e) {
            throw new DataException(name + ": file not found", e);
        } catch (CharacterCodingException e) {
            throw new DataException(name + ": header: not valid UTF-8 text (save the file as UTF-8)", e);
        } catch (IOException e) {
            throw new DataException(name + ": cannot read: " + oneLine(e), e);
        }
        String expected = "expected header '" + String.join(",", COLUMNS) + "' or '" + String.join(",", COLUMNS)
                + "," + TURNOVER + "'";
        if (line == null || line.isBlank()) {
            throw new DataException(name + ": header: file is empty (" + expected + ")");
        }
        if (line.startsWith("\uFEFF")) {
            line = line.substring(1);
        }
        String[] names = line.split(",", -1);
        if (!extra.isEmpty()) {
            boolean ok = names.length > 6;
            for (int i = 0; ok && i < 6; i++) {
                ok = COLUMNS.get(i).equals(names[i].trim());
            }
            if (!ok) {
                throw new DataException(name + ": header: expected header '" + String.join(",", COLUMNS)
                        + "[,turnover]' followed by the extra columns " + extra + ", got '" + line + "'");
            }
            List<String> present = new java.util.ArrayList<>();
            for (int i = 6; i < names.length; i++) {
                if (present.contains(names[i].trim()) || COLUMNS.contains(names[i].trim())) {
                    throw new DataException(name + ": header: column '" + names[i].trim() + "' appears twice");
                }
                present.add(names[i].trim());
            }
            for (String want : extra) {
                if (!present.contains(want)) {
                    throw new DataException(name + ": header: no column '" + want + "' (the study's data.features "
                            + "declares it), got '" + line + "'");
                }
            }
            return names;
        }
        boolean ok = names.length == 6 || names.length == 7;
        for (int i = 0; ok && i < names.length; i++) {
            String want = i < 6 ? COLUMNS.get(i) : TURNOVER;
            ok = want.equals(names[i].trim());
        }
        if (!ok) {
            throw new DataException(name + ": header: " + expected + ", got '" + line + "'");
        }
        return names;
    }

    /**
     * Rejects binary and UTF-16 files up front (DataVec would read them as garbage rows or fail with a decoder
     * message): the whole file must be free of NUL bytes and be valid UTF-8.
     */
    private static void checkText(Path file, String name) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        byte[] buf = new byte[1 << 16];
        ByteBuffer in = ByteBuffer.allocate(buf.length + 8);
        CharBuffer out = CharBuffer.allocate(buf.length + 8);
        int line = 1;
        long offset = 0;
        try (InputStream s = Files.newInputStream(file)) {
            for (int n = s.read(buf); n >= 0; n = s.read(buf)) {
                if (offset == 0 && n >= 2 && ((buf[0] == (byte) 0xFF && buf[1] == (byte) 0xFE)
                        || (buf[0] == (byte) 0xFE && buf[1] == (byte) 0xFF))) {
                    throw new DataException(name + ": looks like UTF-16 text, not UTF-8 (save the file as UTF-8)");
                }
                for (int i = 0; i < n; i++) {
                    if (buf[i] == 0) {
                        throw new DataException(name + ": not a text file (NUL byte on line " + line + ")");
                    }
                    if (buf[i] == '\n') {
                        line++;
                    }
                }
                in.put(buf, 0, n).flip();
                CoderResult r = decoder.decode(in, out, false);
                if (r.isError()) {
                    throw new DataException(name + ": not valid UTF-8 text (a text file saved in another "
                            + "encoding, or a binary file?); save it as UTF-8");
                }
                in.compact();
                out.clear();
                offset += n;
            }
            in.flip();
            if (decoder.decode(in, out, true).isError() || in.hasRemaining()) {
                throw new DataException(name + ": not valid UTF-8 text (truncated character at the end)");
            }
        } catch (NoSuchFileException e) {
            throw new DataException(name + ": file not found", e);
        } catch (IOException e) {
            throw new DataException(name + ": cannot read: " + oneLine(e), e);
        }
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("\\s+", " ").trim();
    }

    private static void parseRow(String name, int row, List<Writable> rec, Schema schema, int klineColumns,
            int[] extraAt, Columns c) {
        String at = name + ": row " + row + ": ";
        int n = schema.numColumns();
        if (rec.size() != n) {
            String what = rec.size() < n ? "missing columns" : "extra columns";
            String blank = rec.size() == 1 && rec.get(0).toString().isBlank() ? " (blank line)" : "";
            throw new DataException(at + what + ": expected " + n + " values, got " + rec.size() + blank);
        }
        long t = timestamp(at, rec.get(0).toString().trim());
        double[] v = new double[klineColumns];
        for (int j = 1; j < klineColumns; j++) {
            v[j] = number(at, schema.getName(j), rec.get(j).toString().trim());
        }
        double[] extra = new double[extraAt.length];
        for (int k = 0; k < extraAt.length; k++) {
            extra[k] = number(at, schema.getName(extraAt[k]), rec.get(extraAt[k]).toString().trim());
        }
        double open = v[1];
        double high = v[2];
        double low = v[3];
        double close = v[4];
        double volume = v[5];
        for (int j = 1; j <= 4; j++) {
            if (v[j] <= 0) {
                throw new DataException(at + schema.getName(j) + ": price must be positive, got " + text(v[j]));
            }
        }
        if (high < Math.max(open, close)) {
            throw new DataException(at + "high " + text(high) + " is below max(open, close) = "
                    + text(Math.max(open, close)));
        }
        if (low > Math.min(open, close)) {
            throw new DataException(at + "low " + text(low) + " is above min(open, close) = "
                    + text(Math.min(open, close)));
        }
        if (volume < 0) {
            throw new DataException(at + "volume must not be negative, got " + text(volume));
        }
        double turnover = klineColumns == 7 ? v[6] : Double.NaN;
        if (turnover < 0) {
            throw new DataException(at + "turnover must not be negative, got " + text(turnover));
        }
        if (c.size > 0) {
            long prev = c.time[c.size - 1];
            if (t == prev) {
                throw new DataException(at + "duplicate timestamp " + t + " (same as row " + (row - 1) + ")");
            }
            if (t < prev) {
                throw new DataException(at + "unsorted timestamps: " + t + " is before row " + (row - 1) + "'s "
                        + prev + " (rows must be in ascending time)");
            }
        }
        c.add(t, open, high, low, close, volume, turnover, extra);
    }

    /**
     * The one number grammar of kline files: an optional {@code -}, digits, an optional fraction ({@code .} and
     * digits) and an optional exponent ({@code e} or {@code E}, an optional sign, digits). Anything else, including
     * Java-only forms such as {@code 0x1A}, {@code 1.5d}, {@code +3}, {@code .5} or {@code 5.}, is not a number.
     */
    public static final Pattern NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?");
    private static final Pattern NOT_FINITE = Pattern.compile("[-+]?(nan|inf|infinity)", Pattern.CASE_INSENSITIVE);

    private static double number(String at, String column, String text) {
        if (NOT_FINITE.matcher(text).matches()) {
            throw new DataException(at + column + ": NaN or infinite value '" + text + "'");
        }
        if (!NUMBER.matcher(text).matches()) {
            throw new DataException(at + column + ": not a number: '" + text
                    + "' (expected decimal notation such as 101.5, -3 or 1.5e-3)");
        }
        double x = Double.parseDouble(text);
        if (!Double.isFinite(x)) {
            throw new DataException(at + column + ": NaN or infinite value '" + text + "'");
        }
        return x;
    }

    private static long timestamp(String at, String text) {
        String problem = at + "timestamp_ms: expected a non-negative integer, got '" + text + "'";
        if (text.isEmpty() || text.length() > 19 || !text.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            throw new DataException(problem);
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new DataException(problem + " (too large)", e);
        }
    }

    private static String text(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : Double.toString(x);
    }

    /** Growable columns. */
    private static final class Columns {
        long[] time = new long[1024];
        final double[][] d;
        int size;

        Columns(int extra) {
            d = new double[6 + extra][1024];
        }

        void add(long t, double o, double h, double l, double c, double v, double tv, double[] extra) {
            if (size == time.length) {
                time = Arrays.copyOf(time, size * 2);
                for (int k = 0; k < d.length; k++) {
                    d[k] = Arrays.copyOf(d[k], size * 2);
                }
            }
            time[size] = t;
            d[0][size] = o;
            d[1][size] = h;
            d[2][size] = l;
            d[3][size] = c;
            d[4][size] = v;
            d[5][size] = tv;
            for (int k = 0; k < extra.length; k++) {
                d[6 + k][size] = extra[k];
            }
            size++;
        }

        KlineSeries toSeries(String source) {
            double[][] x = new double[6][];
            for (int k = 0; k < 6; k++) {
                x[k] = Arrays.copyOf(d[k], size);
            }
            return new KlineSeries(source, Arrays.copyOf(time, size), x[0], x[1], x[2], x[3], x[4], x[5]);
        }
    }
}
