package io.distill4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes a config tree as block-style YAML (e.g. the "resolved config" artifact of a run), keeping the tree's key
 * order. Lists of scalars are written in flow style ({@code hidden: [128, 64]}); strings are written plain when
 * that is unambiguous and double-quoted otherwise. {@link StudyFileReader} reads the output back to an equal tree.
 */
public final class StudyFileWriter {
    private static final int INDENT = 2;

    private StudyFileWriter() {
    }

    /** The YAML text of {@code root}, which must be a mapping; ends with a newline. */
    public static String toYaml(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the top level of a study must be a mapping");
        }
        StringBuilder b = new StringBuilder();
        if (root.isEmpty()) {
            return "{}\n";
        }
        mapping(root, 0, b);
        return b.toString();
    }

    /** {@link #toYaml(JsonNode)} preceded by {@code comment} as {@code #} lines (e.g. the config hash). */
    public static String toYaml(JsonNode root, String comment) {
        StringBuilder b = new StringBuilder();
        for (String line : comment.split("\\R", -1)) {
            b.append(line.isEmpty() ? "#" : "# " + line).append('\n');
        }
        return b.append(toYaml(root)).toString();
    }

    /** Writes {@link #toYaml(JsonNode)} to {@code file} (UTF-8), replacing it. */
    public static void write(Path file, JsonNode root) {
        write(file, root, null);
    }

    /** Writes {@link #toYaml(JsonNode, String)} (or without comment if it is null) to {@code file} (UTF-8). */
    public static void write(Path file, JsonNode root, String comment) {
        try {
            Files.writeString(file, comment == null ? toYaml(root) : toYaml(root, comment), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void mapping(JsonNode map, int indent, StringBuilder b) {
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            b.append(" ".repeat(indent)).append(string(e.getKey())).append(':');
            value(e.getValue(), indent, b);
        }
    }

    /** Writes the value after "key:" or "-": inline for scalars and flow lists, else on the next lines. */
    private static void value(JsonNode v, int indent, StringBuilder b) {
        if (isInline(v)) {
            b.append(' ').append(inline(v)).append('\n');
        } else if (v.isObject()) {
            b.append('\n');
            mapping(v, indent + INDENT, b);
        } else {
            b.append('\n');
            sequence(v, indent + INDENT, b);
        }
    }

    private static void sequence(JsonNode list, int indent, StringBuilder b) {
        for (JsonNode item : list) {
            if (item.isObject() && !item.isEmpty()) {
                StringBuilder sub = new StringBuilder();
                mapping(item, indent + INDENT, sub);
                b.append(" ".repeat(indent)).append("- ").append(sub, indent + INDENT, sub.length());
            } else {
                b.append(" ".repeat(indent)).append('-');
                value(item, indent, b);
            }
        }
    }

    private static boolean isInline(JsonNode v) {
        if (v.isContainerNode() && v.isEmpty()) {
            return true;
        }
        if (v.isArray()) {
            for (JsonNode e : v) {
                if (e.isContainerNode() && !e.isEmpty()) {
                    return false;
                }
            }
            return true;
        }
        return !v.isObject();
    }

    private static String inline(JsonNode v) {
        if (v.isObject()) {
            return "{}";
        }
        if (v.isArray()) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < v.size(); i++) {
                b.append(i > 0 ? ", " : "").append(inline(v.get(i)));
            }
            return b.append(']').toString();
        }
        if (v.isNull() || v.isMissingNode()) {
            return "null";
        }
        if (v.isTextual()) {
            return string(v.textValue());
        }
        if (v.isNumber()) {
            if (!v.isIntegralNumber() && !Double.isFinite(v.doubleValue())) {
                throw new IllegalArgumentException("cannot write the non-finite number " + v.asText());
            }
            return number(v);
        }
        if (v.isBoolean()) {
            return Boolean.toString(v.booleanValue());
        }
        return string(v.asText());
    }

    /**
     * A number as a study file writes it: integers as they are, other numbers in plain decimal notation with at
     * least one digit after the point ({@code 0.0001}, {@code 2.0}, {@code 0.005}), not in Java's scientific
     * notation ({@code 1.0E-4}); only magnitudes outside [1e-12, 1e16) keep the exponent ({@code 1.0E300}). Reads
     * back as the same number.
     */
    public static String number(JsonNode v) {
        if (v.isIntegralNumber()) {
            return v.bigIntegerValue().toString();
        }
        double x = v.doubleValue();
        if (!v.isBigDecimal() && (x == 0 || Math.abs(x) < 1e-12 || Math.abs(x) >= 1e16)) {
            return Double.toString(x);
        }
        java.math.BigDecimal d = v.isBigDecimal() ? v.decimalValue() : new java.math.BigDecimal(Double.toString(x));
        String plain = d.stripTrailingZeros().toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }

    /**
     * A value as one line of text, as the study file shows it: strings as they are (unquoted), numbers by
     * {@link #number}, booleans and null as in YAML, lists and mappings in flow style ({@code [256, 128, 64]}).
     */
    public static String text(JsonNode v) {
        return v.isTextual() ? v.textValue() : inline(v);
    }

    /** A key or string value: plain if unambiguous, else double-quoted with escapes. */
    private static String string(String s) {
        if (YamlScalars.isSafePlain(s)) {
            return s;
        }
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0xFFFE || c == 0xFFFF) {
                        b.append(String.format("\\u%04X", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
