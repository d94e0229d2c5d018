package io.distill4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CalibrationTest {
    @Test
    void handComputedEceAndBrier() {
        double[][] p = {{0.2, 0.3, 0.5}, {0.1, 0.15, 0.75}, {0.7, 0.2, 0.1}, {0.05, 0.9, 0.05}};
        int[] y = {2, 0, 0, 1};
        var c = Calibration.of(p, y);
        // bins: [0.5, 0.6): 1 sample, conf 0.5, right; [0.7, 0.8): conf 0.75 wrong + 0.7 right; [0.9, 1]: 0.9 right
        assertEquals((1 * 0.5 + 2 * Math.abs(0.5 - 0.725) + 1 * 0.1) / 4, c.ece(), 1e-12);
        assertEquals((0.38 + 1.395 + 0.14 + 0.015) / 4, c.brier(), 1e-12);
        assertEquals(3, c.bins().size());
        assertEquals(0.725, c.bins().get(1).confidence(), 1e-12);
        assertEquals(0.5, c.bins().get(1).accuracy(), 1e-12);
        assertEquals(2, c.bins().get(1).count());
    }

    /** Against a separate computation: per bin edges, filtering the samples for each bin. */
    @Test
    void agreesWithAnIndependentComputationOnRandomProbabilities() {
        SplittableRandom rng = new SplittableRandom(5);
        int n = 2000;
        double[][] p = new double[n][3];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double a = rng.nextDouble();
            double b = rng.nextDouble() * 3;
            double c = rng.nextDouble() * 0.5;
            double s = a + b + c;
            p[i] = new double[] {a / s, b / s, c / s};
            y[i] = rng.nextInt(3);
        }
        for (int bins : new int[] {1, 5, 15}) {
            double ece = 0;
            for (int b = 0; b < bins; b++) {
                double lo = (double) b / bins;
                double hi = (double) (b + 1) / bins;
                double conf = 0;
                double right = 0;
                int count = 0;
                for (int i = 0; i < n; i++) {
                    double max = Math.max(p[i][0], Math.max(p[i][1], p[i][2]));
                    if (max >= lo && (max < hi || b == bins - 1)) {
                        count++;
                        conf += max;
                        int top = p[i][0] == max ? 0 : p[i][1] == max ? 1 : 2;
                        right += top == y[i] ? 1 : 0;
                    }
                }
                if (count > 0) {
                    ece += Math.abs(right / count - conf / count) * count / n;
                }
            }
            double brier = 0;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < 3; k++) {
                    brier += Math.pow(p[i][k] - (y[i] == k ? 1 : 0), 2) / n;
                }
            }
            var c = Calibration.of(p, y, bins);
            assertEquals(ece, c.ece(), 1e-12, "bins " + bins);
            assertEquals(brier, c.brier(), 1e-12);
        }
    }

    @Test
    void perfectlyConfidentAndRightIsCalibrated() {
        var c = Calibration.of(new double[][] {{1, 0, 0}, {0, 0, 1}}, new int[] {0, 2});
        assertEquals(0, c.ece(), 0);
        assertEquals(0, c.brier(), 0);
    }
}
