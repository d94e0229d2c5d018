package io.distill4j.tracking;

import io.distill4j.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import java.nio.file.Files;
import java.nio.file.Path;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Writes MLflow's {@code meta.yaml} files the way MLflow (PyYAML {@code safe_dump}) does: one {@code key: value}
 * line per field in key order, strings plain where YAML reads them back as the same string and single-quoted
 * otherwise (a little more often than PyYAML: e.g. {@code 1e3}, which SnakeYAML reads as a number), strings with
 * control characters double-quoted, {@code null}, integers, and {@code []} for an empty list. Also builds MLflow's {@code file://} URIs.
 */
final class MetaYaml {

    private static final Set<String> RESERVED_WORDS = Set.of(
            "null", "~", "true", "false", "yes", "no", "on", "off", "=", "<<");
    /**
     * Plain scalars YAML 1.1 (PyYAML, which MLflow reads with, or SnakeYAML) would resolve to a number or a
     * timestamp: decimal, binary, hex and sexagesimal numbers, .inf/.nan, dates.
     */
    private static final Pattern NON_STRING = Pattern.compile(
            "[-+]?(\\.[0-9_]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?"
            + "|[-+]?0b[01_]+|[-+]?0x[0-9a-fA-F_]+"
            + "|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?"
            + "|[-+]?\\.(inf|nan)"
            + "|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt \\t].*)?",
            Pattern.CASE_INSENSITIVE);
    private static final String INDICATORS = ",[]{}#&*!|>'\"%@`";

    private MetaYaml() {
    }

    /** The YAML text for {@code fields}: sorted {@code key: value} lines. Values: String, Number, null, List (empty). */
    static String render(Map<String, ?> fields) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, ?> e : new TreeMap<>(fields).entrySet()) {
            sb.append(e.getKey()).append(": ").append(scalar(e.getValue())).append('\n');
        }
        return sb.toString();
    }

    /** Atomically replaces {@code dir/meta.yaml} with {@code fields} (temp file in the same folder, then rename). */
    static void write(Path dir, Map<String, ?> fields) {
        writeAtomically(dir.resolve("meta.yaml"), render(fields).getBytes(StandardCharsets.UTF_8), dir);
    }

    /**
     * Writes {@code content} to a temp file in {@code tmpDir} (same file system, a folder MLflow does not list as
     * params, tags or metrics) and renames it over {@code target}.
     */
    static void writeAtomically(Path target, byte[] content, Path tmpDir) {
        Path tmp = tmpDir.resolve(".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(target.getParent());
            Files.write(tmp, content);
            AtomicFiles.replace(tmp, target);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    static String scalar(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Number) {
            return value.toString();
        }
        if (value instanceof List<?> list) {
            if (!list.isEmpty()) {
                throw new IllegalArgumentException("only empty lists are written to meta.yaml");
            }
            return "[]";
        }
        String s = value.toString();
        if (needsDoubleQuotes(s)) {
            return doubleQuoted(s);
        }
        return isPlainSafe(s) ? s : "'" + s.replace("'", "''") + "'";
    }

    private static boolean needsDoubleQuotes(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\u0085' || c == '\u2028' || c == '\u2029' || c == '\ufeff') {
                return true;
            }
        }
        return false;
    }

    private static boolean isPlainSafe(String s) {
        if (s.isEmpty() || INDICATORS.indexOf(s.charAt(0)) >= 0 || s.charAt(0) == ' '
                || ("-?:".indexOf(s.charAt(0)) >= 0 && (s.length() == 1 || s.charAt(1) == ' '))
                || s.charAt(s.length() - 1) == ' ' || s.endsWith(":")
                || s.contains(": ") || s.contains(" #") || s.contains("\t")) {
            return false;
        }
        return !RESERVED_WORDS.contains(s.toLowerCase(Locale.ROOT)) && !NON_STRING.matcher(s).matches();
    }

    private static String doubleQuoted(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u0085' || c == '\u2028' || c == '\u2029' || c == '\ufeff') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /**
     * The {@code file://} URI of an absolute path as Python's {@code pathlib.Path.as_uri()} writes it: ASCII
     * letters, digits, {@code _.-~/} kept, every other UTF-8 byte percent-encoded, no trailing slash.
     */
    static String fileUri(Path path) {
        String abs = path.toAbsolutePath().normalize().toString().replace('\\', '/');
        if (!abs.startsWith("/")) {
            abs = "/" + abs; // Windows drive letter path
        }
        StringBuilder sb = new StringBuilder("file://");
        for (byte b : abs.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == '-' || c == '~' || c == '/';
            if (keep) {
                sb.append((char) c);
            } else {
                sb.append('%').append(String.format("%02X", c));
            }
        }
        return sb.toString();
    }
}
