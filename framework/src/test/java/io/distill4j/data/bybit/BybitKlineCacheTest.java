package io.distill4j.data.bybit;

import io.distill4j.data.BybitInterval;

import static io.distill4j.data.bybit.BybitKlineClientTest.MIN;
import static io.distill4j.data.bybit.BybitKlineClientTest.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.data.DataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BybitKlineCacheTest {

    @TempDir
    Path dir;

    private BybitStubServer server;
    private BybitKlineCache cache;

    @BeforeEach
    void start() throws Exception {
        server = new BybitStubServer();
        cache = new BybitKlineCache(BybitKlineClient.builder().baseUrl(server.baseUrl())
                .clock(Clock.fixed(Instant.ofEpochMilli(T0 + 3_600_000), ZoneOffset.UTC))
                .retryPolicy(new RetryPolicy(2, 1, 1, 0)).sleeper(ms -> { }).build());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A cache holding 00:00 .. 00:03, written as a previous run would have (the shared layout, no turnover). */
    private Path cachedHead() throws Exception {
        Path csv = dir.resolve("BTCUSDT-1m.csv");
        Files.writeString(csv, "timestamp_ms,open,high,low,close,volume\n"
                + "1735689600000,93480,93505.5,93470.3,93501.2,15.25\n"
                + "1735689660000,93501.2,93530,93488,93520,0.004\n"
                + "1735689720000,93520,93560.4,93511.9,93548.3,9.87\n"
                + "1735689780000,93548.3,93595,93540.6,93590.1,12.001\n");
        return csv;
    }

    @Test
    void firstRunFetchesEverythingAndWrites() {
        server.reply("page-c.json");
        Path csv = dir.resolve("new/BTCUSDT-1m.csv");
        BybitKlineCache.Result r = cache.update(csv, BybitCategory.LINEAR, "BTCUSDT", BybitInterval.M1, T0,
                T0 + MIN);
        assertEquals(2, r.fetchedBars());
        assertTrue(r.written());
        assertTrue(Files.exists(csv));
        assertEquals(1, server.requests().size());
    }

    @Test
    void emptyDownloadWritesNoFile() {
        server.reply("empty.json");
        Path csv = dir.resolve("none.csv");
        BybitKlineCache.Result r = cache.update(csv, BybitCategory.LINEAR, "BTCUSDT", BybitInterval.M1, T0,
                T0 + MIN);
        assertEquals(0, r.series().size());
        assertFalse(r.written());
        assertFalse(Files.exists(csv));
    }

    @Test
    void fetchesOnlyTheMissingTail() throws Exception {
        Path csv = cachedHead();
        server.reply("page-a.json");
        BybitKlineCache.Result r = cache.update(csv, BybitCategory.LINEAR, "BTCUSDT", BybitInterval.M1, T0,
                T0 + 6 * MIN);

        assertEquals(1, server.requests().size());
        assertEquals(String.valueOf(T0 + 3 * MIN + 1), server.query(0).get("start"));
        assertEquals(String.valueOf(T0 + 6 * MIN), server.query(0).get("end"));
        assertEquals(3, r.fetchedBars());
        assertEquals(7, r.series().size());
        List<String> lines = Files.readAllLines(csv);
        assertEquals(List.of("timestamp_ms,open,high,low,close,volume,turnover",
                "1735689600000,93480,93505.5,93470.3,93501.2,15.25,",
                "1735689660000,93501.2,93530,93488,93520,0.004,",
                "1735689720000,93520,93560.4,93511.9,93548.3,9.87,",
                "1735689780000,93548.3,93595,93540.6,93590.1,12.001,",
                "1735689840000,93590.1,93601.8,93550,93575,30.5,2853700.25",
                "1735689900000,93575,93622.7,93561.4,93610.5,22.014,2060181.7745",
                "1735689960000,93610.5,93644,93598.1,93640.2,18.372,1719905.1132"), lines);

        // everything is cached now: no request, no rewrite
        BybitKlineCache.Result again = cache.update(csv, BybitCategory.LINEAR, "BTCUSDT", BybitInterval.M1, T0,
                T0 + 6 * MIN + 59_999);
        assertEquals(1, server.requests().size());
        assertEquals(0, again.fetchedBars());
        assertFalse(again.written());
        assertEquals(7, again.series().size());
    }

    @Test
    void fetchesOnlyTheMissingHead() throws Exception {
        Path csv = dir.resolve("tail.csv");
        server.reply("page-a.json");
        cache.update(csv, BybitCategory.LINEAR, "BTCUSDT", BybitInterval.M1, T0 + 4 * MIN, T0 + 6 * MIN);
        server.reply("page-b.json");
        BybitKlineCache.Result r = cache.update(csv, BybitCategory.LINEAR, "BTCUSDT", BybitInterval.M1,
                T0 + 2 * MIN, T0 + 6 * MIN);
        assertEquals(2, server.requests().size());
        assertEquals(String.valueOf(T0 + 2 * MIN), server.query(1).get("start"));
        assertEquals(String.valueOf(T0 + 4 * MIN - 1), server.query(1).get("end"));
        assertEquals(2, r.fetchedBars());
        assertEquals(5, r.series().size());
    }

    @Test
    void rejectsACacheOfAnotherInterval() throws Exception {
        Path csv = cachedHead();
        DataException e = assertThrows(DataException.class, () -> cache.update(csv, BybitCategory.LINEAR,
                "BTCUSDT", BybitInterval.M5, T0, T0 + 60 * MIN));
        assertTrue(e.getMessage().contains("not 5m"), e.getMessage());
        assertEquals(0, server.requests().size());
    }

    @Test
    void reportsAMalformedCacheLine() throws Exception {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "timestamp_ms,open,high,low,close,volume\n1735689600000,1,2,0.5,x,3\n");
        DataException e = assertThrows(DataException.class, () -> cache.update(csv, BybitCategory.LINEAR,
                "BTCUSDT", BybitInterval.M1, T0, T0 + MIN));
        assertTrue(e.getMessage().startsWith(csv + ": line 2: not a number"), e.getMessage());
    }
}
