package io.distill4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The fused loss of five blocks (two Hinton KD losses with different T and alpha, plain cross-entropy, DKD and DIST, a
 * batch-level loss over its own block's rows) is the sum of
 * each block's own loss on its own columns, its gradient in each block's columns is that block's gradient, it matches
 * central differences, and a block switched off scores 0 and gets no gradient.
 */
class FusedLogitLossFunctionTest {
    private static final int C = 3;
    private static final List<LogitLossFunction> BLOCKS = List.of(new HintonKdLossFunction(2, 0.1),
            new HintonKdLossFunction(4, 0.5, 0.7), new HintonKdLossFunction(1, 1),
            new DkdLossFunction(3, 0.2, 1, 2, 1, false), new DistLossFunction(2, 0.3, 1, 1, 1));

    private static INDArray random(long seed, int n, int width) {
        return Nd4j.randn(seed, new long[] {n, width}).castTo(DataType.DOUBLE);
    }

    /** Labels {@code [y_b | v_b]} per block, side by side. */
    private static INDArray labels(int n) {
        Random r = new Random(5);
        INDArray out = Nd4j.zeros(DataType.DOUBLE, n, BLOCKS.size() * 2 * C);
        for (int b = 0; b < BLOCKS.size(); b++) {
            for (int i = 0; i < n; i++) {
                out.putScalar(i, b * 2 * C + r.nextInt(C), 1);
                for (int k = 0; k < C; k++) {
                    out.putScalar(i, b * 2 * C + C + k, r.nextGaussian() * 2);
                }
            }
        }
        return out;
    }

    private static INDArray columns(INDArray a, int b, int width) {
        return a.get(NDArrayIndex.all(), NDArrayIndex.interval(b * width, (b + 1) * width)).dup();
    }

    @Test
    void isTheSumOfTheBlocksOwnLosses() {
        int n = 7;
        INDArray z = random(1, n, BLOCKS.size() * C);
        INDArray labels = labels(n);
        var fused = new FusedLogitLossFunction(BLOCKS, C);
        var identity = new ActivationIdentity();
        double score = fused.computeScore(labels, z, identity, null, false);
        INDArray grad = fused.computeGradient(labels, z, identity, null);
        double sum = 0;
        for (int b = 0; b < BLOCKS.size(); b++) {
            INDArray zb = columns(z, b, C);
            INDArray lb = columns(labels, b, 2 * C);
            double own = BLOCKS.get(b).computeScore(lb, zb, identity, null, false);
            sum += own;
            assertEquals(own, fused.lastScores()[b], 1e-12, "block " + b + " score");
            INDArray ownGrad = BLOCKS.get(b).computeGradient(lb, zb, identity, null);
            assertEquals(0, columns(grad, b, C).sub(ownGrad).amaxNumber().doubleValue(), 1e-12, "block " + b
                    + " gradient");
        }
        assertEquals(sum, score, 1e-12);
        assertEquals(sum / n, fused.computeScore(labels, z, identity, null, true), 1e-12);
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        int n = 4;
        FiniteDifferences.assertGradient(new FusedLogitLossFunction(BLOCKS, C), labels(n),
                random(2, n, BLOCKS.size() * C), new ActivationIdentity(), null, 1e-6, "fused");
    }

    @Test
    void aBlockSwitchedOffScoresZeroAndGetsNoGradient() {
        int n = 5;
        INDArray z = random(3, n, BLOCKS.size() * C);
        INDArray labels = labels(n);
        var fused = new FusedLogitLossFunction(BLOCKS, C);
        var identity = new ActivationIdentity();
        double all = fused.computeScore(labels, z, identity, null, false);
        double second = fused.lastScores()[1];
        fused.setActive(1, false);
        assertEquals(all - second, fused.computeScore(labels, z, identity, null, false), 1e-12);
        assertEquals(0, fused.lastScores()[1]);
        assertEquals(0, columns(fused.computeGradient(labels, z, identity, null), 1, C).amaxNumber().doubleValue());
    }
}
