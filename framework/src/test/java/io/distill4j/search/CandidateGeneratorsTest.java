package io.distill4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.optimize.api.CandidateGenerator;
import org.deeplearning4j.arbiter.optimize.api.OptimizationResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each strategy's candidate sequence on the tiny study's search (no training): values, order, seeds. */
class CandidateGeneratorsTest {
    @TempDir
    Path dir;

    private SearchConfig config(String... overrides) throws Exception {
        List<String> all = new ArrayList<>(List.of(
                "search.parameters={distillation.loss.temperature: {type: uniform, min: 1, max: 8}, "
                        + "distillation.loss.alpha: {type: uniform, min: 0.1, max: 0.9}, "
                        + "training.learning_rate: {type: log_uniform, min: 0.0001, max: 0.01}}"));
        all.addAll(List.of(overrides));
        return Search.load(SearchTest.write(dir, SearchTest.STUDY), all).config();
    }

    private static List<double[]> genes(CandidateGenerator g, int n) {
        List<double[]> out = new ArrayList<>();
        while (out.size() < n && g.hasMoreCandidates()) {
            out.add(g.getCandidate().getFlatParameters());
        }
        return out;
    }

    @Test
    void genesMapToValuesLinearlyAndLogUniformly() throws Exception {
        SearchConfig c = config();
        CandidateSpace space = new CandidateSpace(c.parameters());
        CandidateGenerators.create(c, space); // assigns each path its gene index
        LinkedHashMap<String, JsonNode> mid = space.getValue(new double[] {0.5, 0.5, 0.5});
        assertEquals(4.5, mid.get("distillation.loss.temperature").asDouble()); // 1 + 0.5 * (8 - 1)
        assertEquals(0.5, mid.get("distillation.loss.alpha").asDouble(), 1e-12); // 0.1 + 0.5 * 0.8
        assertEquals(0.001, mid.get("training.learning_rate").asDouble(), 1e-12); // sqrt(1e-4 * 1e-2)
        LinkedHashMap<String, JsonNode> low = space.getValue(new double[] {0, 0, 0});
        assertEquals(1.0, low.get("distillation.loss.temperature").asDouble());
        assertEquals(1e-4, low.get("training.learning_rate").asDouble(), 1e-15);
        // four significant digits: 1 + 0.123456 * 7 = 1.864192 -> 1.864
        assertEquals(1.864, space.getValue(new double[] {0.123456, 0, 0}).get("distillation.loss.temperature")
                .asDouble());
    }

    @Test
    void randomSearchIsReproducibleFromItsSeed() throws Exception {
        SearchConfig c = config();
        List<double[]> a = genes(CandidateGenerators.create(c, new CandidateSpace(c.parameters())), 5);
        List<double[]> b = genes(CandidateGenerators.create(c, new CandidateSpace(c.parameters())), 5);
        SearchConfig other = config("search.seed=6");
        List<double[]> d = genes(CandidateGenerators.create(other, new CandidateSpace(other.parameters())), 5);
        for (int i = 0; i < 5; i++) {
            assertTrue(java.util.Arrays.equals(a.get(i), b.get(i)), "same seed, same candidate " + i);
            assertFalse(java.util.Arrays.equals(a.get(i), d.get(i)), "another seed, another candidate " + i);
            for (double g : a.get(i)) {
                assertTrue(g >= 0 && g <= 1, "a gene in [0, 1]: " + g);
            }
        }
        Set<String> distinct = new HashSet<>();
        a.forEach(g -> distinct.add(java.util.Arrays.toString(g)));
        assertEquals(5, distinct.size());
    }

    @Test
    void gridSearchEnumeratesEveryCornerFirstPathFastest() throws Exception {
        SearchConfig c = config("search.strategy=grid", "search.grid_points=2", "search.budget={}");
        assertEquals(8, c.candidates(), "the whole grid by default: 2 x 2 x 2");
        CandidateSpace space = new CandidateSpace(c.parameters());
        CandidateGenerator g = CandidateGenerators.create(c, space);
        List<String> seen = new ArrayList<>();
        while (g.hasMoreCandidates()) {
            @SuppressWarnings("unchecked")
            LinkedHashMap<String, JsonNode> v = (LinkedHashMap<String, JsonNode>) g.getCandidate().getValue();
            seen.add(v.get("distillation.loss.temperature").asText() + "/" + v.get("distillation.loss.alpha").asText()
                    + "/" + v.get("training.learning_rate").asText());
        }
        assertEquals(List.of("1.0/0.1/1.0E-4", "8.0/0.1/1.0E-4", "1.0/0.9/1.0E-4", "8.0/0.9/1.0E-4",
                "1.0/0.1/0.01", "8.0/0.1/0.01", "1.0/0.9/0.01", "8.0/0.9/0.01"), seen);
    }

    @Test
    void integerAndChoiceSpaces() throws Exception {
        SearchConfig c = config("search.strategy=grid", "search.grid_points=3", "search.budget={}",
                "search.parameters={\"student.hidden[0]\": {type: integer, min: 2, max: 6}, "
                        + "student.activation: {type: choice, values: [relu, tanh]}}");
        assertEquals(6, c.candidates(), "min(5 integers, 3 points) x 2 choices");
        CandidateGenerator g = CandidateGenerators.create(c, new CandidateSpace(c.parameters()));
        List<String> seen = new ArrayList<>();
        while (g.hasMoreCandidates()) {
            @SuppressWarnings("unchecked")
            LinkedHashMap<String, JsonNode> v = (LinkedHashMap<String, JsonNode>) g.getCandidate().getValue();
            assertTrue(v.get("student.hidden[0]").isInt());
            seen.add(v.get("student.hidden[0]").asText() + "/" + v.get("student.activation").asText());
        }
        assertEquals(List.of("2/relu", "4/relu", "6/relu", "2/tanh", "4/tanh", "6/tanh"), seen);
    }

    @Test
    void geneticSearchBreedsFromReportedScoresReproducibly() throws Exception {
        SearchConfig c = config("search.strategy=genetic", "search.population=4", "search.budget.candidates=12");
        List<double[]> a = geneticRun(c);
        List<double[]> b = geneticRun(c);
        assertEquals(12, a.size());
        for (int i = 0; i < a.size(); i++) {
            assertTrue(java.util.Arrays.equals(a.get(i), b.get(i)), "same seed and scores, same candidate " + i);
        }
        SearchConfig other = config("search.strategy=genetic", "search.population=4", "search.seed=99",
                "search.budget.candidates=12");
        assertNotEquals(java.util.Arrays.toString(a.get(0)), java.util.Arrays.toString(geneticRun(other).get(0)));
        // once 3 scored candidates (the culled size, 2/3 of 4) form the population, offspring mix their parents' genes: each gene of a child
        // either equals one of the population's genes at that position (crossover) or was mutated
        Set<Double> parentGenes = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            for (double g : a.get(i)) {
                parentGenes.add(g);
            }
        }
        double[] child = a.get(4);
        long inherited = java.util.Arrays.stream(child).filter(parentGenes::contains).count();
        assertTrue(inherited >= 1, "the fifth candidate inherits genes: " + java.util.Arrays.toString(child));
    }

    /** Generates candidates one at a time, reporting a score that favours high temperatures. */
    private static List<double[]> geneticRun(SearchConfig c) {
        CandidateSpace space = new CandidateSpace(c.parameters());
        CandidateGenerator g = CandidateGenerators.create(c, space);
        List<double[]> out = new ArrayList<>();
        while (out.size() < c.candidates() && g.hasMoreCandidates()) {
            Candidate cand = g.getCandidate();
            out.add(cand.getFlatParameters());
            g.reportResults(new OptimizationResult(cand, cand.getFlatParameters()[0], cand.getIndex(), null, null,
                    null));
        }
        return out;
    }
}
