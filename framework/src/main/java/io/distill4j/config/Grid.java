package io.distill4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code grid:} and {@code seeds:} sections of a study, validated, and the expansion of the grid into
 * {@link GridCell}s.
 *
 * <p>{@code grid} maps a config path ({@link ConfigPaths} syntax) to a non-empty list of distinct values; the cells
 * are the cartesian product in declared order, the first axis varying slowest. {@code seeds} is a non-empty list of
 * distinct integers, {@code [0]} by default. A {@code search} section (a hyperparameter search's declaration) is left out
 * of the cells, so a study's trials are the same with or without one. Values are compared as in {@link ConfigHash}, so {@code 4} and
 * {@code 4.0} are the same value.
 */
public final class Grid {
    /** At most this many cells; larger grids are almost certainly a mistake. */
    public static final int MAX_CELLS = 100_000;
    private static final Set<String> RESERVED = Set.of("grid", "seeds", "search");

    private final ObjectNode study;
    private final LinkedHashMap<String, List<JsonNode>> axes;
    private final List<Integer> seeds;

    private Grid(ObjectNode study, LinkedHashMap<String, List<JsonNode>> axes, List<Integer> seeds) {
        this.study = study;
        this.axes = axes;
        this.seeds = seeds;
    }

    /** Reads and validates the grid and seeds of {@code study} (not modified; {@code file} names it in messages). */
    public static Grid of(String file, ObjectNode study) {
        ObjectNode base = study.deepCopy();
        JsonNode gridNode = base.remove("grid");
        JsonNode seedsNode = base.remove("seeds");
        base.remove("search"); // a search's declaration (io.distill4j.search), not part of any trial's config
        List<Integer> seeds = seeds(file, seedsNode);
        LinkedHashMap<String, List<JsonNode>> axes = new LinkedHashMap<>();
        if (gridNode != null && !gridNode.isNull()) {
            if (!gridNode.isObject()) {
                throw new ConfigException(file, "grid", "expected a mapping of config path to list of values, got "
                        + ConfigNode.describe(gridNode));
            }
            long cells = 1;
            for (Iterator<Map.Entry<String, JsonNode>> it = gridNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                axes.put(e.getKey(), axis(file, base, axes.keySet(), e.getKey(), e.getValue()));
                cells *= axes.get(e.getKey()).size();
                if (cells > MAX_CELLS) {
                    throw new ConfigException(file, "grid", "the grid has more than " + MAX_CELLS + " cells");
                }
            }
        }
        return new Grid(base, axes, seeds);
    }

    /** The axes in declared order: path to its values (unmodifiable). */
    public Map<String, List<JsonNode>> axes() {
        return Collections.unmodifiableMap(axes);
    }

    /** The seeds, in declared order ({@code [0]} if the study has none). */
    public List<Integer> seeds() {
        return seeds;
    }

    /** The number of cells (1 without a grid). */
    public int size() {
        int n = 1;
        for (List<JsonNode> values : axes.values()) {
            n *= values.size();
        }
        return n;
    }

    /** All cells, first axis slowest; a single cell without assignments when there is no grid. */
    public List<GridCell> cells() {
        List<String> paths = new ArrayList<>(axes.keySet());
        int n = size();
        List<GridCell> out = new ArrayList<>(n);
        for (int index = 0; index < n; index++) {
            LinkedHashMap<String, JsonNode> assignments = new LinkedHashMap<>();
            int rest = index;
            int stride = n;
            for (String path : paths) {
                List<JsonNode> values = axes.get(path);
                stride /= values.size();
                assignments.put(path, values.get(rest / stride).deepCopy());
                rest %= stride;
            }
            ObjectNode resolved = study.deepCopy();
            assignments.forEach((path, value) -> ConfigPaths.set("grid", resolved, path, value.deepCopy(), true));
            out.add(new GridCell(index, assignments, resolved));
        }
        return out;
    }

    private static List<JsonNode> axis(String file, ObjectNode base, Set<String> earlier, String path, JsonNode v) {
        String at = "grid." + path;
        String problem = ConfigPaths.syntaxProblem(path);
        if (problem != null) {
            throw new ConfigException(file, at, "bad config path: " + problem);
        }
        String first = path.split("[.\\[]", 2)[0];
        if (RESERVED.contains(first)) {
            throw new ConfigException(file, at, "a grid axis cannot change '" + first + "' itself");
        }
        for (String other : earlier) {
            if (overlaps(other, path)) {
                throw new ConfigException(file, at, "overlaps the grid axis " + other
                        + " (one path must not lie inside the other)");
            }
        }
        if (!v.isArray() || v.isEmpty()) {
            throw new ConfigException(file, at, "expected a non-empty list of values, got " + ConfigNode.describe(v)
                    + (v.isValueNode() ? " (write [" + GridCell.valueText(v) + "] for a single value)" : ""));
        }
        List<JsonNode> values = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode value = v.get(i);
            Integer dup = seen.putIfAbsent(ConfigHash.canonicalJson(value), i);
            if (dup != null) {
                throw new ConfigException(file, at + "[" + i + "]", "duplicate value " + GridCell.valueText(value)
                        + " (same as " + at + "[" + dup + "])");
            }
            values.add(value);
        }
        // Fails now, with the grid path, if the parent of the path is a scalar or a list index is out of range.
        try {
            ConfigPaths.set(file, base.deepCopy(), path, values.get(0), true);
        } catch (ConfigException e) {
            String prefix = file + ": " + path + ": ";
            String msg = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
            throw new ConfigException(file, at, msg);
        }
        return values;
    }

    private static boolean overlaps(String a, String b) {
        return a.equals(b) || inside(a, b) || inside(b, a);
    }

    private static boolean inside(String inner, String outer) {
        return inner.startsWith(outer) && (inner.charAt(outer.length()) == '.' || inner.charAt(outer.length()) == '[');
    }

    private static List<Integer> seeds(String file, JsonNode v) {
        if (v == null || v.isNull()) {
            return List.of(0);
        }
        if (!v.isArray() || v.isEmpty()) {
            throw new ConfigException(file, "seeds", "expected a non-empty list of distinct integers, got "
                    + ConfigNode.describe(v) + (v.isIntegralNumber() ? " (write [" + v.asText() + "])" : ""));
        }
        List<Integer> out = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isIntegralNumber() || !e.canConvertToInt()) {
                throw new ConfigException(file, "seeds[" + i + "]", "expected an integer seed, got "
                        + ConfigNode.describe(e));
            }
            if (!seen.add(e.intValue())) {
                throw new ConfigException(file, "seeds[" + i + "]", "duplicate seed " + e.intValue());
            }
            out.add(e.intValue());
        }
        return List.copyOf(out);
    }
}
