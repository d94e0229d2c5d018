package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * MLflow run names of real study plans (no training), written out by hand: short, what tells runs apart first, and
 * distinct for every trial, student-alone baselines of different students included; and the trial
 * {@code tracking.register} picks.
 */
class TrialNamesTest {
    private static final Path QUICKSTART = Path.of("../configs/quickstart.yaml");

    @Test
    void quickstartRunNamesAreShortAndDistinct() {
        Study s = Study.load(QUICKSTART, List.of());
        assertEquals(new TreeSet<>(Set.of("teacher mlp[256,128,64]", "alone s1", "alone s2", "kd T=2 a=0.1 s1",
                "kd T=2 a=0.1 s2", "kd T=2 a=0.5 s1", "kd T=2 a=0.5 s2", "kd T=4 a=0.1 s1", "kd T=4 a=0.1 s2",
                "kd T=4 a=0.5 s1", "kd T=4 a=0.5 s2")), names(s));
        Trial kd = s.trials().stream().filter(t -> t.runName().equals("kd T=4 a=0.5 s2")).findFirst().orElseThrow();
        assertEquals("distilled temperature=4,alpha=0.5 seed=2", kd.description());
    }

    @Test
    void studentAloneBaselinesOfDifferentStudentsHaveDifferentNames() {
        Study s = Study.load(QUICKSTART, List.of(
                "grid={student.hidden: [[16, 8], [32, 16]], distillation.loss.temperature: [2, 4]}", "seeds=[1, 2]"));
        assertEquals(new TreeSet<>(Set.of("teacher mlp[256,128,64]", "alone hidden=[16,8] s1",
                "alone hidden=[16,8] s2", "alone hidden=[32,16] s1", "alone hidden=[32,16] s2",
                "kd hidden=[16,8] T=2 s1", "kd hidden=[16,8] T=2 s2", "kd hidden=[16,8] T=4 s1",
                "kd hidden=[16,8] T=4 s2", "kd hidden=[32,16] T=2 s1", "kd hidden=[32,16] T=2 s2",
                "kd hidden=[32,16] T=4 s1", "kd hidden=[32,16] T=4 s2")), names(s));
        assertEquals(s.trials().size(), names(s).size(), "one name per trial");
    }

    /**
     * {@code tracking.register} takes the best distilled cell by mean validation accuracy, and within it the seed with
     * the best validation accuracy, never the best test accuracy.
     */
    @Test
    void registrationPicksTheBestSeedOfTheBestCellByValidationAccuracy() {
        Study s = Study.load(QUICKSTART, List.of("seeds=[1, 2, 3]"));
        // cell T=2 a=0.5 has the best mean validation accuracy (0.62); its seed 2 the best validation accuracy (0.64);
        // seed 3 of another cell has a higher single validation accuracy (0.66) and seed 1 the best test accuracy
        Map<String, Double> validation = Map.of("kd T=2 a=0.5 s1", 0.61, "kd T=2 a=0.5 s2", 0.64,
                "kd T=2 a=0.5 s3", 0.61, "kd T=4 a=0.1 s3", 0.66);
        Function<Trial, Double> val = t -> validation.getOrDefault(t.runName(), 0.55);
        List<TrialResult> results = s.trials().stream().map(t -> new TrialResult(t, t.id(),
                Map.of("accuracy", t.runName().equals("kd T=2 a=0.5 s1") ? 0.9 : 0.5, "macro_f1", 0.5),
                Map.of("accuracy", val.apply(t)), 10, 0, "run", null, Map.of())).toList();
        Summary summary = Summary.of(s, results, Map.of());
        TrialResult best = ModelRegistration.bestDistilledTrial(summary, results).orElseThrow();
        assertEquals("kd T=2 a=0.5 s2", best.trial().runName());
    }

    private static Set<String> names(Study s) {
        return s.trials().stream().map(Trial::runName).collect(Collectors.toCollection(TreeSet::new));
    }
}
