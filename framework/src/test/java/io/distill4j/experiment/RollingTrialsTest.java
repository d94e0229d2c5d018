package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.distill4j.data.features.Standardiser;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The never-updated student reads a later window with its own window's standardisation. */
class RollingTrialsTest {
    private static final Standardiser LATER = new Standardiser(new double[] {1, 2}, new double[] {2, 4});
    private static final Standardiser OWN = new Standardiser(new double[] {0, -1}, new double[] {1, 0.5});
    private static final double[][] RAW = {{3, 10}, {-1, 0}, {0.5, -2}};

    @Test
    void tabularRowsAreStandardisedAsTheirOwnWindowWould() {
        float[][] later = new float[RAW.length][];
        for (int i = 0; i < RAW.length; i++) {
            later[i] = LATER.apply(RAW[i]);
        }
        INDArray out = RollingTrials.restandardised(Nd4j.create(later), LATER, OWN);
        for (int i = 0; i < RAW.length; i++) {
            // by hand: (raw - mean_own) / std_own
            assertEquals((RAW[i][0] - 0) / 1, out.getDouble(i, 0), 1e-5);
            assertEquals((RAW[i][1] + 1) / 0.5, out.getDouble(i, 1), 1e-5);
        }
    }

    @Test
    void sequencesAreStandardisedFeatureByFeatureAtEveryStep() {
        // [n = 1, features = 2, time = 3]: step t holds raw row t
        INDArray later = Nd4j.create(new float[1 * 2 * 3], new long[] {1, 2, 3}, 'c');
        for (int t = 0; t < 3; t++) {
            float[] row = LATER.apply(RAW[t]);
            later.putScalar(new long[] {0, 0, t}, row[0]);
            later.putScalar(new long[] {0, 1, t}, row[1]);
        }
        INDArray out = RollingTrials.restandardised(later, LATER, OWN);
        for (int t = 0; t < 3; t++) {
            assertEquals(RAW[t][0], out.getDouble(0, 0, t), 1e-5);
            assertEquals((RAW[t][1] + 1) / 0.5, out.getDouble(0, 1, t), 1e-5);
        }
    }
}
