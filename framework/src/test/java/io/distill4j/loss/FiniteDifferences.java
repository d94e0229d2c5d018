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

    /**
     * DL4J's own gradient check, in double precision, through a small tanh MLP student (4 inputs, 5 hidden, 3 logits)
     * whose only head is {@code kd}: labels {@code [y | v]} with random one-hot {@code y} and teacher logits {@code v},
     * then, with {@code regimeColumn}, the regime index {@code i % 3} of sample {@code i}.
     */
    static void assertGraphGradients(io.distill4j.api.DistillationLoss kd, boolean regimeColumn) {
        org.nd4j.linalg.factory.Nd4j.setDefaultDataTypes(org.nd4j.linalg.api.buffer.DataType.DOUBLE,
                org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        try {
            var graph = io.distill4j.model.Networks.assemble(
                    new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(7)
                            .dataType(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                            .updater(new org.nd4j.linalg.learning.config.NoOp()),
                    new io.distill4j.model.MlpNetwork(java.util.List.of(5), "tanh", 0), java.util.List.of(kd),
                    new io.distill4j.api.InputShape(4, 1, 3));
            java.util.Random random = new java.util.Random(3);
            int n = 6;
            INDArray x = org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.DOUBLE, n, 4);
            INDArray y = org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.DOUBLE, n,
                    regimeColumn ? 7 : 6);
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < 4; k++) {
                    x.putScalar(i, k, random.nextGaussian());
                }
                y.putScalar(i, random.nextInt(3), 1);
                for (int k = 0; k < 3; k++) {
                    y.putScalar(i, 3 + k, random.nextGaussian() * 2);
                }
                if (regimeColumn) {
                    y.putScalar(i, 6, i % 3);
                }
            }
            boolean ok = org.deeplearning4j.gradientcheck.GradientCheckUtil.checkGradients(
                    new org.deeplearning4j.gradientcheck.GradientCheckUtil.GraphConfig().net(graph)
                            .inputs(new INDArray[] {x}).labels(new INDArray[] {y}).epsilon(1e-6).maxRelError(1e-3)
                            .minAbsoluteError(1e-8));
            org.junit.jupiter.api.Assertions.assertTrue(ok, "DL4J gradient check failed");
        } finally {
            org.nd4j.linalg.factory.Nd4j.setDefaultDataTypes(org.nd4j.linalg.api.buffer.DataType.FLOAT,
                    org.nd4j.linalg.api.buffer.DataType.FLOAT);
        }
    }
}
