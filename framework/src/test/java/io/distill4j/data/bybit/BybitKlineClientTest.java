package io.distill4j.data.bybit;

import io.distill4j.data.BybitInterval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.Distill4jException;
import io.distill4j.data.DataException;
import io.distill4j.api.KlineSeries;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BybitKlineClientTest {

    static final long T0 = 1_735_689_600_000L; // 2025-01-01T00:00Z, the oldest handmade 1m bar
    static final long MIN = 60_000L;

    private BybitStubServer server;
    private final List<Long> sleeps = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new BybitStubServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private BybitKlineClient.Builder client(long nowMs) {
        return BybitKlineClient.builder().baseUrl(server.baseUrl())
                .clock(Clock.fixed(Instant.ofEpochMilli(nowMs), ZoneOffset.UTC))
                .retryPolicy(new RetryPolicy(4, 1, 4, 0.5)).sleeper(sleeps::add).random(() -> 0.0);
    }

    private static long[] minutes(int from, int to) {
        long[] t = new long[to - from + 1];
        for (int i = 0; i < t.length; i++) {
            t[i] = T0 + (from + i) * MIN;
        }
        return t;
    }

    @Test
    void pagesBackwardsAndAssemblesAscendingUniqueBars() {
        server.reply("page-a.json").reply("page-b.json").reply("page-c.json");
        KlineSeries s = client(T0 + 3_600_000).pageLimit(3).build()
                .fetch(BybitCategory.LINEAR, "BTCUSDT", BybitInterval.M1, T0, T0 + 6 * MIN);

        assertEquals(3, server.requests().size());
        assertArrayEquals(minutes(0, 6), s.timeMs());
        assertEquals("bybit:linear:BTCUSDT:1", s.source());
        // the bar repeated at the page-a/page-b boundary appears once, values as sent
        assertEquals(93590.1, s.open()[4]);
        assertEquals(93601.8, s.high()[4]);
        assertEquals(93550.0, s.low()[4]);
        assertEquals(93575.0, s.close()[4]);
        assertEquals(30.5, s.volume()[4]);
        assertEquals(2853700.25, s.turnover()[4]);
        assertEquals(93480.0, s.open()[0]);
        assertEquals(1719905.1132, s.turnover()[6]);

        Map<String, String> q0 = server.query(0);
        assertEquals("linear", q0.get("category"));
        assertEquals("BTCUSDT", q0.get("symbol"));
        assertEquals("1", q0.get("interval"));
        assertEquals("3", q0.get("limit"));
        assertEquals(String.valueOf(T0), q0.get("start"));
        assertEquals(String.valueOf(T0 + 6 * MIN), q0.get("end"));
        assertEquals(String.valueOf(T0 + 4 * MIN - 1), server.query(1).get("end"));
        assertEquals(String.valueOf(T0 + 2 * MIN - 1), server.query(2).get("end"));
        assertTrue(server.requests().get(0).getPath().equals("/v5/market/kline"));
    }

    /** A generated page of 1m bars {@code from..to} (minutes after T0), newest first, as Bybit sends them. */
    private static String generatedPage(int from, int to) {
        StringBuilder sb = new StringBuilder("{\"retCode\":0,\"retMsg\":\"OK\",\"result\":{\"list\":[");
        for (int m = to; m >= from; m--) {
            double p = 90000 + m * 0.5;
            sb.append(m == to ? "" : ",").append("[\"").append(T0 + m * MIN).append("\",\"").append(p)
                    .append("\",\"").append(p + 2).append("\",\"").append(p - 1).append("\",\"").append(p + 1)
                    .append("\",\"").append(m).append(".5\",\"").append(m * 10).append("\"]");
        }
        return sb.append("]},\"retExtInfo\":{},\"time\":0}").toString();
    }

    @Test
    void pagesOfAThousandBars() {
        server.reply(200, generatedPage(1500, 2499)).reply(200, generatedPage(500, 1499))
                .reply(200, generatedPage(0, 499));
        KlineSeries s = client(T0 + 10_000 * MIN).build()
                .fetch(BybitCategory.LINEAR, "BTCUSDT", BybitInterval.M1, T0, T0 + 2499 * MIN);
        assertEquals(3, server.requests().size());
        assertArrayEquals(minutes(0, 2499), s.timeMs());
        assertEquals(String.valueOf(T0 + 1500 * MIN - 1), server.query(1).get("end"));
        assertEquals(String.valueOf(T0 + 500 * MIN - 1), server.query(2).get("end"));
        assertEquals(90000 + 1234 * 0.5, s.open()[1234]);
        assertEquals(1234.5, s.volume()[1234]);
    }

    @Test
    void defaultLimitIsTheMaximum() {
        server.reply("page-c.json");
        client(T0 + 3_600_000).build().fetch(BybitCategory.SPOT, "ETHUSDT", BybitInterval.H1, T0, T0 + MIN);
        assertEquals("1000", server.query(0).get("limit"));
        assertEquals("60", server.query(0).get("interval"));
        assertEquals("spot", server.query(0).get("category"));
    }

    @Test
    void keepsOnlyBarsInsideTheRequestedRange() {
        server.reply("page-a.json");
        KlineSeries s = client(T0 + 3_600_000).build()
                .fetch(BybitCategory.LINEAR, "BTCUSDT", BybitInterval.M1, T0 + 5 * MIN, T0 + 5 * MIN + 1);
        assertArrayEquals(new long[] {T0 + 5 * MIN}, s.timeMs());
    }

    @Test
    void stopsOnAnEmptyPage() {
        server.reply("empty.json");
        KlineSeries s = client(T0 + 3_600_000).build()
                .fetch(BybitCategory.LINEAR, "BTCUSDT", BybitInterval.M1, T0, T0 + 6 * MIN);
        assertEquals(0, s.size());
        assertEquals(1, server.requests().size());
    }

    @Test
    void retriesHttp503WithExponentialBackoff() {
        server.reply(503, "Service Unavailable").reply(503, "Service Unavailable").reply("page-c.json");
        KlineSeries s = client(T0 + 3_600_000).build()
                .fetch(BybitCategory.LINEAR, "BTCUSDT", BybitInterval.M1, T0, T0 + MIN);
        assertEquals(3, server.requests().size());
        assertEquals(2, s.size());
        assertEquals(List.of(1L, 2L), sleeps);
    }

    @Test
    void retriesHttp429() {
        server.reply(429, "").reply("page-c.json");
        assertEquals(2, client(T0 + 3_600_000).build()
                .fetch(BybitCategory.LINEAR, "BTCUSDT", BybitInterval.M1, T0, T0 + MIN).size());
        assertEquals(2, server.requests().size());
    }

    @Test
    void retriesRateLimitRetCode() {
        server.reply("rate-limited.json").reply("page-c.json");
        KlineSeries s = client(T0 + 3_600_000).build()
                .fetch(BybitCategory.LINEAR, "BTCUSDT", BybitInterval.M1, T0, T0 + MIN);
        assertEquals(2, server.requests().size());
        assertEquals(2, s.size());
    }

    @Test
    void givesUpAfterMaxAttempts() {
        for (int i = 0; i < 5; i++) {
            server.reply("rate-limited.json");
        }
        DataException e = assertThrows(DataException.class, () -> client(T0 + 3_600_000)
                .retryPolicy(new RetryPolicy(3, 1, 1, 0)).build()
                .fetch(BybitCategory.LINEAR, "BTCUSDT", BybitInterval.M1, T0, T0 + MIN));
        assertEquals(3, server.requests().size());
        assertTrue(e.getMessage().contains("after 3 attempts"), e.getMessage());
        assertTrue(e.getMessage().contains("retCode 10006 (Too many visits!)"), e.getMessage());
    }

    @Test
    void paramsErrorFailsAtOnceNamingTheRequest() {
        server.reply("params-error.json").reply("page-c.json");
        DataException e = assertThrows(DataException.class, () -> client(T0 + 3_600_000).build()
                .fetch(BybitCategory.LINEAR, "BTCUSDX", BybitInterval.M1, T0, T0 + MIN));
        assertEquals(1, server.requests().size());
        assertTrue(e.getMessage().contains("retCode 10001 (params error: Invalid symbol)"), e.getMessage());
        assertTrue(e.getMessage().contains("page 1 (GET " + server.baseUrl() + "/v5/market/kline?category=linear"
                + "&symbol=BTCUSDX"), e.getMessage());
    }

    @Test
    void http403FailsAtOnce() {
        server.reply(403, "<html>The request could not be satisfied</html>");
        DataException e = assertThrows(DataException.class, () -> client(T0 + 3_600_000).build()
                .fetch(BybitCategory.LINEAR, "BTCUSDT", BybitInterval.M1, T0, T0 + MIN));
        assertEquals(1, server.requests().size());
        assertTrue(e.getMessage().contains("HTTP 403"), e.getMessage());
    }

    @Test
    void invalidJsonIsReported() {
        server.reply(200, "<html>maintenance</html>");
        DataException e = assertThrows(DataException.class, () -> client(T0 + 3_600_000).build()
                .fetch(BybitCategory.LINEAR, "BTCUSDT", BybitInterval.M1, T0, T0 + MIN));
        assertTrue(e.getMessage().contains("invalid JSON"), e.getMessage());
    }

    @Test
    void malformedCandleNamesPageIndexAndField() {
        server.reply("page-a.json").reply("malformed-candle.json");
        DataException e = assertThrows(DataException.class, () -> client(T0 + 3_600_000).pageLimit(3).build()
                .fetch(BybitCategory.LINEAR, "BTCUSDT", BybitInterval.M1, T0, T0 + 6 * MIN));
        assertTrue(e.getMessage().startsWith("Bybit page 2 (GET "), e.getMessage());
        assertTrue(e.getMessage().contains(", candle 1 (2025-01-01T00:01:00Z): high -1 is not a positive price"),
                e.getMessage());
    }

    @Test
    void candleWithSixFieldsIsReported() {
        server.reply("short-candle.json");
        DataException e = assertThrows(DataException.class, () -> client(T0 + 3_600_000).build()
                .fetch(BybitCategory.LINEAR, "BTCUSDT", BybitInterval.M1, T0, T0 + MIN));
        assertTrue(e.getMessage().contains("page 1"), e.getMessage());
        assertTrue(e.getMessage().contains("candle 0: expected 7 fields"), e.getMessage());
    }

    @Test
    void nonNumericAndInconsistentCandlesAreReported() {
        server.reply(200, "{\"retCode\":0,\"retMsg\":\"OK\",\"result\":{\"list\":[[\"1735689600000\",\"93480\","
                + "\"93505.5\",\"93470.3\",\"abc\",\"15.25\",\"1.5\"]]}}");
        DataException e = assertThrows(DataException.class, () -> client(T0 + 3_600_000).build()
                .fetch(BybitCategory.LINEAR, "BTCUSDT", BybitInterval.M1, T0, T0 + MIN));
        assertTrue(e.getMessage().contains("candle 0 (2025-01-01T00:00:00Z): close '\"abc\"' is not a number"),
                e.getMessage());

        server.reply(200, "{\"retCode\":0,\"retMsg\":\"OK\",\"result\":{\"list\":[[\"1735689600000\",\"93480\","
                + "\"93400\",\"93470.3\",\"93450\",\"15.25\",\"1.5\"]]}}");
        e = assertThrows(DataException.class, () -> client(T0 + 3_600_000).build()
                .fetch(BybitCategory.LINEAR, "BTCUSDT", BybitInterval.M1, T0, T0 + MIN));
        assertTrue(e.getMessage().contains("inconsistent prices"), e.getMessage());
    }

    @Test
    void dropsTheUnfinishedNewestBar() {
        server.reply("page-a.json");
        long now = T0 + 6 * MIN + 30_000; // the 00:06 bar is half done
        KlineSeries s = client(now).build()
                .fetch(BybitCategory.LINEAR, "BTCUSDT", BybitInterval.M1, T0 + 4 * MIN, T0 + 6 * MIN);
        assertArrayEquals(minutes(4, 5), s.timeMs());
    }

    @Test
    void keepsABarThatJustFinished() {
        server.reply("page-a.json");
        KlineSeries s = client(T0 + 7 * MIN).build()
                .fetch(BybitCategory.LINEAR, "BTCUSDT", BybitInterval.M1, T0 + 4 * MIN, T0 + 6 * MIN);
        assertArrayEquals(minutes(4, 6), s.timeMs());
    }

    @Test
    void rejectsBadArguments() {
        BybitKlineClient c = client(T0).build();
        assertThrows(IllegalArgumentException.class,
                () -> c.fetch(BybitCategory.LINEAR, "btc usdt", BybitInterval.M1, T0, T0 + MIN));
        assertThrows(IllegalArgumentException.class,
                () -> c.fetch(BybitCategory.LINEAR, "BTCUSDT", BybitInterval.M1, T0 + MIN, T0));
        assertThrows(IllegalArgumentException.class, () -> BybitKlineClient.builder().pageLimit(1001));
        assertThrows(IllegalArgumentException.class, () -> BybitKlineClient.builder().baseUrl("api.bybit.com"));
        assertEquals(0, server.requests().size());
    }

    @Test
    void intervalNamesMapBothWays() {
        assertEquals(BybitInterval.M5, BybitInterval.parse("5m"));
        assertEquals(BybitInterval.M5, BybitInterval.parse("5"));
        assertEquals(BybitInterval.H1, BybitInterval.parse("1h"));
        assertEquals(BybitInterval.H1, BybitInterval.parse("60"));
        assertEquals(BybitInterval.H12, BybitInterval.parse("720"));
        assertEquals(BybitInterval.D1, BybitInterval.parse("D"));
        assertEquals(BybitInterval.D1, BybitInterval.parse("1d"));
        assertEquals(BybitInterval.W1, BybitInterval.parse("W"));
        assertEquals("240", BybitInterval.parse("4h").apiName());
        assertEquals("4h", BybitInterval.parse("240").shortName());
        assertEquals(300_000L, BybitInterval.M5.millis());
        for (BybitInterval i : BybitInterval.values()) {
            assertEquals(i, BybitInterval.parse(i.shortName()));
            assertEquals(i, BybitInterval.parse(i.apiName()));
        }
        Distill4jException e = assertThrows(Distill4jException.class, () -> BybitInterval.parse("7m"));
        assertTrue(e.getMessage().contains("1m,3m,5m,15m,30m,1h,2h,4h,6h,12h,1d,1w"), e.getMessage());
        assertThrows(Distill4jException.class, () -> BybitInterval.parse("M"));
        assertEquals(BybitCategory.INVERSE, BybitCategory.parse("Inverse"));
        assertThrows(Distill4jException.class, () -> BybitCategory.parse("option"));
    }

    @Test
    void backoffDoublesUpToTheCapWithJitterBelow() {
        RetryPolicy p = new RetryPolicy(10, 100, 1000, 0.5);
        assertEquals(100, p.delayMs(1, () -> 0.0));
        assertEquals(200, p.delayMs(2, () -> 0.0));
        assertEquals(400, p.delayMs(3, () -> 0.0));
        assertEquals(1000, p.delayMs(5, () -> 0.0));
        assertEquals(500, p.delayMs(9, () -> 1.0));
    }
}
