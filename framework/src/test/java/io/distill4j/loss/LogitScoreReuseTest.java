package io.distill4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.InputShape;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.model.MlpNetwork;
import io.distill4j.model.Networks;
import io.distill4j.train.TrainingSettings;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A logit loss computes a training step's per-row scores once, in its gradient pass, and hands them to DL4J's score
 * request of the same step: the step's score must equal the score computed from scratch.
 */
class LogitScoreReuseTest {
    /** Hinton KD's kernel, counting its passes. */
    private static final class CountingKd extends LogitLossFunction {
        private final HintonKdLossFunction inner = new HintonKdLossFunction(4, 0.3);
        int kernels;

        @Override
        protected void kernel(double[] z, double[] labels, int n, int c, double[] mask, double[] score,
                double[] grad) {
            kernels++;
            inner.kernel(z, labels, n, c, mask, score, grad);
        }

        @Override
        public String name() {
            return "counting";
        }
    }

    @Test
    void aTrainingStepRunsTheKernelOnceAndScoresAsAFreshComputation() {
        CountingKd counting = new CountingKd();
        DistillationLoss countingHead = new LogitDistillation("counting", "kd", DistillationLoss.DEFAULT_TEACHER,
                counting) {
        };
        for (DistillationLoss loss : List.of(countingHead, new HintonKd(2, 0.5),
                new Dkd(4, 0.2, 1, 8, 1, false))) {
            var settings = new TrainingSettings(1, 32, 0.01, 0, 0);
            ComputationGraph g = Networks.build(new MlpNetwork(List.of(8), "relu", 0), List.of(loss),
                    new InputShape(5, 1, 3), settings, 4);
            INDArray x = Nd4j.randn(8, new long[] {32, 5}).castTo(DataType.FLOAT);
            INDArray y = Nd4j.zeros(DataType.FLOAT, 32, 3);
            for (int i = 0; i < 32; i++) {
                y.putScalar(i, (i * 7) % 3, 1);
            }
            INDArray labels = loss.labels(y, new TeacherOutputs(Nd4j.randn(9, new long[] {32, 3})
                    .castTo(DataType.FLOAT), Map.of()));
            var batch = new MultiDataSet(new INDArray[] {x}, new INDArray[] {labels});
            for (int step = 0; step < 3; step++) {
                double fresh = g.clone().score(batch, false); // before the update, by the score path alone
                int before = counting.kernels;
                g.fit(batch);
                assertEquals(fresh, g.score(), 0.0, loss + " step " + step);
                if (loss == countingHead) {
                    assertEquals(1, counting.kernels - before, "kernel passes in one training step");
                }
            }
        }
    }

    @Test
    void aFusedLossHandsItsGradientPassScoresToTheScoreRequestOfTheSameArrays() {
        CountingKd first = new CountingKd();
        CountingKd second = new CountingKd();
        FusedLogitLossFunction fused = new FusedLogitLossFunction(List.of(first, second), 3);
        int n = 16;
        INDArray z = Nd4j.randn(3, new long[] {n, 6});
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, n, 12);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, i % 3, 1); // block 1: [y | v]
            labels.putScalar(i, 6 + (i + 1) % 3, 1); // block 2
            for (int k = 0; k < 3; k++) {
                labels.putScalar(i, 3 + k, 0.1 * (i + k));
                labels.putScalar(i, 9 + k, -0.2 * (i - k));
            }
        }
        var identity = new ActivationIdentity();
        double fresh = new FusedLogitLossFunction(List.of(new CountingKd(), new CountingKd()), 3)
                .computeScore(labels, z, identity, null, false);
        fused.computeGradientAndScore(labels, z, identity, null, false);
        assertEquals(1, first.kernels, "block 1's passes for the gradient");
        assertEquals(fresh, fused.computeScore(labels, z, identity, null, false), 1e-12);
        assertEquals(1, first.kernels, "the score of the same arrays reuses the gradient pass");
        assertEquals(1, second.kernels);
        // other arrays (even equal values), or a second request, are computed afresh
        assertEquals(fresh, fused.computeScore(labels, z.dup(), identity, null, false), 1e-12);
        assertEquals(2, first.kernels);
        assertEquals(fresh, fused.computeScore(labels, z, identity, null, false), 1e-12);
        assertEquals(3, first.kernels);
    }
}
