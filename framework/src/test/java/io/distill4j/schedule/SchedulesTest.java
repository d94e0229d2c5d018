package io.distill4j.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.distill4j.api.Schedule;
import org.junit.jupiter.api.Test;

/** Exact values of each schedule at given epochs (progress = epoch / (epochs - 1)). */
class SchedulesTest {
    private static final double EPS = 1e-12;

    @Test
    void linearAndCosineMeetAtTheEndsAndDifferBetween() {
        Schedule linear = new Schedules.Linear(8.0, 2.0);
        Schedule cosine = new Schedules.Cosine(8.0, 2.0);
        // 5 epochs: progress 0, 1/4, 1/2, 3/4, 1
        assertEquals(8.0, linear.valueAt(0, 5, 99), EPS);
        assertEquals(6.5, linear.valueAt(1, 5, 99), EPS);
        assertEquals(5.0, linear.valueAt(2, 5, 99), EPS);
        assertEquals(3.5, linear.valueAt(3, 5, 99), EPS);
        assertEquals(2.0, linear.valueAt(4, 5, 99), EPS);
        // cosine: 2 + 6 (1 + cos(pi p)) / 2
        assertEquals(8.0, cosine.valueAt(0, 5, 99), EPS);
        assertEquals(2 + 3 * (1 + Math.sqrt(0.5)), cosine.valueAt(1, 5, 99), EPS); // 7.1213..., not 6.5
        assertEquals(5.0, cosine.valueAt(2, 5, 99), EPS);
        assertEquals(2 + 3 * (1 - Math.sqrt(0.5)), cosine.valueAt(3, 5, 99), EPS); // 2.8786..., not 3.5
        assertEquals(2.0, cosine.valueAt(4, 5, 99), EPS);
    }

    @Test
    void withoutStartTheConfiguredValueIsTheStart() {
        assertEquals(4.0, new Schedules.Linear(null, 0.0).valueAt(0, 3, 4.0), EPS);
        assertEquals(2.0, new Schedules.Linear(null, 0.0).valueAt(1, 3, 4.0), EPS);
        assertEquals(1.0, new Schedules.Cosine(null, 0.0).valueAt(1, 3, 2.0), EPS);
        assertEquals(3.0, new Schedules.Constant().valueAt(7, 10, 3.0), EPS);
    }

    @Test
    void stepMultipliesEveryNEpochsAndOneEpochIsTheStart() {
        Schedule step = new Schedules.Step(8.0, 0.5, 2);
        double[] expected = {8, 8, 4, 4, 2, 2, 1};
        for (int e = 0; e < expected.length; e++) {
            assertEquals(expected[e], step.valueAt(e, 7, 99), EPS, "epoch " + e);
        }
        assertEquals(8.0, new Schedules.Linear(8.0, 2.0).valueAt(0, 1, 99), EPS, "one epoch: progress 0");
    }
}
