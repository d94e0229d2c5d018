package io.distill4j.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distill4j.config.ConfigException;
import io.distill4j.config.ConfigOverrides;
import io.distill4j.config.ConfigPaths;
import io.distill4j.config.Grid;
import io.distill4j.config.GridCell;
import io.distill4j.config.StudyFileReader;
import io.distill4j.experiment.Study;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A loaded search: the study file's tree (overrides applied), its validated {@link SearchConfig}, and the study's
 * default configuration as a {@link Study} of one cell over the search's seeds (its teachers are the ones every
 * candidate distils from).
 *
 * @param file the study file's name, for messages
 * @param tree the file's tree with overrides applied, {@code search} included
 * @param config the search section
 * @param defaults the study without its search: the default configuration
 * @param overrides the {@code --set} overrides
 */
public record Search(String file, ObjectNode tree, SearchConfig config, Study defaults, List<String> overrides) {

    /** Reads, overrides and validates a study file with a {@code search} section. No training happens here. */
    public static Search load(Path path, List<String> overrides) {
        return of(path.toString(), ConfigOverrides.applied(StudyFileReader.read(path), overrides), overrides);
    }

    /**
     * The search of {@code tree} (a study file's tree with {@code overrides} applied) read from {@code file}: how a
     * cluster worker rebuilds the driver's search ({@link CandidateTask}).
     */
    public static Search of(String file, ObjectNode tree, List<String> overrides) {
        if (!SearchConfig.declared(tree)) {
            throw new ConfigException(file, "search", "missing section (expected a mapping: strategy, budget, "
                    + "objective, parameters); 'distill4j run' runs a study without one");
        }
        SearchConfig config = SearchConfig.parse(file, tree);
        ObjectNode plain = withoutSearch(tree);
        List<GridCell> cells = Grid.of(file, plain).cells();
        Study defaults = Study.of(file, plain, cells, config.seeds(), overrides);
        return new Search(file, tree, config, defaults, overrides);
    }

    /** The study's name. */
    public String name() {
        return defaults.name();
    }

    /** The tree without {@code search} and {@code seeds}, with the search's seeds as {@code seeds}. */
    static ObjectNode withoutSearch(ObjectNode tree) {
        ObjectNode plain = tree.deepCopy();
        plain.remove("search");
        return plain;
    }

    /** The default configuration's resolved tree (no grid, seeds or search). */
    public ObjectNode defaultResolved() {
        return defaults.cells().get(0).resolved();
    }

    /** The default configuration's values at the searched paths (paths it leaves to their defaults are absent). */
    public LinkedHashMap<String, JsonNode> defaultValues() {
        LinkedHashMap<String, JsonNode> out = new LinkedHashMap<>();
        for (SearchConfig.Parameter p : config.parameters()) {
            ConfigPaths.get(defaultResolved(), p.path()).ifPresent(v -> out.put(p.path(), v.deepCopy()));
        }
        return out;
    }

    /** The resolved tree of a candidate: the default one with {@code assignments} set. */
    public ObjectNode resolved(Map<String, JsonNode> assignments) {
        ObjectNode out = defaultResolved().deepCopy();
        assignments.forEach((p, v) -> ConfigPaths.set(file, out, p, v.deepCopy(), true));
        return out;
    }

    /** A candidate as a grid cell (its label names its values, e.g. {@code temperature=3.2,alpha=0.41}). */
    public GridCell cell(int index, Map<String, JsonNode> assignments) {
        return new GridCell(index, new LinkedHashMap<>(assignments), resolved(assignments));
    }
}
