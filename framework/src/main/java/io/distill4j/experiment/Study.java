package io.distill4j.experiment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distill4j.config.ConfigException;
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
 * trials to run: one per distinct teacher (per seed with {@code seeds_vary: teacher_and_student}), one student-alone
 * baseline per distinct student setup and seed, and one
 * distilled student per cell and seed; a {@link Chain} adds its stages, and a {@link Mutual} cohort replaces the
 * distilled student by one trial per cohort student and seed, each with its architecture's own baseline.
 */
public record Study(String file, ObjectNode tree, StudyConfig base, List<GridCell> cells, List<Integer> seeds,
        List<Trial> trials) {

    /** Reads, overrides, expands and validates a study file. No training happens here. */
    public static Study load(Path path, List<String> overrides) {
        return load(path, overrides, Long.MAX_VALUE);
    }

    /**
     * As {@link #load(Path, List)}, but a grid with more than {@code maxTrials} distilled trials (cells x seeds) is
     * refused before any cell is validated, so a typo that multiplies a grid fails at once, not after minutes of
     * validation.
     *
     * @throws TooManyTrialsException naming the count and how to confirm it
     */
    public static Study load(Path path, List<String> overrides, long maxTrials) {
        String file = path.toString();
        ObjectNode tree = ConfigOverrides.applied(StudyFileReader.read(path), overrides);
        Grid grid;
        try {
            grid = Grid.of(file, tree);
        } catch (ConfigException e) {
            throw explained(e, null, List.of(), overrides);
        }
        List<GridCell> cells = grid.cells();
        long planned = (long) cells.size() * grid.seeds().size();
        if (planned > maxTrials) {
            throw new TooManyTrialsException(tree.path("study").asText("?"), planned, true, cells.size(),
                    grid.seeds().size(), maxTrials);
        }
        return of(file, tree, cells, grid.seeds(), overrides);
    }

    /**
     * A study of the given cells and seeds (each cell validated): its teachers, one student-alone baseline per
     * distinct student setup and seed, and one distilled trial per cell and seed. {@link #load} builds the cells from
     * the grid; a hyperparameter search builds them from chosen candidates.
     *
     * @param overrides the {@code --set} overrides applied to {@code tree}, named in messages
     */
    public static Study of(String file, ObjectNode tree, List<GridCell> cells, List<Integer> seeds,
            List<String> overrides) {
        StudyConfig base = null;
        Map<String, Trial> teachers = new LinkedHashMap<>();
        Map<String, Trial> baselines = new LinkedHashMap<>();
        List<Trial> distilled = new ArrayList<>();
        List<Trial> stages = new ArrayList<>();
        List<Trial> cohorts = new ArrayList<>();
        for (GridCell cell : cells) {
            StudyConfig config;
            try {
                config = StudyConfig.parse(file, cell.resolved());
            } catch (ConfigException e) {
                throw explained(e, cell, cells, overrides);
            }
            if (base == null) {
                base = config;
            } else if (!base.name().equals(config.name())) {
                throw new ConfigException(file, "grid", "the grid may not change 'study'");
            }
            var none = new LinkedHashMap<String, com.fasterxml.jackson.databind.JsonNode>();
            List<Integer> teacherSeeds = config.seedsVary() == StudyConfig.SeedsVary.STUDENT ? List.of(-1)
                    : seeds;
            for (String teacherName : config.teachers().keySet()) {
                for (int seed : teacherSeeds) {
                    Trial teacher = new Trial(Trial.Role.TEACHER, "-", none, seed, teacherName, file,
                            cell.resolved());
                    teachers.putIfAbsent(teacher.id(), teacher);
                }
            }
            // a mutual cohort: each student of each seed is a trial, each with its own student-alone baseline
            java.util.Optional<Mutual> mutual = config.mutual();
            if (mutual.isPresent()) {
                if (mutual.get().student() != 0) {
                    throw explained(new ConfigException(file, Mutual.KEY + ".student", Mutual.MEMBER_SET_BY_HAND),
                            cell, cells, overrides);
                }
                for (int k = 1; k <= mutual.get().size(); k++) {
                    validated(file, mutual.get().aloneTree(cell.resolved(), k), cell, cells, overrides);
                    validated(file, mutual.get().memberTree(cell.resolved(), k), cell, cells, overrides);
                }
                // student k of every seed before student k + 1: the seeds' cohorts train in parallel, and each
                // later student's trial finds its cohort already trained
                for (int k = 1; k <= mutual.get().size(); k++) {
                    for (int seed : seeds) {
                        ObjectNode aloneTree = mutual.get().aloneTree(cell.resolved(), k);
                        Trial alone = new Trial(Trial.Role.STUDENT_ALONE,
                                StudyConfig.parse(file, aloneTree).student().describe(),
                                baselineAxes(cell.assignments()), seed, null, file, aloneTree);
                        baselines.putIfAbsent(alone.id(), alone);
                        cohorts.add(new Trial(Trial.Role.MUTUAL, cell.label(), cell.assignments(), seed, null, file,
                                mutual.get().memberTree(cell.resolved(), k)));
                    }
                }
                continue;
            }
            // with a chain, the baselines are the final stage trained with the chain's whole epoch budget
            java.util.Optional<Chain> chain = config.chain();
            if (chain.isPresent() && chain.get().stage() != 0) {
                throw explained(new ConfigException(file, Chain.KEY + ".stage", Chain.STAGE_SET_BY_HAND), cell,
                        cells, overrides);
            }
            ObjectNode studentTree = chain.map(ch -> ch.oneShotTree(cell.resolved())).orElse(cell.resolved());
            String label = chain.isEmpty() ? cell.label()
                    : cell.label().isEmpty() ? "one-shot" : "one-shot " + cell.label();
            if (chain.isPresent()) {
                validated(file, studentTree, cell, cells, overrides);
                for (int k = 1; k <= chain.get().size(); k++) {
                    validated(file, chain.get().stageTree(cell.resolved(), k), cell, cells, overrides);
                }
            }
            for (int seed : seeds) {
                Trial alone = new Trial(Trial.Role.STUDENT_ALONE, "-", baselineAxes(cell.assignments()), seed, null,
                        file, studentTree);
                baselines.putIfAbsent(alone.id(), alone);
                distilled.add(new Trial(Trial.Role.DISTILLED, label, cell.assignments(), seed, null, file,
                        studentTree));
                for (int k = 1; chain.isPresent() && k <= chain.get().size(); k++) {
                    stages.add(new Trial(Trial.Role.CHAIN_STAGE, cell.label(), cell.assignments(), seed, null, file,
                            chain.get().stageTree(cell.resolved(), k)));
                }
            }
        }
        List<Trial> trials = new ArrayList<>(teachers.values());
        trials.addAll(baselines.values());
        trials.addAll(distilled);
        trials.addAll(stages);
        trials.addAll(cohorts);
        return new Study(file, tree, base, List.copyOf(cells), List.copyOf(seeds), List.copyOf(trials));
    }

    /** Parses a tree derived from a cell (a chain's stage or baseline), explaining a failure as the cell's. */
    private static void validated(String file, ObjectNode tree, GridCell cell, List<GridCell> cells,
            List<String> overrides) {
        try {
            StudyConfig.parse(file, tree);
        } catch (ConfigException e) {
            throw explained(e, cell, cells, overrides);
        }
    }

    /** The config sections a student-alone baseline depends on (see {@link StudyConfig#baselineIdentity()}). */
    private static final List<String> BASELINE_SECTIONS = List.of("student", "training", "data", "teacher_data");

    /**
     * The grid values of a cell that a student-alone baseline depends on: the axes under {@code student},
     * {@code training} or {@code data}, in grid order.
     */
    static LinkedHashMap<String, com.fasterxml.jackson.databind.JsonNode> baselineAxes(
            Map<String, com.fasterxml.jackson.databind.JsonNode> assignments) {
        LinkedHashMap<String, com.fasterxml.jackson.databind.JsonNode> own = new LinkedHashMap<>();
        assignments.forEach((path, value) -> {
            if (BASELINE_SECTIONS.stream().anyMatch(s -> path.equals(s) || path.startsWith(s + ".")
                    || path.startsWith(s + "["))) {
                own.put(path, value);
            }
        });
        return own;
    }

    /**
     * Adds where a bad value came from when it is not plainly in the file: the grid cell, if the problem depends on
     * the cell (it lies on a grid axis, or not every cell fails the same way), and the {@code --set} override that
     * wrote the offending path.
     */
    private static ConfigException explained(ConfigException e, GridCell cell, List<GridCell> cells,
            List<String> overrides) {
        List<String> notes = new ArrayList<>();
        if (cell != null && !cell.assignments().isEmpty() && dependsOnCell(e, cell, cells)) {
            notes.add("grid cell " + cell.label());
        }
        String setBy = null;
        for (String text : overrides) {
            String p = ConfigOverrides.parse(text).path();
            boolean axis = p.startsWith("grid.") && cell != null && cell.assignments().containsKey(p.substring(5))
                    && overlaps(p.substring(5), e.path());
            if (overlaps(p, e.path()) || axis) {
                setBy = text; // the last override of the path wins, as when applying them
            }
        }
        if (setBy != null) {
            notes.add("set by --set " + setBy);
        }
        if (notes.isEmpty()) {
            return e;
        }
        return new ConfigException(e.file(), e.path(), e.problem() + " (" + String.join("; ", notes) + ")");
    }

    private static boolean dependsOnCell(ConfigException e, GridCell cell, List<GridCell> cells) {
        if (cell.index() > 0) {
            return true; // an earlier cell was valid
        }
        for (String axis : cell.assignments().keySet()) {
            if (overlaps(axis, e.path())) {
                return true;
            }
        }
        for (GridCell other : cells) {
            if (other.index() == cell.index()) {
                continue;
            }
            try {
                StudyConfig.parse(e.file(), other.resolved());
                return true;
            } catch (ConfigException o) {
                if (!o.getMessage().equals(e.getMessage())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean overlaps(String a, String b) {
        return a.equals(b) || inside(a, b) || inside(b, a);
    }

    private static boolean inside(String inner, String outer) {
        return !outer.isEmpty() && inner.length() > outer.length() && inner.startsWith(outer)
                && (inner.charAt(outer.length()) == '.' || inner.charAt(outer.length()) == '[');
    }

    public String name() {
        return base.name();
    }
}
