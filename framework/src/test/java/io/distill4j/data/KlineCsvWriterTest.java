package io.distill4j.data;

import io.distill4j.api.KlineSeries;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KlineCsvWriterTest {

    @TempDir
    Path dir;

    private static double[] parseColumn(List<String> lines, int col) {
        double[] v = new double[lines.size() - 1];
        for (int i = 1; i < lines.size(); i++) {
            String cell = lines.get(i).split(",", -1)[col];
            v[i - 1] = cell.isEmpty() ? Double.NaN : Double.parseDouble(cell);
        }
        return v;
    }

    @Test
    void writesExactPlainNumbers() throws Exception {
        KlineSeries s = new KlineSeries("test", new long[] {1735689600000L, 1735689660000L},
                new double[] {93480, 0.00001234}, new double[] {93505.5, 0.00001299},
                new double[] {93470.3, 0.0000012}, new double[] {93501.2, 0.00001250},
                new double[] {15.25, 123456789012.5}, new double[] {1425489.375, 1.0E-7});
        Path f = dir.resolve("sub/folder/BTCUSDT-1m.csv");
        KlineCsvWriter.write(s, f);
        assertEquals(List.of("timestamp_ms,open,high,low,close,volume,turnover",
                "1735689600000,93480,93505.5,93470.3,93501.2,15.25,1425489.375",
                "1735689660000,0.00001234,0.00001299,0.0000012,0.0000125,123456789012.5,0.0000001"),
                Files.readAllLines(f));
    }

    @Test
    void roundTripIsExact() throws Exception {
        Random r = new Random(42);
        int n = 500;
        long[] t = new long[n];
        double[][] c = new double[6][n];
        for (int i = 0; i < n; i++) {
            t[i] = 1_700_000_000_000L + i * 300_000L;
            for (int k = 0; k < 6; k++) {
                double scale = Math.pow(10, r.nextInt(16) - 8);
                c[k][i] = switch (i % 3) {
                    case 0 -> r.nextDouble() * scale; // arbitrary binary doubles
                    case 1 -> Double.parseDouble(String.format("%.4f", r.nextDouble() * 1e5)); // exchange-like
                    default -> Math.floor(r.nextDouble() * 1e9); // whole numbers
                };
            }
        }
        c[5][7] = Double.NaN; // one bar without turnover
        KlineSeries s = new KlineSeries("rt", t, c[0], c[1], c[2], c[3], c[4], c[5]);
        Path f = dir.resolve("rt.csv");
        KlineCsvWriter.write(s, f);
        List<String> lines = Files.readAllLines(f);
        assertEquals(n + 1, lines.size());
        for (String line : lines.subList(1, lines.size())) {
            assertFalse(line.contains("E") || line.contains("e"), line);
        }
        for (int i = 0; i < n; i++) {
            assertEquals(t[i], Long.parseLong(lines.get(i + 1).split(",")[0]));
        }
        for (int k = 0; k < 6; k++) {
            assertArrayEquals(c[k], parseColumn(lines, k + 1), "column " + k);
        }
        assertTrue(lines.get(8).endsWith(","), lines.get(8));
    }

    @Test
    void omitsTurnoverWhenAbsentAndReplacesAtomically() throws Exception {
        double[] nan = {Double.NaN};
        KlineSeries s = new KlineSeries("x", new long[] {0L}, new double[] {1}, new double[] {2}, new double[] {0.5},
                new double[] {1.5}, new double[] {0}, nan);
        Path f = dir.resolve("x.csv");
        Files.writeString(f, "old content\n");
        KlineCsvWriter.write(s, f);
        assertEquals(List.of("timestamp_ms,open,high,low,close,volume", "0,1,2,0.5,1.5,0"), Files.readAllLines(f));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void rejectsUnorderedRows() {
        double[] z = {1, 1};
        KlineSeries s = new KlineSeries("bad", new long[] {5, 5}, z, z, z, z, z, z);
        assertThrows(IllegalArgumentException.class, () -> KlineCsvWriter.write(s, dir.resolve("bad.csv")));
    }
}
