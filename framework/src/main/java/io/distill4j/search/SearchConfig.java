package io.distill4j.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distill4j.api.ParameterDomain;
import io.distill4j.config.ConfigException;
import io.distill4j.config.ConfigHash;
import io.distill4j.config.ConfigNode;
import io.distill4j.config.ConfigPaths;
import io.distill4j.config.Grid;
import io.distill4j.experiment.StudyConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code search} section of a study, validated against the study it searches.
 *
 * <pre>
 * search:
 *   strategy: random                 # random | grid | genetic (Arbiter's candidate generators)
 *   seed: 11                         # root of the candidate sequence (default: the study's seed)
 *   budget: {candidates: 12, minutes: 0}   # at most this many candidates (grid: default the whole grid); minutes 0 = no limit
 *   seeds: [1, 2]                    # seeds per candidate; its score is the mean (default: the study's seeds)
 *   objective: {metric: accuracy, direction: maximize}   # a validation metric; direction defaults by metric
 *   grid_points: 3                   # grid: values per continuous axis (integers: at most this many)
 *   population: 4                    # genetic: population size (at least 4); breeding starts at 2/3 of it
 *   pruning: {type: median, warmup_epochs: 2, min_candidates: 3}   # optional, off by default
 *   include_default: true            # score the default configuration first (outside the budget)
 *   parameters:                      # config path -> space
 *     distillation.loss.temperature: {type: uniform, min: 1, max: 8}
 *     training.learning_rate: {type: log_uniform, min: 0.001, max: 0.01}
 *     student.hidden[0]: {type: integer, min: 8, max: 32}
 *     student.activation: {type: choice, values: [relu, tanh]}
 * </pre>
 *
 * Every parameter's path is checked like a grid axis: its syntax, and that the study is valid with the space's
 * bounds (or each choice) set there, so a misspelt path or an out-of-range bound fails before any training. Paths
 * under {@code data}, {@code teacher} and {@code teachers} are refused: every candidate shares the study's cached
 * teacher and data.
 *
 * @param strategy how candidates are generated
 * @param seed root seed of the candidate sequence (random and genetic)
 * @param candidates at most this many candidates
 * @param minutes wall-time budget (0: none): no new batch of candidates starts after it
 * @param seeds the seeds each candidate trains with
 * @param metric the validation metric scored
 * @param maximize whether a higher metric is better
 * @param gridPoints grid: values per continuous axis
 * @param population genetic: population size
 * @param pruning the median pruner's settings, if pruning is on
 * @param includeDefault whether the study's default configuration is scored first, as the default candidate (so
 *     the best is at least as good on validation as the default), outside the budget
 * @param parameters the searched paths and their spaces, in declared order
 */
public record SearchConfig(Strategy strategy, long seed, int candidates, double minutes, List<Integer> seeds,
        String metric, boolean maximize, int gridPoints, int population, Optional<Pruning> pruning,
        boolean includeDefault, List<Parameter> parameters) {

    /**
     * The metrics a search may optimise: those every student trial reports on the validation split, classification
     * and trading ({@link io.distill4j.eval.TradingMetrics}: the validation backtest and calibration).
     */
    public static final List<String> METRICS = List.of("accuracy", "macro_f1", "log_loss", "agreement", "kl_teacher",
            "sharpe", "total_return", "annual_return", "max_drawdown", "hit_rate", "ece", "brier");
    private static final Set<String> LOWER_IS_BETTER = Set.of("log_loss", "kl_teacher", "max_drawdown", "ece", "brier");
    private static final Set<String> FIXED = Set.of("data", "teacher", "teachers", "study", "seed", "seeds_vary",
            "grid", "seeds", "search", "tracking", "device");

    /** Arbiter's candidate generators. */
    public enum Strategy {
        RANDOM, GRID, GENETIC;

        /** The name in the study file. */
        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Median pruning: from epoch {@code warmupEpochs} on, once {@code minCandidates} candidates finished. */
    public record Pruning(int warmupEpochs, int minCandidates) {
    }

    /** The kind of a parameter's space. */
    public enum Kind {
        UNIFORM, LOG_UNIFORM, INTEGER, CHOICE;

        String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One searched config path: {@code uniform} and {@code log_uniform} over {@code [min, max]}, {@code integer} over
     * {@code min..max}, or {@code choice} among {@code values}.
     */
    public record Parameter(String path, Kind kind, double min, double max, List<JsonNode> values) {
        public Parameter {
            values = List.copyOf(values);
        }
    }

    /** Whether {@code tree} (a study file's tree, overrides applied) declares a search. */
    public static boolean declared(ObjectNode tree) {
        return tree.hasNonNull("search");
    }

    /**
     * Reads the {@code search} section of {@code tree}.
     *
     * @throws ConfigException naming file, path and what was expected
     */
    public static SearchConfig parse(String file, ObjectNode tree) {
        ConfigNode root = ConfigNode.root(file, tree);
        ConfigNode s = root.section("search");
        if (tree.hasNonNull("grid")) {
            throw new ConfigException(file, "grid", "a study with a search has no grid (the search chooses the "
                    + "values; search a path with a choice space instead)");
        }
        Grid grid = Grid.of(file, tree);
        ObjectNode base = tree.deepCopy();
        base.remove("search");
        base.remove("seeds");
        StudyConfig study = StudyConfig.parse(file, base);
        String strategyKey = s.choice("strategy", Strategy.RANDOM.key(), List.of("random", "grid", "genetic"));
        Strategy strategy = Strategy.valueOf(strategyKey.toUpperCase(java.util.Locale.ROOT));
        long seed = s.longValue("seed", study.seed(), 0, Long.MAX_VALUE);
        List<Integer> seeds = s.integerList("seeds", grid.seeds(), 0, Integer.MAX_VALUE);
        if (seeds.size() != seeds.stream().distinct().count()) {
            throw s.error("seeds", "expected distinct seeds, got " + seeds);
        }
        int gridPoints = s.integer("grid_points", 3, 2, 100);
        List<Parameter> parameters = parameters(s.section("parameters"), base);
        long gridSize = 1;
        for (Parameter p : parameters) {
            gridSize = Math.min(Integer.MAX_VALUE, gridSize * gridValues(p, gridPoints));
        }
        Optional<ConfigNode> budgetSection = s.optionalSection("budget");
        if (budgetSection.isEmpty() && strategy != Strategy.GRID) {
            throw s.error("budget", "missing (expected a mapping with candidates: N for a " + strategy.key()
                    + " search)");
        }
        ConfigNode budget = budgetSection.orElseGet(() -> ConfigNode.root(file, tree.objectNode()));
        int candidates = strategy == Strategy.GRID
                ? budget.integer("candidates", (int) Math.min(gridSize, 100_000), 1, 100_000)
                : budget.integer("candidates", 1, 100_000);
        double minutes = budget.number("minutes", 0, 0, 1e6);
        budget.finish();
        // Arbiter breeds once the population reaches its culled size (2/3 of it) and then draws two distinct parents:
        // below 4 the culled size can be 1, and its parent selection loops forever
        int population = s.integer("population", Math.max(4, candidates / 3), 4, 1000);
        ConfigNode objective = s.section("objective");
        String metric = objective.choice("metric", "accuracy", METRICS);
        String direction = objective.choice("direction", LOWER_IS_BETTER.contains(metric) ? "minimize" : "maximize",
                List.of("maximize", "minimize"));
        objective.finish();
        Optional<Pruning> pruning = s.optionalSection("pruning").map(p -> {
            p.choice("type", "median", List.of("median"));
            Pruning out = new Pruning(p.integer("warmup_epochs", 1, 1, 100_000),
                    p.integer("min_candidates", 3, 1, 100_000));
            p.finish();
            return out;
        });
        boolean includeDefault = s.bool("include_default", true);
        s.finish();
        return new SearchConfig(strategy, seed, candidates, minutes, seeds, metric, direction.equals("maximize"),
                gridPoints, population, pruning, includeDefault, parameters);
    }

    /** How many values a grid takes of a parameter (as Arbiter's grid generator discretises it). */
    static int gridValues(Parameter p, int gridPoints) {
        return switch (p.kind()) {
            case CHOICE -> p.values().size();
            case INTEGER -> (int) Math.min(p.max() - p.min() + 1, gridPoints);
            default -> gridPoints;
        };
    }

    private static List<Parameter> parameters(ConfigNode section, ObjectNode base) {
        List<Parameter> out = new ArrayList<>();
        if (section.keys().isEmpty()) {
            throw section.error("expected at least one config path to search");
        }
        List<String> paths = new ArrayList<>();
        for (String path : section.keys()) {
            ConfigNode p = section.section(path);
            String problem = ConfigPaths.syntaxProblem(path);
            if (problem != null) {
                throw section.error(path, "bad config path: " + problem);
            }
            String first = path.split("[.\\[]", 2)[0];
            if (FIXED.contains(first)) {
                throw section.error(path, "a search cannot change '" + first + "' (candidates share the study's "
                        + "data and cached teacher; search the student, distillation or training)");
            }
            for (String other : paths) {
                if (other.equals(path) || other.startsWith(path + ".") || other.startsWith(path + "[")
                        || path.startsWith(other + ".") || path.startsWith(other + "[")) {
                    throw section.error(path, "overlaps the searched path " + other);
                }
            }
            paths.add(path);
            Kind kind = Kind.valueOf(p.choice("type", null, List.of("uniform", "log_uniform", "integer", "choice"))
                    .toUpperCase(java.util.Locale.ROOT));
            Parameter parameter;
            if (kind == Kind.CHOICE) {
                JsonNode v = p.raw("values").orElseThrow(() -> p.error("values", "missing (expected a list of at "
                        + "least two values)"));
                if (!v.isArray() || v.size() < 2) {
                    throw p.error("values", "expected a list of at least two values, got " + ConfigNode.describe(v));
                }
                List<JsonNode> values = new ArrayList<>();
                Map<String, Integer> seen = new HashMap<>();
                for (int i = 0; i < v.size(); i++) {
                    Integer dup = seen.putIfAbsent(ConfigHash.canonicalJson(v.get(i)), i);
                    if (dup != null) {
                        throw p.error("values", "duplicate value at [" + i + "] (same as [" + dup + "])");
                    }
                    values.add(v.get(i));
                }
                parameter = new Parameter(path, kind, 0, values.size() - 1, values);
            } else {
                double lo = kind == Kind.LOG_UNIFORM ? Double.MIN_NORMAL : -Double.MAX_VALUE;
                double min = kind == Kind.INTEGER ? p.integer("min", Integer.MIN_VALUE / 2, Integer.MAX_VALUE / 2)
                        : p.number("min", lo, Double.MAX_VALUE);
                double max = kind == Kind.INTEGER ? p.integer("max", Integer.MIN_VALUE / 2, Integer.MAX_VALUE / 2)
                        : p.number("max", lo, Double.MAX_VALUE);
                if (!(max > min)) {
                    throw p.error("max", "expected a number above min (" + ParameterDomain.format(min) + "), got "
                            + ParameterDomain.format(max));
                }
                parameter = new Parameter(path, kind, min, max, List.of());
            }
            p.finish();
            for (JsonNode value : corners(parameter)) {
                check(section, path, base, value);
            }
            out.add(parameter);
        }
        return out;
    }

    /** The values that bound a space: min and max, or every choice. */
    private static List<JsonNode> corners(Parameter p) {
        if (p.kind() == Kind.CHOICE) {
            return p.values();
        }
        return List.of(CandidateSpace.json(p, p.min()), CandidateSpace.json(p, p.max()));
    }

    /** The study must be valid with {@code value} at {@code path}; else the problem, at the search path. */
    private static void check(ConfigNode section, String path, ObjectNode base, JsonNode value) {
        String file = section.file();
        ObjectNode tree = base.deepCopy();
        try {
            ConfigPaths.set(file, tree, path, value.deepCopy(), true);
            StudyConfig.parse(file, tree);
        } catch (ConfigException e) {
            throw section.error(path, "the study is invalid with " + CandidateSpace.text(value) + " there: "
                    + e.path() + ": " + e.problem());
        }
    }
}
