package io.distill4j.data.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.config.ConfigNode;
import io.distill4j.config.StudyFileReader;
import io.distill4j.data.DataConfig;
import io.distill4j.data.DataException;
import io.distill4j.data.KlineCsvReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Extra numeric columns of a kline CSV used as features ({@code {column: funding_rate}}): read only when declared,
 * their bad or missing values an error naming the row and column, and used as they are (then standardised on train).
 */
class ExtraColumnFeatureTest {
    @TempDir
    Path dir;

    private Path csv(int bars, String extraHeader, java.util.function.IntFunction<String> extra) throws IOException {
        StringBuilder b = new StringBuilder("timestamp_ms,open,high,low,close,volume" + extraHeader + "\n");
        double c = 100;
        for (int i = 0; i < bars; i++) {
            double next = c * Math.exp(0.002 * Math.sin(i * 0.7) + 0.001 * Math.cos(i * 1.3));
            b.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%d%s%n", 1_700_000_000_000L + i * 300_000L, c,
                    Math.max(c, next) + 0.05, Math.min(c, next) - 0.05, next, 10 + i % 7, extra.apply(i)));
            c = next;
        }
        Path p = dir.resolve("klines.csv");
        Files.writeString(p, b.toString());
        return p;
    }

    private static double funding(int i) {
        return Math.round(1e6 * 1e-4 * Math.sin(i / 5.0)) / 1e6;
    }

    @Test
    void aDeclaredColumnIsReadAndUsedAsItIs() throws IOException {
        Path file = csv(600, ",open_interest,funding_rate", i -> "," + (1000 + i) + ","
                + String.format(Locale.ROOT, "%.6f", funding(i)));
        String yaml = "source: {type: csv, path: '" + file + "'}\n"
                + "features:\n  lookback: 4\n  set: [{indicator: return, window: 3}, {column: funding_rate}]\n"
                + "labels: {horizon: 2}\n";
        DataConfig config = DataConfig.parse(ConfigNode.root("s.yaml", StudyFileReader.parse("s.yaml", yaml)));
        assertEquals(List.of("funding_rate"), config.features().columns());
        PreparedData d = DatasetPreparer.prepare(config);
        assertEquals(List.of("return_3", "funding_rate"), d.featureNames());
        Standardiser std = d.standardiser();
        int[] bars = d.test().barIndices();
        float[] column = d.test().features().getColumn(1).toFloatVector();
        for (int k = 0; k < bars.length; k++) {
            assertEquals(funding(bars[k]), column[k] * std.std()[1] + std.mean()[1], 1e-9 + 1e-6 * std.std()[1],
                    "bar " + bars[k]);
        }
        // standardised on train only: the train split's mean is that of the train bars' values
        double trainMean = 0;
        for (int b : d.train().barIndices()) {
            trainMean += funding(b) / d.train().size();
        }
        assertEquals(trainMean, std.mean()[1], 1e-12);
    }

    @Test
    void aBadOrMissingValueOfADeclaredColumnNamesTheRowAndColumn() throws IOException {
        Path bad = csv(20, ",funding_rate", i -> i == 6 ? ",n/a" : ",0.0001");
        DataException e = assertThrows(DataException.class, () -> KlineCsvReader.read(bad, List.of("funding_rate")));
        assertEquals(bad + ": row 7: funding_rate: not a number: 'n/a' (expected decimal notation such as 101.5, -3 or "
                + "1.5e-3)", e.getMessage());
        Path empty = csv(20, ",funding_rate", i -> i == 3 ? "," : ",0.0001");
        assertTrue(assertThrows(DataException.class, () -> KlineCsvReader.read(empty, List.of("funding_rate")))
                .getMessage().startsWith(empty + ": row 4: funding_rate: not a number: ''"));
        Path nan = csv(20, ",funding_rate", i -> i == 9 ? ",NaN" : ",0.0001");
        assertEquals(nan + ": row 10: funding_rate: NaN or infinite value 'NaN'",
                assertThrows(DataException.class, () -> KlineCsvReader.read(nan, List.of("funding_rate"))).getMessage());
    }

    @Test
    void anUndeclaredOrAbsentColumnIsAnError() throws IOException {
        Path file = csv(20, ",funding_rate", i -> ",0.0001");
        assertTrue(assertThrows(DataException.class, () -> KlineCsvReader.read(file)).getMessage()
                .startsWith(file + ": header: expected header"), "without a declared column the layout stays strict");
        assertEquals(file + ": header: no column 'basis' (the study's data.features declares it), got "
                + "'timestamp_ms,open,high,low,close,volume,funding_rate'",
                assertThrows(DataException.class, () -> KlineCsvReader.read(file, List.of("basis"))).getMessage());
        assertEquals(20, KlineCsvReader.read(file, List.of("funding_rate")).columns().get("funding_rate").length);
    }
}
