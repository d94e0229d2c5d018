package io.distill4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Dotted config paths such as {@code distillation.loss.temperature} or {@code teacher.hidden[1]}: a key is
 * letters, digits, {@code _} or {@code -}; a key may be followed by list indices {@code [i]}.
 */
public final class ConfigPaths {
    private static final Pattern SEGMENT = Pattern.compile("([A-Za-z0-9_-]+)((?:\\[[0-9]+\\])*)");
    private static final Pattern INDEX = Pattern.compile("\\[([0-9]+)\\]");

    private ConfigPaths() {
    }

    /** One step of a path: a mapping key, or (when {@code key} is null) a list index. */
    public record Step(String key, int index) {
        public boolean isKey() {
            return key != null;
        }

        @Override
        public String toString() {
            return isKey() ? key : "[" + index + "]";
        }
    }

    /** Why {@code path} is not a valid path, or {@code null} if it is. */
    public static String syntaxProblem(String path) {
        if (path == null || path.isEmpty()) {
            return "empty path";
        }
        for (String seg : path.split("\\.", -1)) {
            if (seg.isEmpty()) {
                return "empty segment in path '" + path + "'";
            }
            if (!SEGMENT.matcher(seg).matches()) {
                return "bad segment '" + seg + "' in path '" + path
                        + "' (keys are letters, digits, _ or -, optionally followed by [index])";
            }
            if (seg.matches("[^\\[]*\\[[0-9]{10,}\\].*")) {
                return "index too large in path '" + path + "'";
            }
        }
        return null;
    }

    /** The steps of {@code path}; throws {@link IllegalArgumentException} (with {@link #syntaxProblem}) if bad. */
    public static List<Step> parse(String path) {
        String problem = syntaxProblem(path);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        List<Step> steps = new ArrayList<>();
        for (String seg : path.split("\\.")) {
            Matcher m = SEGMENT.matcher(seg);
            m.matches();
            steps.add(new Step(m.group(1), -1));
            Matcher idx = INDEX.matcher(m.group(2));
            while (idx.find()) {
                steps.add(new Step(null, Integer.parseInt(idx.group(1))));
            }
        }
        return steps;
    }

    /** The last key of a path with its indices, e.g. {@code hidden[1]} for {@code teacher.hidden[1]}. */
    public static String lastSegment(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }

    /** The value at {@code path}, or empty if any step is missing, null or of the wrong kind. */
    public static Optional<JsonNode> get(JsonNode root, String path) {
        JsonNode cur = root;
        for (Step s : parse(path)) {
            if (cur == null) {
                return Optional.empty();
            }
            cur = s.isKey() ? (cur.isObject() ? cur.get(s.key()) : null)
                    : (cur.isArray() ? cur.get(s.index()) : null);
        }
        return cur == null || cur.isNull() ? Optional.empty() : Optional.of(cur);
    }

    /**
     * Sets {@code value} at {@code path} in {@code root}, replacing any value there. The last key is created if
     * absent; missing (or null) intermediate mappings are created only if {@code createMissing}. Setting through a
     * scalar or list (or a list index that does not exist) is a {@link ConfigException} of {@code file} at
     * {@code path}.
     */
    public static void set(String file, ObjectNode root, String path, JsonNode value, boolean createMissing) {
        List<Step> steps;
        try {
            steps = parse(path);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file, "", "bad path syntax in '" + path + "': " + e.getMessage());
        }
        JsonNode cur = root;
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            boolean last = i == steps.size() - 1;
            String parent = i == 0 ? "the top level" : parentPath(steps, i - 1);
            if (s.isKey()) {
                if (!cur.isObject()) {
                    throw new ConfigException(file, path, "cannot set '" + s.key() + "' inside " + parent
                            + ", which is " + ConfigNode.describe(cur) + ", not a mapping");
                }
                ObjectNode obj = (ObjectNode) cur;
                if (last) {
                    obj.set(s.key(), value);
                    return;
                }
                JsonNode next = obj.get(s.key());
                if (next == null || next.isNull()) {
                    if (!createMissing) {
                        throw new ConfigException(file, path, "cannot set: " + parentPath(steps, i)
                                + " does not exist");
                    }
                    if (!steps.get(i + 1).isKey()) {
                        throw new ConfigException(file, path, "cannot set: " + parentPath(steps, i)
                                + " does not exist, so it has no list elements");
                    }
                    next = obj.putObject(s.key());
                }
                cur = next;
            } else {
                if (!cur.isArray()) {
                    throw new ConfigException(file, path, "cannot use index [" + s.index() + "] on " + parent
                            + ", which is " + ConfigNode.describe(cur) + ", not a list");
                }
                ArrayNode list = (ArrayNode) cur;
                if (s.index() >= list.size()) {
                    throw new ConfigException(file, path, "index [" + s.index() + "] is out of range: " + parent
                            + " has " + list.size() + " element" + (list.size() == 1 ? "" : "s"));
                }
                if (last) {
                    list.set(s.index(), value);
                    return;
                }
                cur = list.get(s.index());
            }
        }
    }

    /** Removes the value at {@code path} if present (only mapping keys are removed); returns it, if any. */
    public static Optional<JsonNode> remove(ObjectNode root, String path) {
        List<Step> steps = parse(path);
        Step last = steps.get(steps.size() - 1);
        if (!last.isKey()) {
            throw new IllegalArgumentException("cannot remove a list element by path: " + path);
        }
        JsonNode cur = root;
        for (Step s : steps.subList(0, steps.size() - 1)) {
            cur = s.isKey() ? cur.get(s.key()) : cur.get(s.index());
            if (cur == null) {
                return Optional.empty();
            }
        }
        return cur.isObject() ? Optional.ofNullable(((ObjectNode) cur).remove(last.key())) : Optional.empty();
    }

    /** {@code parent.key}, or {@code key} when {@code parent} is empty. */
    public static String child(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }

    private static String parentPath(List<Step> steps, int uptoInclusive) {
        StringBuilder b = new StringBuilder();
        for (int j = 0; j <= uptoInclusive; j++) {
            Step s = steps.get(j);
            if (s.isKey() && b.length() > 0) {
                b.append('.');
            }
            b.append(s);
        }
        return b.toString();
    }
}
