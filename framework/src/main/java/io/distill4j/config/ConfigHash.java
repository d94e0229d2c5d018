package io.distill4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/**
 * Canonical JSON and SHA-256 hashes of config trees, so that equal configs get equal ids whatever the key order.
 *
 * <p>Canonical form: no whitespace; mapping keys sorted recursively (by UTF-16 code units, as {@link String#compareTo});
 * strings escaped minimally ({@code \" \\ \b \f \n \r \t}, other control characters as <code>&#92;u00xx</code>; all
 * other characters as UTF-8). Numbers are compared by value: <b>a number with an integral value is written as an
 * integer</b>, so {@code 4}, {@code 4.0} and {@code 4e0} hash the same (a field that needs an integer rejects
 * {@code 4.0} anyway, and a field that takes a number treats them alike). Other floating-point numbers are written
 * as the shortest decimal that reads back as the same double, via exact {@link BigDecimal} arithmetic (so the form
 * does not depend on the JDK's {@link Double#toString}); {@link BigDecimal#toString()} notation, e.g. {@code 0.005},
 * {@code 1.5E-7}. Non-finite numbers are rejected.
 */
public final class ConfigHash {
    private static final int SHORT_LENGTH = 12;

    private ConfigHash() {
    }

    /** The SHA-256 of {@link #canonicalJson(JsonNode)} (UTF-8), as 64 lowercase hex characters. */
    public static String of(JsonNode node) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(canonicalJson(node).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /**
     * The SHA-256 of a file a config refers to (a saved model, a positions file), as 64 lowercase hex characters, so
     * that keys built from configs also change when such a file's contents change.
     */
    public static String sha256(java.nio.file.Path file) {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (java.io.IOException e) {
            throw new io.distill4j.Distill4jException("cannot read " + file + " (" + e.getMessage() + ")", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** The first 12 hex characters of {@link #of(JsonNode)}: a short id for run names and directories. */
    public static String shortId(JsonNode node) {
        return of(node).substring(0, SHORT_LENGTH);
    }

    /** The canonical JSON text of {@code node} (one line). */
    public static String canonicalJson(JsonNode node) {
        StringBuilder b = new StringBuilder();
        write(node, b);
        return b.toString();
    }

    private static void write(JsonNode n, StringBuilder b) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            b.append("null");
        } else if (n.isObject()) {
            List<String> keys = new ArrayList<>();
            n.fieldNames().forEachRemaining(keys::add);
            Collections.sort(keys);
            b.append('{');
            for (int i = 0; i < keys.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                string(keys.get(i), b);
                b.append(':');
                write(n.get(keys.get(i)), b);
            }
            b.append('}');
        } else if (n.isArray()) {
            b.append('[');
            for (int i = 0; i < n.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                write(n.get(i), b);
            }
            b.append(']');
        } else if (n.isBoolean()) {
            b.append(n.booleanValue());
        } else if (n.isNumber()) {
            b.append(number(n));
        } else if (n.isTextual()) {
            string(n.textValue(), b);
        } else if (n.isBinary()) {
            string(n.asText(), b);
        } else {
            throw new IllegalArgumentException("cannot hash a " + n.getNodeType() + " node");
        }
    }

    /** The canonical text of a number node. */
    static String number(JsonNode n) {
        if (n.isIntegralNumber()) {
            return n.bigIntegerValue().toString();
        }
        BigDecimal d;
        if (n.isBigDecimal()) {
            d = n.decimalValue();
        } else {
            double x = n.doubleValue();
            if (!Double.isFinite(x)) {
                throw new IllegalArgumentException("cannot hash the non-finite number " + x);
            }
            d = shortest(x);
        }
        if (d.signum() == 0) {
            return "0";
        }
        d = d.stripTrailingZeros();
        return d.scale() <= 0 ? d.toBigIntegerExact().toString() : d.toString();
    }

    /** The shortest decimal that rounds to {@code x} (exact arithmetic, independent of the JDK version). */
    private static BigDecimal shortest(double x) {
        BigDecimal exact = new BigDecimal(x);
        for (int digits = 1; digits < 17; digits++) {
            BigDecimal r = exact.round(new MathContext(digits));
            if (r.doubleValue() == x) {
                return r;
            }
        }
        return exact.round(new MathContext(17));
    }

    private static void string(String s, StringBuilder b) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
