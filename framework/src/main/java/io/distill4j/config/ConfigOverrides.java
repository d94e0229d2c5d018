package io.distill4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Command-line overrides {@code --set path=value}, applied to a study tree before grid expansion.
 *
 * <p>The value is parsed as YAML ({@code 4}, {@code 0.5}, {@code true}, {@code abc}, {@code [1, 2]},
 * {@code {a: 1}}, {@code null}, {@code "quoted text"}) and replaces whatever is at the path; missing intermediate
 * mappings are created (unknown keys are left for the section parsers to reject). The path is a
 * {@link ConfigPaths} path, except that everything after {@code grid.} is one grid axis, so
 * {@code --set grid.distillation.loss.alpha=[0.3]} replaces (or adds) that axis. Errors are
 * {@link ConfigException}s whose file is {@code --set} and whose message quotes the override.
 *
 * <p>File paths: relative paths written in a study file start at its folder ({@link ConfigNode#existingFile}), but a
 * value typed on the command line means a path from where the command runs. So every {@value #PATH_KEY} value an
 * override sets (the overridden key itself, the elements of a grid axis over it, or keys inside a mapping value such
 * as {@code data.source={type: csv, path: a.csv}}) is made absolute against the working directory here.
 */
public final class ConfigOverrides {
    /** The "file" named in override errors. */
    public static final String SOURCE = "--set";
    /** The key of every file-path setting ({@code data.source.path}, a saved teacher's or positions file's). */
    public static final String PATH_KEY = "path";

    private ConfigOverrides() {
    }

    /** One parsed override. */
    public record Override(String path, JsonNode value, String text) {
    }

    /** Parses {@code path=value}. */
    public static Override parse(String text) {
        int eq = text.indexOf('=');
        if (eq < 0) {
            throw new ConfigException(SOURCE, "", "malformed override '" + shown(text)
                    + "' (expected path=value, e.g. training.epochs=5)");
        }
        String path = text.substring(0, eq).trim();
        String valueText = text.substring(eq + 1);
        if (path.isEmpty()) {
            throw new ConfigException(SOURCE, "", "malformed override '" + shown(text)
                    + "': empty path before '=' (expected path=value, e.g. training.epochs=5)");
        }
        String problem = path.startsWith("grid.") ? gridAxisProblem(path.substring(5)) : ConfigPaths.syntaxProblem(path);
        if (problem != null) {
            throw new ConfigException(SOURCE, "", "bad path in override '" + shown(text) + "': " + problem);
        }
        if (valueText.isBlank()) {
            throw new ConfigException(SOURCE, path, "empty value in override '" + shown(text)
                    + "' (write null to unset, or '' for an empty string)");
        }
        JsonNode value;
        try {
            value = StudyFileReader.parseDocument(valueText);
        } catch (StudyFileReader.Problem p) {
            throw new ConfigException(SOURCE, path, "bad value in override '" + shown(text) + "': "
                    + (p.path.isEmpty() ? "" : "at " + p.path + ": ") + p.problem);
        }
        if (value == null) {
            throw new ConfigException(SOURCE, path, "empty value in override '" + shown(text)
                    + "' (write null to unset, or '' for an empty string)");
        }
        String last = path.substring(path.lastIndexOf('.') + 1).replaceFirst("\\[.*", "");
        return new Override(path, absolutePaths(value, last.equals(PATH_KEY)), text);
    }

    /** {@code value} with its file paths (all of it if {@code isPath}, else {@value #PATH_KEY} keys) made absolute. */
    private static JsonNode absolutePaths(JsonNode value, boolean isPath) {
        return absolutePaths(value, isPath, Path.of("").toAbsolutePath());
    }

    /**
     * A copy of a study tree whose relative file paths (every {@value #PATH_KEY} value) are resolved against
     * {@code folder}, e.g. a study file's folder, so the tree means the same written anywhere else (a search's
     * {@code best.yaml}).
     */
    public static JsonNode absolutePaths(JsonNode tree, Path folder) {
        return absolutePaths(tree, false, folder);
    }

    private static JsonNode absolutePaths(JsonNode value, boolean isPath, Path base) {
        if (value.isTextual() && isPath) {
            try {
                return TextNode.valueOf(base.resolve(value.asText()).normalize().toString());
            } catch (InvalidPathException e) {
                return value; // reported, with its config path, when the section is parsed
            }
        }
        if (value.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            value.forEach(v -> copy.add(absolutePaths(v, isPath, base)));
            return copy;
        }
        if (value.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            value.fields().forEachRemaining(e -> copy.set(e.getKey(), absolutePaths(e.getValue(),
                    e.getKey().equals(PATH_KEY), base)));
            return copy;
        }
        return value;
    }

    /** Applies {@code overrides} in order to {@code study} (modified in place). */
    public static void apply(ObjectNode study, List<String> overrides) {
        List<Override> parsed = new ArrayList<>();
        for (String o : overrides) {
            parsed.add(parse(o));
        }
        for (Override o : parsed) {
            apply(study, o);
        }
    }

    /** A copy of {@code study} with {@code overrides} applied. */
    public static ObjectNode applied(ObjectNode study, List<String> overrides) {
        ObjectNode copy = study.deepCopy();
        apply(copy, overrides);
        return copy;
    }

    /** Applies one parsed override to {@code study} (modified in place). */
    public static void apply(ObjectNode study, Override o) {
        try {
            if (o.path().startsWith("grid.")) {
                JsonNode grid = study.get("grid");
                if (grid == null || grid.isNull()) {
                    grid = study.putObject("grid");
                }
                if (!grid.isObject()) {
                    throw new ConfigException(SOURCE, o.path(), "cannot set a grid axis: grid is "
                            + ConfigNode.describe(grid) + ", not a mapping");
                }
                ((ObjectNode) grid).set(o.path().substring(5), o.value());
            } else {
                ConfigPaths.set(SOURCE, study, o.path(), o.value(), true);
            }
        } catch (ConfigException e) {
            String prefix = SOURCE + ": " + (e.path().isEmpty() ? "" : e.path() + ": ");
            String problem = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length())
                    : e.getMessage();
            throw new ConfigException(SOURCE, e.path(), problem + " (override '" + shown(o.text()) + "')");
        }
    }

    private static String gridAxisProblem(String axis) {
        String p = ConfigPaths.syntaxProblem(axis);
        return p == null ? null : "grid axis: " + p;
    }

    private static String shown(String text) {
        String one = StudyFileReader.oneLine(text);
        return one.length() > 120 ? one.substring(0, 117) + "..." : one;
    }
}
