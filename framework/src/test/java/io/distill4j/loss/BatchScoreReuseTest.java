package io.distill4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A batch loss computes a training step's batch loss once, in its gradient pass, and hands it to DL4J's score request
 * of the same values; arrays changed since (in place or new) are scored afresh.
 */
class BatchScoreReuseTest {
    /** Mean squared difference of the rows' sums (a batch loss by this class's convention), counting its passes. */
    private static final class Counting extends BatchLossFunction {
        int passes;

        Counting() {
            super(0.5);
        }

        @Override
        protected String kind() {
            return "Counting";
        }

        @Override
        protected double batchLoss(double[][] s, double[][] t, double[][] gradient) {
            passes++;
            double loss = 0;
            for (int i = 0; i < s.length; i++) {
                double d = java.util.Arrays.stream(s[i]).sum() - java.util.Arrays.stream(t[i]).sum();
                loss += d * d / s.length;
                if (gradient != null) {
                    java.util.Arrays.fill(gradient[i], 2 * d / s.length);
                }
            }
            return loss;
        }
    }

    @Test
    void theScoreOfTheGradientsValuesReusesItsBatchLoss() {
        var identity = new ActivationIdentity();
        INDArray out = Nd4j.createFromArray(new double[][] {{1, 2}, {0, -1}, {3, 1}}).castTo(DataType.FLOAT);
        INDArray labels = Nd4j.createFromArray(new double[][] {{0.5, 1}, {1, 1}, {2, 2}}).castTo(DataType.FLOAT);
        // sums: s = 3, -1, 4; t = 1.5, 2, 4; d = 1.5, -3, 0; B = (2.25 + 9 + 0) / 3 = 3.75; score = 0.5 * B
        Counting f = new Counting();
        f.computeGradient(labels, out, identity, null);
        assertEquals(1, f.passes);
        assertEquals(0.5 * 3.75, f.computeScore(labels, out, identity, null, true), 1e-6);
        assertEquals(0.5 * 3.75, f.computeScore(labels.dup(), out.dup(), identity, null, true), 1e-6);
        assertEquals(1, f.passes, "the same values reuse the gradient pass's loss");
        out.putScalar(1, 1, 2.0); // changed in place: d = 1.5, 0, 0; B = 0.75
        assertEquals(0.5 * 0.75, f.computeScore(labels, out, identity, null, true), 1e-6);
        assertEquals(2, f.passes);
        assertNotEquals(f.computeScore(labels, out, identity, null, false),
                f.computeScore(labels, out.addi(1), identity, null, false));
    }
}
