package io.distill4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A read cursor over one mapping of a study file that remembers where it is (file and dotted path) and which keys
 * were read, so that every section parser reports bad values and unknown keys the same way.
 *
 * <p>Usage: read every key a section knows with the typed getters, then call {@link #finish()}, which rejects any
 * key that was not read. Every failure is a {@link ConfigException} naming the file, the path and what was expected.
 */
public final class ConfigNode {
    private final String file;
    private final String path;
    private final JsonNode node;
    private final Set<String> read = new LinkedHashSet<>();

    private ConfigNode(String file, String path, JsonNode node) {
        this.file = file;
        this.path = path;
        this.node = node;
    }

    /** The root of a study file; {@code file} is the name used in messages. */
    public static ConfigNode root(String file, JsonNode node) {
        ConfigNode root = new ConfigNode(file, "", node);
        root.requireObject();
        return root;
    }

    public String file() {
        return file;
    }

    /** This node's dotted path ({@code ""} for the root). */
    public String path() {
        return path;
    }

    /** The underlying tree (read-only use). */
    public JsonNode json() {
        return node;
    }

    /** The dotted path of {@code key} under this node. */
    public String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** An error about {@code key} under this node. */
    public ConfigException error(String key, String problem) {
        return new ConfigException(file, key == null ? path : pathOf(key), problem);
    }

    /** An error about this node itself. */
    public ConfigException error(String problem) {
        return new ConfigException(file, path, problem);
    }

    public boolean has(String key) {
        JsonNode v = node.get(key);
        return v != null && !v.isNull();
    }

    /** The keys present in this mapping, in file order. */
    public List<String> keys() {
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    // ---- sections ----------------------------------------------------------------------------

    /** A required nested mapping. */
    public ConfigNode section(String key) {
        return optionalSection(key).orElseThrow(() -> error(key, "missing section (expected a mapping)"));
    }

    /** An optional nested mapping. */
    public Optional<ConfigNode> optionalSection(String key) {
        JsonNode v = value(key);
        if (v == null) {
            return Optional.empty();
        }
        ConfigNode child = new ConfigNode(file, pathOf(key), v);
        child.requireObject();
        return Optional.of(child);
    }

    /** A list of mappings, e.g. a list of stages; each element's path is {@code key[i]}. */
    public List<ConfigNode> sectionList(String key) {
        JsonNode v = value(key);
        if (v == null) {
            return List.of();
        }
        if (!v.isArray()) {
            throw error(key, "expected a list of mappings, got " + describe(v));
        }
        List<ConfigNode> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            ConfigNode child = new ConfigNode(file, pathOf(key) + "[" + i + "]", v.get(i));
            child.requireObject();
            out.add(child);
        }
        return out;
    }

    // ---- scalars -----------------------------------------------------------------------------

    public String string(String key) {
        return optionalString(key).orElseThrow(() -> missing(key, "a string"));
    }

    /**
     * The folder relative file paths in this study file start at: the study file's own folder (so a study runs the
     * same from any working directory). {@code --set} values are made absolute against the working directory before
     * they reach the tree (see {@link ConfigOverrides}).
     */
    public Path folder() {
        Path parent = Path.of(file).toAbsolutePath().getParent();
        return parent == null ? Path.of("").toAbsolutePath() : parent;
    }

    /**
     * The required input file at {@code key} (a string), resolved against {@link #folder()} (an absolute path is
     * kept as it is); an error names the key, the resolved path and, for a relative one, where it started, e.g.
     * {@code data.source.path: kline file not found: /home/u/configs/btc.csv (relative paths start at the study
     * file's folder /home/u/configs)}.
     *
     * @param what what the file is, for the message ({@code kline file}, {@code saved model})
     */
    public Path existingFile(String key, String what) {
        String text = string(key);
        Path p;
        try {
            p = folder().resolve(text).normalize();
        } catch (InvalidPathException e) {
            throw error(key, "not a valid file path: '" + text + "'");
        }
        if (!Files.isRegularFile(p)) {
            String where = Path.of(text).isAbsolute() ? ""
                    : " (relative paths start at the study file's folder " + folder() + ")";
            throw error(key, (Files.isDirectory(p) ? "is a folder, not a " + what + ": " : what + " not found: ") + p
                    + where);
        }
        return p;
    }

    public String string(String key, String defaultValue) {
        return optionalString(key).orElse(defaultValue);
    }

    public Optional<String> optionalString(String key) {
        JsonNode v = value(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isTextual() && !v.isNumber() && !v.isBoolean()) {
            throw error(key, "expected a string, got " + describe(v));
        }
        String s = v.asText();
        if (s.isBlank()) {
            throw error(key, "expected a non-empty string");
        }
        return Optional.of(s);
    }

    /** A string that must be one of {@code allowed} (case-sensitive). */
    public String choice(String key, String defaultValue, List<String> allowed) {
        String s = defaultValue == null ? string(key) : string(key, defaultValue);
        if (!allowed.contains(s)) {
            throw error(key, "expected one of " + allowed + ", got '" + s + "'");
        }
        return s;
    }

    public int integer(String key, int min, int max) {
        return optionalInteger(key, min, max).orElseThrow(() -> missing(key, rangeText("an integer", min, max)));
    }

    public int integer(String key, int defaultValue, int min, int max) {
        return optionalInteger(key, min, max).orElse(defaultValue);
    }

    public Optional<Integer> optionalInteger(String key, int min, int max) {
        return optionalLong(key, min, max).map(Long::intValue);
    }

    public long longValue(String key, long defaultValue, long min, long max) {
        return optionalLong(key, min, max).orElse(defaultValue);
    }

    public Optional<Long> optionalLong(String key, long min, long max) {
        JsonNode v = value(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw error(key, "expected " + rangeText("an integer", min, max) + ", got " + describe(v));
        }
        long x = v.asLong();
        if (x < min || x > max) {
            throw error(key, "expected " + rangeText("an integer", min, max) + ", got " + x);
        }
        return Optional.of(x);
    }

    /** A number in the closed range {@code [min, max]}. */
    public double number(String key, double min, double max) {
        return optionalNumber(key, min, max).orElseThrow(() -> missing(key, rangeText("a number", min, max)));
    }

    public double number(String key, double defaultValue, double min, double max) {
        return optionalNumber(key, min, max).orElse(defaultValue);
    }

    public Optional<Double> optionalNumber(String key, double min, double max) {
        JsonNode v = value(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isNumber()) {
            throw error(key, "expected " + rangeText("a number", min, max) + ", got " + describe(v));
        }
        double x = v.asDouble();
        if (!Double.isFinite(x) || x < min || x > max) {
            throw error(key, "expected " + rangeText("a number", min, max) + ", got " + v.asText());
        }
        return Optional.of(x);
    }

    public boolean bool(String key, boolean defaultValue) {
        JsonNode v = value(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isBoolean()) {
            throw error(key, "expected true or false, got " + describe(v));
        }
        return v.asBoolean();
    }

    /** A non-empty list of integers, each in {@code [min, max]}; {@code defaultValue} when absent. */
    public List<Integer> integerList(String key, List<Integer> defaultValue, int min, int max) {
        JsonNode v = value(key);
        if (v == null) {
            if (defaultValue == null) {
                throw missing(key, "a list of integers");
            }
            return defaultValue;
        }
        if (!v.isArray() || v.isEmpty()) {
            throw error(key, "expected a non-empty list of " + rangeText("integers", min, max) + ", got " + describe(v));
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isIntegralNumber() || !e.canConvertToInt() || e.asInt() < min || e.asInt() > max) {
                throw new ConfigException(file, pathOf(key) + "[" + i + "]",
                        "expected " + rangeText("an integer", min, max) + ", got " + describe(e));
            }
            out.add(e.asInt());
        }
        return List.copyOf(out);
    }

    /** Any value under {@code key} as a raw tree (marks it read), or empty. */
    public Optional<JsonNode> raw(String key) {
        return Optional.ofNullable(value(key));
    }

    /** Rejects every key of this mapping that no getter read. Call after reading a section. */
    public void finish() {
        Set<String> unknown = new TreeSet<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!read.contains(k)) {
                unknown.add(k);
            }
        }
        if (!unknown.isEmpty()) {
            String first = unknown.iterator().next();
            String valid = read.isEmpty() ? "none" : String.join(", ", new TreeSet<>(read));
            throw error(first, "unknown key '" + first + "' (valid keys here: " + valid + ")");
        }
    }

    /** Marks keys as known without reading them (for keys another component reads, e.g. {@code type}). */
    public ConfigNode accept(String... keys) {
        read.addAll(List.of(keys));
        return this;
    }

    // ---- internals ---------------------------------------------------------------------------

    private JsonNode value(String key) {
        read.add(key);
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    private void requireObject() {
        if (!(node instanceof ObjectNode)) {
            throw error("expected a mapping, got " + describe(node));
        }
    }

    private ConfigException missing(String key, String expected) {
        return error(key, "missing (expected " + expected + ")");
    }

    private static String rangeText(String what, double min, double max) {
        boolean lo = min > -Double.MAX_VALUE && min != Long.MIN_VALUE && min != Integer.MIN_VALUE;
        boolean hi = max < Double.MAX_VALUE && max != Long.MAX_VALUE && max != Integer.MAX_VALUE;
        if (lo && hi) {
            return what + " in [" + fmt(min) + ", " + fmt(max) + "]";
        }
        if (lo) {
            return what + " >= " + fmt(min);
        }
        if (hi) {
            return what + " <= " + fmt(max);
        }
        return what;
    }

    private static String fmt(double x) {
        return io.distill4j.api.ParameterDomain.format(x);
    }

    /** A short description of a value for messages: its type and, for scalars, the value. */
    public static String describe(JsonNode v) {
        if (v == null || v.isNull() || v.getNodeType() == JsonNodeType.MISSING) {
            return "nothing";
        }
        if (v.isObject()) {
            return "a mapping";
        }
        if (v.isArray()) {
            return v.isEmpty() ? "an empty list" : "a list";
        }
        if (v.isTextual()) {
            String t = v.asText();
            return "the string '" + (t.length() > 60 ? t.substring(0, 57) + "..." : t) + "'";
        }
        if (v.isBoolean()) {
            return "the boolean " + v.asText();
        }
        return "the number " + v.asText();
    }
}
