package io.distill4j.data.bybit;

import io.distill4j.data.BybitInterval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distill4j.data.DataException;
import io.distill4j.api.KlineSeries;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * Downloads klines from Bybit's public v5 market API ({@code GET /v5/market/kline}).
 *
 * <p>{@link #fetch} pages backwards from {@code end} ({@link #MAX_LIMIT} bars per request, Bybit answers newest
 * first), validates every candle, and returns the bars whose open time lies in {@code [start, end]}, ascending and
 * unique. The newest bar is dropped while it is still forming (open time + interval after the clock's now).
 * Transient failures are retried per {@link RetryPolicy}; anything else is a {@link DataException} naming the
 * request. Instances are immutable and thread-safe; build one with {@link #builder()}.
 */
public final class BybitKlineClient {

    /** Bybit's public production endpoint. */
    public static final String DEFAULT_BASE_URL = "https://api.bybit.com";
    /** The most candles Bybit returns per request. */
    public static final int MAX_LIMIT = 1000;

    /** retCodes worth retrying: 10000 server timeout, 10006 too many visits, 10016 server error. */
    private static final Set<Integer> TRANSIENT_RET_CODES = Set.of(10000, 10006, 10016);
    private static final Pattern SYMBOL = Pattern.compile("[A-Z0-9]{2,40}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final HttpClient http;
    private final Clock clock;
    private final RetryPolicy retry;
    private final RetryPolicy.Sleeper sleeper;
    private final DoubleSupplier random;
    private final int pageLimit;
    private final Duration requestTimeout;

    private BybitKlineClient(Builder b) {
        this.baseUrl = b.baseUrl.endsWith("/") ? b.baseUrl.substring(0, b.baseUrl.length() - 1) : b.baseUrl;
        this.http = b.http != null ? b.http
                : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                        .followRedirects(HttpClient.Redirect.NORMAL).build();
        this.clock = b.clock;
        this.retry = b.retry;
        this.sleeper = b.sleeper;
        this.random = b.random;
        this.pageLimit = b.pageLimit;
        this.requestTimeout = b.requestTimeout;
    }

    /** A builder with the defaults: Bybit's production URL, system UTC clock, {@link RetryPolicy#DEFAULT}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The base URL requests go to, without a trailing slash. */
    public String baseUrl() {
        return baseUrl;
    }

    /** The clock that decides which bar is still forming. */
    public Clock clock() {
        return clock;
    }

    /**
     * All finished bars of {@code symbol} whose open time is in {@code [startMs, endMs]}, ascending.
     *
     * @param symbol e.g. {@code BTCUSDT} (upper case letters and digits)
     * @return the bars; empty when Bybit has none in the range. The source is
     *     {@code bybit:<category>:<symbol>:<api interval>}, e.g. {@code bybit:linear:BTCUSDT:5}
     * @throws DataException when Bybit rejects a request, keeps failing, or answers with a malformed candle
     */
    public KlineSeries fetch(BybitCategory category, String symbol, BybitInterval interval, long startMs,
            long endMs) {
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(interval, "interval");
        if (symbol == null || !SYMBOL.matcher(symbol).matches()) {
            throw new IllegalArgumentException("Bybit symbol must be upper case letters and digits, not '"
                    + symbol + "'");
        }
        if (startMs > endMs) {
            throw new IllegalArgumentException("start " + startMs + " is after end " + endMs);
        }
        TreeMap<Long, double[]> bars = new TreeMap<>();
        long cursor = endMs;
        int page = 0;
        while (cursor >= startMs) {
            page++;
            URI uri = URI.create(baseUrl + "/v5/market/kline?category=" + category.apiName() + "&symbol=" + symbol
                    + "&interval=" + interval.apiName() + "&start=" + startMs + "&end=" + cursor
                    + "&limit=" + pageLimit);
            JsonNode list = request(uri, page);
            if (list.isEmpty()) {
                break;
            }
            long oldest = Long.MAX_VALUE;
            for (int i = 0; i < list.size(); i++) {
                double[] row = new double[6];
                long t = parseCandle(list.get(i), row, uri, page, i);
                oldest = Math.min(oldest, t);
                if (t >= startMs && t <= endMs) {
                    bars.putIfAbsent(t, row); // a bar repeated at a page boundary keeps its first (newer) copy
                }
            }
            if (list.size() < pageLimit) {
                break; // Bybit returns fewer than limit bars only when the range is exhausted
            }
            if (oldest > cursor) {
                throw new DataException("Bybit " + describe(uri, page) + " did not move backwards: its oldest bar "
                        + Instant.ofEpochMilli(oldest) + " is after the requested end " + Instant.ofEpochMilli(cursor));
            }
            cursor = oldest - 1;
        }
        long now = clock.millis();
        bars.tailMap(now - interval.millis(), false).clear(); // still forming: open + interval > now
        return KlineSeries.fromBars("bybit:" + category.apiName() + ":" + symbol + ":" + interval.apiName(), bars);
    }


    /** Validates one candle {@code [startTime, open, high, low, close, volume, turnover]}; returns startTime. */
    private static long parseCandle(JsonNode candle, double[] row, URI uri, int page, int index) {
        String where = "Bybit " + describe(uri, page) + ", candle " + index;
        if (candle == null || !candle.isArray() || candle.size() != 7) {
            throw new DataException(where + ": expected 7 fields [startTime, open, high, low, close, volume, "
                    + "turnover], got " + abbreviate(String.valueOf(candle)));
        }
        String[] names = {"startTime", "open", "high", "low", "close", "volume", "turnover"};
        long t;
        String ts = candle.get(0).asText();
        try {
            t = Long.parseLong(ts);
        } catch (NumberFormatException e) {
            throw new DataException(where + ": startTime '" + ts + "' is not an integer");
        }
        if (t < 0) {
            throw new DataException(where + ": startTime " + t + " is negative");
        }
        for (int k = 1; k < 7; k++) {
            JsonNode f = candle.get(k);
            String text = f.asText();
            double v;
            try {
                if (!(f.isTextual() || f.isNumber())) {
                    throw new NumberFormatException();
                }
                v = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw new DataException(where + " (" + Instant.ofEpochMilli(t) + "): " + names[k] + " '"
                        + abbreviate(f.toString()) + "' is not a number");
            }
            boolean price = k <= 4;
            if (!Double.isFinite(v) || (price ? v <= 0 : v < 0)) {
                throw new DataException(where + " (" + Instant.ofEpochMilli(t) + "): " + names[k] + " " + text
                        + (price ? " is not a positive price" : " is negative or not finite"));
            }
            row[k - 1] = v;
        }
        double open = row[0];
        double high = row[1];
        double low = row[2];
        double close = row[3];
        if (high < low || open > high || open < low || close > high || close < low) {
            throw new DataException(where + " (" + Instant.ofEpochMilli(t) + "): inconsistent prices open " + open
                    + " high " + high + " low " + low + " close " + close);
        }
        return t;
    }

    /** One page, retried on transient failures; returns {@code result.list}. */
    private JsonNode request(URI uri, int page) {
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(requestTimeout).header("Accept", "application/json")
                .header("User-Agent", "distill4j").GET().build();
        String last = null;
        for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
            if (attempt > 1) {
                try {
                    sleeper.sleep(retry.delayMs(attempt - 1, random));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DataException("interrupted while retrying Bybit " + describe(uri, page), e);
                }
            }
            HttpResponse<String> resp;
            try {
                resp = http.send(req, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                last = "I/O error: " + e;
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DataException("interrupted during Bybit " + describe(uri, page), e);
            }
            int status = resp.statusCode();
            if (status == 429 || status >= 500) {
                last = "HTTP " + status;
                continue;
            }
            if (status != 200) {
                throw new DataException("Bybit " + describe(uri, page) + " failed: HTTP " + status + " "
                        + abbreviate(resp.body()));
            }
            JsonNode root;
            try {
                root = JSON.readTree(resp.body());
            } catch (JsonProcessingException e) {
                throw new DataException("Bybit " + describe(uri, page) + " answered with invalid JSON: "
                        + abbreviate(resp.body()));
            }
            if (root == null || !root.path("retCode").canConvertToInt()) {
                throw new DataException("Bybit " + describe(uri, page) + " answered without a retCode: "
                        + abbreviate(resp.body()));
            }
            int retCode = root.path("retCode").asInt();
            String retMsg = root.path("retMsg").asText("");
            if (TRANSIENT_RET_CODES.contains(retCode)) {
                last = "retCode " + retCode + " (" + retMsg + ")";
                continue;
            }
            if (retCode != 0) {
                throw new DataException("Bybit rejected " + describe(uri, page) + ": retCode " + retCode + " ("
                        + retMsg + ")");
            }
            JsonNode list = root.path("result").path("list");
            if (!list.isArray()) {
                throw new DataException("Bybit " + describe(uri, page) + " answered without result.list: "
                        + abbreviate(resp.body()));
            }
            return list;
        }
        throw new DataException("Bybit " + describe(uri, page) + " still failing after " + retry.maxAttempts()
                + " attempts; last: " + last);
    }

    private static String describe(URI uri, int page) {
        return "page " + page + " (GET " + uri + ")";
    }

    private static String abbreviate(String s) {
        String one = s == null ? "" : s.replaceAll("\\s+", " ").trim();
        return one.length() <= 200 ? one : one.substring(0, 200) + "...";
    }

    /** Configures a {@link BybitKlineClient}. */
    public static final class Builder {
        private String baseUrl = DEFAULT_BASE_URL;
        private HttpClient http;
        private Clock clock = Clock.systemUTC();
        private RetryPolicy retry = RetryPolicy.DEFAULT;
        private RetryPolicy.Sleeper sleeper = RetryPolicy.Sleeper.THREAD;
        private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
        private int pageLimit = MAX_LIMIT;
        private Duration requestTimeout = Duration.ofSeconds(30);

        private Builder() {
        }

        /** Where to send requests, e.g. {@code https://api-testnet.bybit.com} or a local test server. */
        public Builder baseUrl(String baseUrl) {
            URI u = URI.create(Objects.requireNonNull(baseUrl, "baseUrl"));
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                throw new IllegalArgumentException("Bybit base URL must be http(s)://host[:port], not '"
                        + baseUrl + "'");
            }
            this.baseUrl = baseUrl;
            return this;
        }

        /** The HTTP client to use (default: a new one with a 10 s connect timeout). */
        public Builder httpClient(HttpClient http) {
            this.http = Objects.requireNonNull(http, "http");
            return this;
        }

        /** The clock deciding which bar is still forming (default: system UTC). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How transient failures are retried (default {@link RetryPolicy#DEFAULT}). */
        public Builder retryPolicy(RetryPolicy retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /** How to wait between attempts (default {@link Thread#sleep(long)}). */
        public Builder sleeper(RetryPolicy.Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /** The jitter source, uniform in {@code [0, 1)}. */
        public Builder random(DoubleSupplier random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** Candles per request, 1 to {@link #MAX_LIMIT} (default {@link #MAX_LIMIT}). */
        public Builder pageLimit(int pageLimit) {
            if (pageLimit < 1 || pageLimit > MAX_LIMIT) {
                throw new IllegalArgumentException("pageLimit must be in 1.." + MAX_LIMIT + ", not " + pageLimit);
            }
            this.pageLimit = pageLimit;
            return this;
        }

        /** The timeout of each request (default 30 s). */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
            return this;
        }

        public BybitKlineClient build() {
            return new BybitKlineClient(this);
        }
    }
}
