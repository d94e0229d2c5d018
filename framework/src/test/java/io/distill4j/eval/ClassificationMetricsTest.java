package io.distill4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {
    @Test
    void goldenValuesOnAHandmadeCase() {
        // predictions (argmax): 2, 0, 1, 1 ; labels: 2, 1, 1, 0 ; teacher argmax: 2, 0, 0, 1
        double[][] logits = {{0, 0, 2}, {1, 0, 0}, {0, 3, 0}, {0, 1, 0}};
        int[] labels = {2, 1, 1, 0};
        double[][] teacher = {{0, 0, 1}, {1, 0, 0}, {1, 0, 0}, {0, 1, 0}};
        var m = ClassificationMetrics.of(logits, labels, teacher);
        assertEquals(0.5, m.accuracy(), 1e-12);
        // class 0: tp0 fp1 fn1 -> 0 ; class 1: tp1 fp1 fn1 -> 2/4 ; class 2: tp1 -> 1
        assertEquals((0 + 0.5 + 1.0) / 3, m.macroF1(), 1e-12);
        assertEquals(0.75, m.agreement(), 1e-12);
        double e = Math.E;
        double p0 = e * e / (e * e + 2);           // sample 0, label 2
        double p1 = 1 / (e + 2);                   // sample 1, label 1
        double p2 = e * e * e / (e * e * e + 2);   // sample 2, label 1
        double p3 = 1 / (e + 2);                   // sample 3, label 0
        assertEquals(-(Math.log(p0) + Math.log(p1) + Math.log(p2) + Math.log(p3)) / 4, m.logLoss(), 1e-12);
        assertTrue(m.klTeacher() > 0);
        var self = ClassificationMetrics.of(logits, labels, logits);
        assertEquals(0.0, self.klTeacher(), 1e-12);
        assertEquals(1.0, self.agreement(), 1e-12);
    }

    @Test
    void teacherPredictionsComputedOnceGiveTheSameMetricsEveryTime() {
        double[][] teacher = {{0, 0, 2}, {1, 0, 0}, {2, 1, 0}, {0, 1, 0}};
        var predictions = ClassificationMetrics.TeacherPredictions.of(teacher);
        // golden: softmax of (0, 0, 2) is (1, 1, e^2) / (2 + e^2)
        double z = 2 + Math.exp(2);
        assertEquals(Math.exp(2) / z, predictions.probabilities()[0][2], 1e-15);
        assertEquals(-Math.log(z), predictions.logProbabilities()[0][0], 1e-15);
        assertEquals(List.of(2, 0, 0, 1), java.util.Arrays.stream(predictions.classes()).boxed().toList());
        int[] labels = {2, 1, 1, 0};
        for (double[][] student : new double[][][] {{{0, 0, 2}, {1, 0, 0}, {0, 3, 0}, {0, 1, 0}},
            {{1, 0, 0}, {0, 2, 0}, {0, 0, 1}, {3, 1, 0}}}) {
            assertEquals(ClassificationMetrics.of(student, labels, teacher),
                    ClassificationMetrics.against(student, labels, predictions));
        }
    }

    @Test
    void withoutTeacherAgreementIsNaN() {
        var m = ClassificationMetrics.of(new double[][] {{1, 0, 0}}, new int[] {0}, null);
        assertTrue(Double.isNaN(m.agreement()));
        assertEquals(1.0, m.accuracy());
    }

    @Test
    void statsOverSeeds() {
        Stats s = Stats.of(List.of(1.0, 2.0, 3.0, Double.NaN));
        assertEquals(2.0, s.mean(), 1e-12);
        assertEquals(1.0, s.std(), 1e-12);
        assertEquals(3, s.n());
        assertEquals("2.000 ± 1.000", s.format(3));
        Stats other = Stats.of(List.of(0.0, 1.0, 2.0));
        assertEquals(1.0 / Math.sqrt(2.0 / 3.0), s.welchT(other), 1e-12);
        assertTrue(Double.isNaN(Stats.of(List.of(1.0)).welchT(other)));
        // a single value has no spread: n/a, not 0
        assertTrue(Double.isNaN(Stats.of(List.of(0.5)).std()));
        assertEquals("0.5000 ± n/a", Stats.of(List.of(0.5, Double.NaN)).format(4));
        assertEquals("n/a", Stats.of(List.of()).format(4));
        assertEquals("3.00e+06 ± 1.41e+06", Stats.of(List.of(2e6, 4e6)).format(3)); // huge: scientific
    }
}
