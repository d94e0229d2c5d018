package io.distill4j.experiment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distill4j.config.ConfigOverrides;
import io.distill4j.config.Grid;
import io.distill4j.config.GridCell;
import io.distill4j.config.StudyFileReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A loaded and fully validated study: the file's tree with overrides applied, every grid cell parsed, and the
 * trials to run: one per distinct teacher, one student-alone baseline per distinct student setup and seed, and one
 * distilled student per cell and seed.
 */
public record Study(String file, ObjectNode tree, StudyConfig base, List<GridCell> cells, List<Integer> seeds,
        List<Trial> trials) {

    /** Reads, overrides, expands and validates a study file. No training happens here. */
    public static Study load(Path path, List<String> overrides) {
        String file = path.toString();
        ObjectNode tree = ConfigOverrides.applied(StudyFileReader.read(path), overrides);
        Grid grid = Grid.of(file, tree);
        List<GridCell> cells = grid.cells();
        StudyConfig base = null;
        Map<String, Trial> teachers = new LinkedHashMap<>();
        Map<String, Trial> baselines = new LinkedHashMap<>();
        List<Trial> distilled = new ArrayList<>();
        for (GridCell cell : cells) {
            StudyConfig config = StudyConfig.parse(file, cell.resolved());
            if (base == null) {
                base = config;
            } else if (!base.name().equals(config.name())) {
                throw new io.distill4j.config.ConfigException(file, "grid", "the grid may not change 'study'");
            }
            var none = new LinkedHashMap<String, com.fasterxml.jackson.databind.JsonNode>();
            Trial teacher = new Trial(Trial.Role.TEACHER, "-", none, -1, file, cell.resolved());
            teachers.putIfAbsent(teacher.id(), teacher);
            for (int seed : grid.seeds()) {
                Trial alone = new Trial(Trial.Role.STUDENT_ALONE, "-", none, seed, file, cell.resolved());
                baselines.putIfAbsent(alone.id(), alone);
                distilled.add(new Trial(Trial.Role.DISTILLED, cell.label(), cell.assignments(), seed, file,
                        cell.resolved()));
            }
        }
        List<Trial> trials = new ArrayList<>(teachers.values());
        trials.addAll(baselines.values());
        trials.addAll(distilled);
        return new Study(file, tree, base, List.copyOf(cells), grid.seeds(), List.copyOf(trials));
    }

    public String name() {
        return base.name();
    }
}
