package io.distill4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/** A loss's analytic gradient against central finite differences of its summed score, for the loss tests. */
final class FiniteDifferences {
    private FiniteDifferences() {
    }

    /**
     * Asserts that {@code d(summed score)/d(preOutput)} of {@code loss} matches central differences (step 1e-6) to
     * within {@code tolerance} at every entry of {@code z}.
     */
    static void assertGradient(ILossFunction loss, INDArray labels, INDArray z, IActivation activation, INDArray mask,
            double tolerance, String what) {
        INDArray analytic = loss.computeGradient(labels, z, activation, mask);
        double eps = 1e-6;
        for (int i = 0; i < z.size(0); i++) {
            for (int k = 0; k < z.size(1); k++) {
                INDArray plus = z.dup();
                plus.putScalar(i, k, z.getDouble(i, k) + eps);
                INDArray minus = z.dup();
                minus.putScalar(i, k, z.getDouble(i, k) - eps);
                double numeric = (loss.computeScore(labels, plus, activation, mask, false)
                        - loss.computeScore(labels, minus, activation, mask, false)) / (2 * eps);
                assertEquals(numeric, analytic.getDouble(i, k), tolerance,
                        what + " d/dz[" + i + "," + k + "] " + activation);
            }
        }
    }
}
