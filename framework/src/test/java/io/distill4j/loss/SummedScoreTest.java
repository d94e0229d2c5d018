package io.distill4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** {@link LogitLossFunction#summedScore} against DL4J's per-minibatch {@code computeScore}, bit for bit. */
class SummedScoreTest {
    private static INDArray labels(int n, int c, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray oneHot = Nd4j.zeros(DataType.FLOAT, n, c);
        for (int i = 0; i < n; i++) {
            oneHot.putScalar(i, (i * 7 + (int) seed) % c, 1f);
        }
        return Nd4j.hstack(oneHot, Nd4j.randn(DataType.FLOAT, n, c).muli(2));
    }

    /** What a validation pass summed before: {@code computeScore} per consecutive minibatch. */
    private static double perMinibatch(LogitLossFunction loss, INDArray labels, INDArray output, int batch) {
        double sum = 0;
        long n = output.size(0);
        for (long from = 0; from < n; from += batch) {
            var rows = NDArrayIndex.interval(from, Math.min(n, from + batch));
            sum += loss.computeScore(labels.get(rows, NDArrayIndex.all()), output.get(rows, NDArrayIndex.all()),
                    new ActivationIdentity(), null, false);
        }
        return sum;
    }

    @Test
    void equalsDl4jsScorePerMinibatchForPerRowAndBatchLevelLosses() {
        int n = 601;
        int c = 3;
        LogitLossFunction[] losses = {new HintonKdLossFunction(4, 0.5, 1.0), new HintonKdLossFunction(2, 0.1, 0.7),
            new DkdLossFunction(4, 0.5, 1.0, 8.0, 1.0, false), new DistLossFunction(4, 0.5, 1.0, 2.0, 1.0)};
        for (LogitLossFunction loss : losses) {
            for (int batch : new int[] {256, 100, 601, 1000}) {
                Nd4j.getRandom().setSeed(batch);
                INDArray output = Nd4j.randn(DataType.FLOAT, n, c).muli(3);
                INDArray y = labels(n, c, batch);
                assertEquals(perMinibatch(loss, y, output, batch), loss.summedScore(y, output, batch), 0.0,
                        loss.name() + ", minibatches of " + batch);
                // the labels read once and scored against two outputs, as a validation pass does every epoch
                var heap = new LogitLossFunction.HeapLabels(y);
                INDArray later = output.mul(0.5f);
                assertEquals(perMinibatch(loss, y, output, batch), loss.summedScore(heap, output, batch), 0.0);
                assertEquals(perMinibatch(loss, y, later, batch), loss.summedScore(heap, later, batch), 0.0);
            }
        }
    }

    @Test
    void badShapesGetDl4jsError() {
        LogitLossFunction loss = new HintonKdLossFunction(4, 0.5, 1.0);
        assertThrows(IllegalArgumentException.class,
                () -> loss.summedScore(labels(10, 3, 1), Nd4j.rand(DataType.FLOAT, 10, 4), 4));
    }
}
