package io.distill4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.distill4j.config.ConfigException;
import io.distill4j.config.ConfigNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DataConfigTest {
    private static DataConfig parse(String yaml) throws Exception {
        var tree = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        return DataConfig.parse(ConfigNode.root("study.yaml", tree).section("data"));
    }

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void fullSyntheticExample() throws Exception {
        DataConfig c = parse("""
                data:
                  source: {type: synthetic, bars: 5000, seed: 3, interval: 1h}
                  features: {lookback: 16}
                  labels: {horizon: 6, threshold: 0.004}
                  split: {train: 0.7, validation: 0.15, test: 0.15, gap: 30}
                """);
        assertEquals(new DataConfig.SyntheticSource(5000, 3, "1h"), c.source());
        assertEquals(3_600_000, ((DataConfig.SyntheticSource) c.source()).intervalMs());
        assertEquals(16, c.lookback());
        assertEquals(6, c.horizon());
        assertEquals(0.004, c.threshold().getAsDouble());
        assertEquals(30, c.gapBars());
        assertEquals(0.7, c.split().train());
    }

    @Test
    void windowAndResampling() throws Exception {
        DataConfig c = parse("""
                data:
                  source: {type: synthetic, interval: 1m, resample: 5m, start: 2024-01-02, end: '2024-01-03T06:00:00Z'}
                """);
        var s = (DataConfig.SyntheticSource) c.source();
        assertEquals(java.util.Optional.of("5m"), s.resample());
        assertEquals(300_000, s.barIntervalMs());
        assertEquals(60_000, s.intervalMs());
        // 2024-01-02T00:00Z is 1704153600 s; the end is 30 h later
        assertEquals(1_704_153_600_000L, s.window().startMs().getAsLong());
        assertEquals(1_704_153_600_000L + 30 * 3_600_000L, s.window().endMs().getAsLong());
        assertTrue(s.window().contains(1_704_153_600_000L));
        assertTrue(!s.window().contains(1_704_153_600_000L + 30 * 3_600_000L), "end is exclusive");
        assertEquals("study.yaml: data.source.end: expected an end after start 2024-01-02T00:00:00Z, got "
                + "2024-01-01T00:00:00Z", error("""
                data:
                  source: {type: synthetic, start: 2024-01-02, end: 2024-01-01}
                """));
        assertEquals("study.yaml: data.source.resample: 'resample' is only valid with type: synthetic (this source "
                + "is type: csv)", error("""
                data:
                  source: {type: csv, path: x.csv, resample: 5m}
                """));
    }

    @Test
    void defaultsForEverythingButTheType() throws Exception {
        DataConfig c = parse("data:\n  source: {type: synthetic}\n");
        assertEquals(DataConfig.defaults(), c);
        assertEquals(32 + 20 + 12, c.gapBars());
        Path file = java.nio.file.Files.createTempFile("klines", ".csv");
        DataConfig csv = parse("data:\n  source: {type: csv, path: '" + file + "'}\n  split: {gap: auto}\n"
                + "  labels: {threshold: auto}\n");
        assertEquals(new DataConfig.CsvSource(file), csv.source());
        java.nio.file.Files.delete(file);
        assertTrue(csv.threshold().isEmpty());
    }

    @Test
    void errors() {
        assertEquals("study.yaml: data.source.type: missing (expected a string)", error("data:\n  source: {}\n"));
        assertEquals("study.yaml: data.source.type: expected one of [synthetic, csv], got 'parquet'",
                error("data:\n  source: {type: parquet}\n"));
        assertEquals("study.yaml: data.source.path: 'path' is only valid with type: csv (this source is type: "
                + "synthetic)", error("data:\n  source: {type: synthetic, path: a.csv}\n"));
        assertEquals("study.yaml: data.source.seed: 'seed' is only valid with type: synthetic (this source is type: "
                + "csv)", error("data:\n  source: {type: csv, path: ../configs/quickstart.yaml, seed: 3}\n"));
        Path here = Path.of("").toAbsolutePath();
        assertEquals("study.yaml: data.source.path: kline file not found: " + here.resolve("nope/a.csv") + " (relative "
                + "paths start at the study file's folder " + here + ")",
                error("data:\n  source: {type: csv, path: nope/a.csv}\n"));
        assertEquals("study.yaml: data.source.path: missing (expected a string)",
                error("data:\n  source: {type: csv}\n"));
        assertEquals("study.yaml: data.source.bars: expected an integer in [1000, 100000000], got 999",
                error("data:\n  source: {type: synthetic, bars: 999}\n"));
        assertTrue(error("data:\n  source: {type: synthetic, interval: 2m}\n")
                .startsWith("study.yaml: data.source.interval: expected one of [1m, 3m, 5m"));
        assertEquals("study.yaml: data.features.lookback: expected an integer in [2, 512], got 1",
                error("data:\n  source: {type: synthetic}\n  features: {lookback: 1}\n"));
        assertEquals("study.yaml: data.labels.threshold: expected auto or a positive number, got the number -0.1",
                error("data:\n  source: {type: synthetic}\n  labels: {threshold: -0.1}\n"));
        assertEquals("study.yaml: data.labels.threshold: expected auto or a positive number, got the string 'big'",
                error("data:\n  source: {type: synthetic}\n  labels: {threshold: big}\n"));
        assertEquals("study.yaml: data.split: train, validation and test must sum to 1, got 1.1",
                error("data:\n  source: {type: synthetic}\n  split: {train: 0.7}\n").replace("1.0999999999999999",
                        "1.1"));
        assertEquals("study.yaml: data.split.gap: expected at least lookback + horizon = 32 + 12 = 44 bars so that "
                + "no window or label spans two parts, got 43",
                error("data:\n  source: {type: synthetic}\n  split: {gap: 43}\n"));
        assertEquals("study.yaml: data.split.test: expected a fraction strictly between 0 and 1, got 0.0",
                error("data:\n  source: {type: synthetic}\n  split: {train: 0.8, validation: 0.2, test: 0}\n"));
        assertEquals("study.yaml: data.labels.horizont: unknown key 'horizont' (valid keys here: horizon, scale, task, threshold)",
                error("data:\n  source: {type: synthetic}\n  labels: {horizont: 3}\n"));
        assertTrue(error("data:\n  source: {type: synthetic}\n  extra: 1\n")
                .startsWith("study.yaml: data.extra: unknown key 'extra'"));
    }
}
