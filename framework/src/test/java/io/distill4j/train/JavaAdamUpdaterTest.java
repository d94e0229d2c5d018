package io.distill4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/** The Java Adam step against ND4J's {@code adam_updater}, step after step, from the same state and gradients. */
class JavaAdamUpdaterTest {

    private static int[] bits(INDArray a) {
        float[] v = a.dup().reshape(a.length()).toFloatVector();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Float.floatToRawIntBits(v[i]);
        }
        return out;
    }

    /** Both updaters on their own state view (moments in one array, as DL4J lays them out), fed the same gradients. */
    private static void sameForIterations(Adam config, int n, int iterations) {
        INDArray nd4jState = Nd4j.zeros(DataType.FLOAT, 1, 2 * n);
        INDArray javaState = nd4jState.dup();
        AdamUpdater nd4j = (AdamUpdater) config.instantiate(nd4jState, true);
        JavaAdamUpdater java = JavaAdamUpdater.of((AdamUpdater) config.instantiate(javaState, true));
        Nd4j.getRandom().setSeed(n);
        for (int t = 0; t < iterations; t++) {
            // gradients of changing scale, with exact zeros, as a training run's are
            INDArray g = Nd4j.randn(DataType.FLOAT, 1, n).muli(t % 5 == 0 ? 1e-4 : t % 3 + 1);
            g.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(0, Math.min(3, n))).assign(0);
            INDArray expected = g.dup();
            INDArray actual = g.dup();
            nd4j.applyUpdater(expected, t, t / 50);
            java.applyUpdater(actual, t, t / 50);
            assertArrayEquals(bits(expected), bits(actual), "update of iteration " + t);
            assertArrayEquals(bits(nd4jState), bits(javaState), "moments after iteration " + t);
        }
        assertEquals(iterations, java.javaSteps(), "every step took the Java pass");
    }

    @Test
    void stepsAsNd4jsAdamBitForBit() {
        sameForIterations(new Adam(1e-3), 1000, 1500);
        sameForIterations(new Adam(1e-3), 16, 4000); // past iteration 3605, where Math.pow would differ
        sameForIterations(new Adam(5e-3, 0.8, 0.95, 1e-6), 257, 1500);
        sameForIterations(new Adam(new ExponentialSchedule(ScheduleType.EPOCH, 1e-2, 0.9)), 33, 1500);
    }

    @Test
    void aBlockAboveTheLimitTakesNd4jsOperation() {
        int n = (int) JavaAdamUpdater.MOST_PARAMETERS + 1;
        JavaAdamUpdater java = JavaAdamUpdater.of((AdamUpdater) new Adam(1e-3).instantiate(
                Nd4j.zeros(DataType.FLOAT, 1, 2L * n), true));
        java.applyUpdater(Nd4j.ones(DataType.FLOAT, 1, n), 0, 0);
        assertEquals(0, java.javaSteps());
    }

    @Test
    void aDoubleStateTakesNd4jsOperation() {
        Adam config = new Adam(1e-3);
        INDArray state = Nd4j.zeros(DataType.DOUBLE, 1, 8);
        JavaAdamUpdater java = JavaAdamUpdater.of((AdamUpdater) config.instantiate(state, true));
        INDArray expectedState = state.dup();
        AdamUpdater nd4j = (AdamUpdater) config.instantiate(expectedState, true);
        INDArray g = Nd4j.rand(DataType.DOUBLE, 1, 4);
        INDArray expected = g.dup();
        nd4j.applyUpdater(expected, 0, 0);
        java.applyUpdater(g, 0, 0);
        assertEquals(expected, g);
        assertEquals(0, java.javaSteps());
        assertSame(config, java.getConfig());
    }
}
