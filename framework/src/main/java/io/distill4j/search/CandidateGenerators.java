package io.distill4j.search;

import io.distill4j.api.Seeds;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.commons.math3.random.JDKRandomGenerator;
import org.apache.commons.math3.random.RandomGenerator;
import org.deeplearning4j.arbiter.optimize.api.CandidateGenerator;
import org.deeplearning4j.arbiter.optimize.api.data.DataProvider;
import org.deeplearning4j.arbiter.optimize.api.data.DataSource;
import org.deeplearning4j.arbiter.optimize.api.score.ScoreFunction;
import org.deeplearning4j.arbiter.optimize.generator.GeneticSearchCandidateGenerator;
import org.deeplearning4j.arbiter.optimize.generator.GridSearchCandidateGenerator;
import org.deeplearning4j.arbiter.optimize.generator.RandomSearchGenerator;
import org.deeplearning4j.arbiter.optimize.generator.genetic.crossover.SinglePointCrossover;
import org.deeplearning4j.arbiter.optimize.generator.genetic.crossover.parentselection.RandomTwoParentSelection;
import org.deeplearning4j.arbiter.optimize.generator.genetic.mutation.RandomMutationOperator;
import org.deeplearning4j.arbiter.optimize.generator.genetic.population.PopulationModel;
import org.deeplearning4j.arbiter.optimize.generator.genetic.selection.GeneticSelectionOperator;

/**
 * Arbiter's candidate generators for a search, with every random source seeded from the search's root seed (split by
 * purpose with {@link Seeds#derive}), so the same seed gives the same candidate sequence in any process: random
 * search draws each gene uniformly in [0, 1] from one seeded generator; grid search enumerates the grid in Arbiter's
 * sequential order (first path fastest); the genetic search breeds from the candidates' reported scores once
 * {@code population} of them are scored (until then it draws random genes), with seeded selection, single-point
 * crossover, parent selection and mutation.
 */
public final class CandidateGenerators {
    private CandidateGenerators() {
    }

    /** A fresh generator for {@code config} over {@code space}; generators hold state, so one per search run. */
    public static CandidateGenerator create(SearchConfig config, CandidateSpace space) {
        return switch (config.strategy()) {
            case RANDOM -> {
                RandomSearchGenerator g = new RandomSearchGenerator(space, null);
                g.setRngSeed(Seeds.derive(config.seed(), "search.random"));
                yield g;
            }
            case GRID -> new GridSearchCandidateGenerator(space, config.gridPoints(),
                    GridSearchCandidateGenerator.Mode.Sequential, null);
            case GENETIC -> genetic(config, space);
        };
    }

    private static CandidateGenerator genetic(SearchConfig config, CandidateSpace space) {
        var selection = new GeneticSelectionOperator.Builder()
                .randomGenerator(rng(config, "selection"))
                .crossoverOperator(new SinglePointCrossover.Builder()
                        .randomGenerator(rng(config, "crossover"))
                        .parentSelection(new RandomTwoParentSelection(rng(config, "parents")))
                        .build())
                .mutationOperator(new RandomMutationOperator.Builder()
                        .randomGenerator(rng(config, "mutation")).build())
                .build();
        return new GeneticSearchCandidateGenerator.Builder(space, new Direction(!config.maximize()))
                .populationModel(new PopulationModel.Builder().populationSize(config.population()).build())
                .selectionOperator(selection)
                .build();
    }

    private static RandomGenerator rng(SearchConfig config, String purpose) {
        JDKRandomGenerator r = new JDKRandomGenerator();
        r.setSeed(Seeds.derive(config.seed(), "search.genetic." + purpose));
        return r;
    }

    /**
     * Only tells the genetic generator which way is better: scores come from this project's trials (reported with
     * {@code reportResults}), never from Arbiter's runner, so the scoring methods are not used.
     */
    private record Direction(boolean minimize) implements ScoreFunction {
        @Override
        public double score(Object model, DataProvider data, Map<String, Object> dataParameters) {
            throw new UnsupportedOperationException("scores come from the search's trials");
        }

        @Override
        public double score(Object model, Class<? extends DataSource> source, Properties properties) {
            throw new UnsupportedOperationException("scores come from the search's trials");
        }

        @Override
        public List<Class<?>> getSupportedModelTypes() {
            return List.of();
        }

        @Override
        public List<Class<?>> getSupportedDataTypes() {
            return List.of();
        }
    }
}
