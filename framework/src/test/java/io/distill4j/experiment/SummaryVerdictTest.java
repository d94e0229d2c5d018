package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.eval.Stats;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The verdict's wording follows the numbers: beat, worse, no clear difference, mixed, too few seeds. */
class SummaryVerdictTest {
    private static Summary.Row row(String method, String role, List<Double> acc, List<Double> f1, List<Double> val) {
        return new Summary.Row(method, role, acc.size(), 0,
                Map.of("accuracy", Stats.of(acc), "macro_f1", Stats.of(f1)), Stats.of(val), 10, 2.0);
    }

    private static String verdict(List<Summary.Row> rows) throws Exception {
        Method m = Summary.class.getDeclaredMethod("verdict", List.class);
        m.setAccessible(true);
        return (String) m.invoke(null, rows);
    }

    private static final Summary.Row ALONE = row("student-alone", "student-alone", List.of(0.50, 0.51, 0.49),
            List.of(0.40, 0.41, 0.39), List.of(0.5, 0.5, 0.5));

    @Test
    void beatWhenBothMetricsClearlyHigher() throws Exception {
        var kd = row("distilled T=4", "distilled", List.of(0.60, 0.61, 0.59), List.of(0.50, 0.51, 0.49),
                List.of(0.6, 0.6, 0.6));
        assertTrue(verdict(List.of(ALONE, kd)).contains("Distillation beat the student-alone baseline on both "
                + "accuracy and macro-F1"));
    }

    @Test
    void beatOnOneMetricSaysWhichAndThatTheOtherIsNoise() throws Exception {
        var kd = row("distilled T=4", "distilled", List.of(0.60, 0.61, 0.59), List.of(0.405, 0.395, 0.41),
                List.of(0.6, 0.6, 0.6));
        String v = verdict(List.of(ALONE, kd));
        assertTrue(v.contains("beat the student-alone baseline on accuracy only; macro-F1 showed no clear "
                + "difference"), v);
    }

    @Test
    void mixedWhenMetricsDisagree() throws Exception {
        var kd = row("distilled T=4", "distilled", List.of(0.60, 0.61, 0.59), List.of(0.30, 0.31, 0.29),
                List.of(0.6, 0.6, 0.6));
        String v = verdict(List.of(ALONE, kd));
        assertTrue(v.contains("Mixed: distillation raised accuracy but lowered macro-F1"), v);
        assertTrue(!v.contains("beat the student-alone baseline ("), v);
    }

    @Test
    void noClearDifferenceWithinNoise() throws Exception {
        var kd = row("distilled T=4", "distilled", List.of(0.505, 0.495, 0.51), List.of(0.40, 0.42, 0.39),
                List.of(0.6, 0.6, 0.6));
        assertTrue(verdict(List.of(ALONE, kd)).contains("No clear difference"));
    }

    @Test
    void selectsTheCellByValidationNotTest() throws Exception {
        var bestOnTest = row("distilled A", "distilled", List.of(0.70, 0.71, 0.69), List.of(0.6, 0.61, 0.59),
                List.of(0.40, 0.40, 0.40));
        var bestOnValidation = row("distilled B", "distilled", List.of(0.30, 0.31, 0.29), List.of(0.2, 0.21, 0.19),
                List.of(0.70, 0.70, 0.70));
        String v = verdict(List.of(ALONE, bestOnTest, bestOnValidation));
        assertTrue(v.contains("Best distilled cell by validation accuracy: distilled B"), v);
        assertTrue(v.contains("did worse"), v);
    }

    @Test
    void tooFewSeeds() throws Exception {
        var alone = row("student-alone", "student-alone", List.of(0.5), List.of(0.4), List.of(0.5));
        var kd = row("distilled", "distilled", List.of(0.6), List.of(0.5), List.of(0.6));
        assertTrue(verdict(List.of(alone, kd)).contains("Too few seeds"));
    }
}
