package io.distill4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.distill4j.Distill4jException;
import io.distill4j.data.bybit.BybitKlineClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DataFetchCommandTest {

    @TempDir
    Path dir;

    private HttpServer server;
    private final List<URI> requests = new CopyOnWriteArrayList<>();
    private byte[] page;

    @BeforeEach
    void start() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("btcusdt-5m.json")) {
            page = in.readAllBytes();
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v5/market/kline", exchange -> {
            requests.add(exchange.getRequestURI());
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(page);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Parses {@code args} like the real command line would, then calls the command directly. */
    private static String run(String... args) {
        DataFetchCommand cmd = new DataFetchCommand();
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(cmd);
        cl.setOut(new PrintWriter(out));
        cl.parseArgs(args);
        assertEquals(0, cmd.call());
        return out.toString();
    }

    @Test
    void fetchesIntoCsvAndThenOnlyWhatIsMissing() throws Exception {
        Path csv = dir.resolve("data/BTCUSDT-5m.csv");
        String line = run("--symbol", "btcusdt", "--start", "2025-06-01", "--end", "2025-06-01T00:10Z",
                "--out", csv.toString(), "--base-url", baseUrl());

        assertEquals(List.of("timestamp_ms,open,high,low,close,volume,turnover",
                "1748736000000,104620.4,104688,104600,104650,38.01,3977346.3",
                "1748736300000,104650,104730.5,104622,104712.3,55.918,5853320.7416",
                "1748736600000,104712.3,104790,104701.1,104788.8,41.207,4316101.95"), Files.readAllLines(csv));
        assertEquals("wrote 3 rows (3 new) 2025-06-01T00:00:00Z .. 2025-06-01T00:10:00Z linear BTCUSDT 5m to "
                + csv + System.lineSeparator(), line);
        assertEquals(1, requests.size());
        String q = requests.get(0).getQuery();
        assertTrue(q.contains("category=linear&symbol=BTCUSDT&interval=5&start=1748736000000&end=1748736600000"
                + "&limit=1000"), q);

        String again = run("--symbol", "BTCUSDT", "--start", "1748736000000", "--end", "2025-06-01T00:14:59Z",
                "--out", csv.toString(), "--base-url", baseUrl());
        assertEquals(1, requests.size(), "everything was cached");
        assertTrue(again.startsWith("up to date, 3 rows (0 new)"), again);
    }

    @Test
    void defaultOutputPathAndBaseUrl() {
        DataFetchCommand cmd = new DataFetchCommand();
        new CommandLine(cmd).parseArgs("--symbol", "ETHUSDT", "--start", "2025-06-01");
        assertEquals("linear", cmd.category);
        assertEquals("5m", cmd.interval);
        Assumptions.assumeTrue(System.getenv("DISTILL4J_BYBIT_URL") == null, "DISTILL4J_BYBIT_URL is set");
        assertEquals(BybitKlineClient.DEFAULT_BASE_URL, cmd.baseUrl);
    }

    @Test
    void readsStartAndEndForms() {
        assertEquals(1748736000000L, DataFetchCommand.parseTime("--start", "2025-06-01"));
        assertEquals(1748779200000L, DataFetchCommand.parseTime("--start", "2025-06-01T12:00Z"));
        assertEquals(1748779200000L, DataFetchCommand.parseTime("--start", "2025-06-01T14:00+02:00"));
        assertEquals(1748779200000L, DataFetchCommand.parseTime("--start", "2025-06-01T12:00"));
        assertEquals(1748779200000L, DataFetchCommand.parseTime("--start", "1748779200000"));
    }

    @Test
    void userMistakesAreOneLineErrors() {
        String url = baseUrl();
        Distill4jException e = assertThrows(Distill4jException.class,
                () -> run("--symbol", "BTCUSDT", "--start", "yesterday", "--base-url", url));
        assertTrue(e.getMessage().startsWith("--start 'yesterday': expected an ISO date"), e.getMessage());
        e = assertThrows(Distill4jException.class,
                () -> run("--symbol", "BTCUSDT", "--start", "1748736000", "--base-url", url));
        assertTrue(e.getMessage().contains("epoch seconds"), e.getMessage());
        e = assertThrows(Distill4jException.class,
                () -> run("--symbol", "BTCUSDT", "--interval", "7m", "--start", "2025-06-01", "--base-url", url));
        assertTrue(e.getMessage().startsWith("unknown Bybit interval '7m'"), e.getMessage());
        e = assertThrows(Distill4jException.class,
                () -> run("--symbol", "BTCUSDT", "--category", "option", "--start", "2025-06-01"));
        assertTrue(e.getMessage().startsWith("unknown Bybit category"), e.getMessage());
        e = assertThrows(Distill4jException.class, () -> run("--symbol", "BTCUSDT", "--start", "2025-06-02",
                "--end", "2025-06-01", "--base-url", url));
        assertTrue(e.getMessage().contains("is after --end"), e.getMessage());
        e = assertThrows(Distill4jException.class,
                () -> run("--symbol", "BTC/USDT", "--start", "2025-06-01", "--base-url", url));
        assertTrue(e.getMessage().startsWith("--symbol 'BTC/USDT'"), e.getMessage());
        e = assertThrows(Distill4jException.class,
                () -> run("--symbol", "BTCUSDT", "--start", "2025-06-01", "--base-url", "localhost:1"));
        assertTrue(e.getMessage().startsWith("--base-url"), e.getMessage());
        assertEquals(0, requests.size());
    }

    @Test
    void emptyRangeIsAnErrorAndWritesNothing() {
        page = "{\"retCode\":0,\"retMsg\":\"OK\",\"result\":{\"list\":[]}}".getBytes(StandardCharsets.UTF_8);
        Path csv = dir.resolve("none.csv");
        Distill4jException e = assertThrows(Distill4jException.class, () -> run("--symbol", "BTCUSDT",
                "--start", "2025-06-01", "--end", "2025-06-02", "--out", csv.toString(), "--base-url", baseUrl()));
        assertTrue(e.getMessage().startsWith("Bybit has no finished linear BTCUSDT 5m bars"), e.getMessage());
        assertTrue(!Files.exists(csv));
    }
}
