package io.distill4j.data.bybit;

import io.distill4j.data.BybitInterval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.distill4j.api.KlineSeries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Replays the real Bybit responses in {@code ../shared/data/fixtures}, when that folder is present. */
class BybitSharedFixtureTest {

    private static Path fixture(String name) {
        for (Path base : new Path[] {Path.of("../shared/data/fixtures"), Path.of("../../shared/data/fixtures")}) {
            Path p = base.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        Assumptions.abort("shared fixture " + name + " not found (../shared/data/fixtures is absent)");
        return null;
    }

    @Test
    void capturedLinearResponseParsesAndDropsTheBarInProgress() throws Exception {
        String body = Files.readString(fixture("bybit_v5_kline_linear_BTCUSDT_1m_captured.json"));
        try (BybitStubServer server = new BybitStubServer()) {
            server.reply(200, body);
            // "time" in the capture is 1687589659062: the 1687589640000 bar was 19 s old
            KlineSeries s = BybitKlineClient.builder().baseUrl(server.baseUrl())
                    .clock(Clock.fixed(Instant.ofEpochMilli(1_687_589_659_062L), ZoneOffset.UTC)).build()
                    .fetch(BybitCategory.LINEAR, "BTCUSDT", BybitInterval.M1, 1_687_589_400_000L,
                            1_687_589_640_000L);
            assertArrayEquals(new long[] {1_687_589_400_000L, 1_687_589_460_000L, 1_687_589_520_000L,
                1_687_589_580_000L}, s.timeMs());
            assertEquals(30678.6, s.open()[0]);
            assertEquals(675041.8648, s.turnover()[3]);
        }
    }

    @Test
    void documentationExampleParses() throws Exception {
        String body = Files.readString(fixture("bybit_v5_kline_docs_example.json"));
        try (BybitStubServer server = new BybitStubServer()) {
            server.reply(200, body);
            KlineSeries s = BybitKlineClient.builder().baseUrl(server.baseUrl()).build()
                    .fetch(BybitCategory.INVERSE, "BTCUSD", BybitInterval.H1, 1_670_601_600_000L,
                            1_670_608_800_000L);
            assertArrayEquals(new long[] {1_670_601_600_000L, 1_670_605_200_000L, 1_670_608_800_000L},
                    s.timeMs());
            assertEquals(17055.5, s.close()[2]);
        }
    }
}
