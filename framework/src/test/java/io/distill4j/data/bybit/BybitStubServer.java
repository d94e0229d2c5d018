package io.distill4j.data.bybit;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A loopback HTTP server that answers each request with the next queued reply and records what was asked. */
final class BybitStubServer implements AutoCloseable {

    private record Reply(int status, String body) {
    }

    private final HttpServer server;
    private final Deque<Reply> replies = new ArrayDeque<>();
    private final List<URI> requests = new ArrayList<>();

    BybitStubServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            Reply reply;
            synchronized (this) {
                requests.add(exchange.getRequestURI());
                reply = replies.isEmpty() ? new Reply(404, "{\"unexpected\":\"request\"}") : replies.poll();
            }
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(reply.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Queues a 200 reply with the named test resource. */
    BybitStubServer reply(String resource) {
        return reply(200, resource(resource));
    }

    synchronized BybitStubServer reply(int status, String body) {
        replies.add(new Reply(status, body));
        return this;
    }

    synchronized List<URI> requests() {
        return List.copyOf(requests);
    }

    /** The query parameters of request {@code i}. */
    Map<String, String> query(int i) {
        Map<String, String> q = new HashMap<>();
        for (String kv : requests().get(i).getRawQuery().split("&")) {
            int eq = kv.indexOf('=');
            q.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return q;
    }

    static String resource(String name) {
        try (InputStream in = BybitStubServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
