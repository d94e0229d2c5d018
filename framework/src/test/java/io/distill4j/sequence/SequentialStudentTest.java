package io.distill4j.sequence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.InputShape;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.api.VertexNames;
import io.distill4j.distill.StudentDistiller;
import io.distill4j.eval.ClassificationMetrics;
import io.distill4j.loss.HintonKd;
import io.distill4j.model.LstmNetwork;
import io.distill4j.model.Networks;
import io.distill4j.train.TrainingSettings;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Sequential students: the run and stream layout of a split, prediction with the state carried (equal to feeding
 * bars one at a time), the state really carried (an output depends on bars before its window, unlike the window
 * student's), and training that uses it (a delay longer than the window is learnt only with the state carried).
 */
class SequentialStudentTest {
    private static final int F = 2;

    /** A series {@code [F, bars]} of Gaussian values and its windows {@code [n, F, L]}, window k ending at bar L-1+k. */
    private static INDArray windows(double[][] series, int lookback) {
        int bars = series[0].length;
        int n = bars - lookback + 1;
        INDArray w = Nd4j.zeros(DataType.FLOAT, n, F, lookback);
        for (int k = 0; k < n; k++) {
            for (int f = 0; f < F; f++) {
                for (int t = 0; t < lookback; t++) {
                    w.putScalar(new long[] {k, f, t}, series[f][k + t]);
                }
            }
        }
        return w;
    }

    private static double[][] series(int bars, long seed) {
        Random r = new Random(seed);
        double[][] s = new double[F][bars];
        for (int f = 0; f < F; f++) {
            for (int t = 0; t < bars; t++) {
                s[f][t] = r.nextGaussian();
            }
        }
        return s;
    }

    @Test
    void runAndStreamsLayOutConsecutiveBars() {
        double[][] s = series(12, 1);
        INDArray run = BarStreams.run(windows(s, 4));
        assertEquals(List.of(1L, (long) F, 12L), List.of(run.size(0), run.size(1), run.size(2)));
        for (int t = 0; t < 12; t++) {
            assertEquals(s[1][t], run.getDouble(0, 1, t), 1e-6);
        }
        // 12 bars into 5 streams of 2: the 2 oldest bars left out, stream j holds bars 2 + 2j, 3 + 2j
        INDArray streams = BarStreams.streams(run, 5);
        assertEquals(List.of(5L, (long) F, 2L), List.of(streams.size(0), streams.size(1), streams.size(2)));
        for (int j = 0; j < 5; j++) {
            for (int t = 0; t < 2; t++) {
                assertEquals(s[0][2 + 2 * j + t], streams.getDouble(j, 0, t), 1e-6);
                assertEquals(s[1][2 + 2 * j + t], streams.getDouble(j, 1, t), 1e-6);
            }
        }
        INDArray mask = BarStreams.streams(BarStreams.mask(9, 4), 5);
        assertEquals(0, mask.getDouble(0, 0), 0); // bar 2: warm-up
        assertEquals(1, mask.getDouble(0, 1), 0); // bar 3: the first sample
        INDArray labels = BarStreams.labels(Nd4j.createFromArray(new float[][] {{7}, {8}}), 3);
        assertEquals(List.of(0.0, 0.0, 7.0, 8.0), List.of(labels.getDouble(0, 0, 0), labels.getDouble(0, 0, 1),
                labels.getDouble(0, 0, 2), labels.getDouble(0, 0, 3)));
        // windows of bars that are not consecutive are refused
        INDArray gappy = Nd4j.concat(0, windows(s, 4).get(NDArrayIndex.interval(0, 3)),
                windows(s, 4).get(NDArrayIndex.interval(5, 9)));
        assertThrows(IllegalStateException.class, () -> BarStreams.run(gappy));
    }

    private static final SequentialLstm STUDENT = new SequentialLstm(new LstmNetwork(List.of(6), 0), 8, 4);
    private static final InputShape SHAPE = new InputShape(F, 4, 3);
    private static final TrainingSettings SETTINGS = new TrainingSettings(2, 64, 0.01, 0, 0);

    @Test
    void predictionCarriesTheStateAsFeedingOneBarAtATimeDoes() {
        ComputationGraph graph = SequentialDistiller.build(STUDENT, new HintonKd(2, 0.5), SHAPE, SETTINGS, 3);
        assertEquals(BackpropType.TruncatedBPTT, graph.getConfiguration().getBackpropType());
        assertEquals(8, graph.getConfiguration().getTbpttFwdLength());
        double[][] s = series(30, 2);
        INDArray w = windows(s, 4);
        INDArray predicted = SequentialDistiller.predict(graph, w);
        assertEquals(List.of(27L, 3L), List.of(predicted.size(0), predicted.size(1)));
        graph.rnnClearPreviousState();
        INDArray run = BarStreams.run(w);
        for (int t = 0; t < 30; t++) {
            INDArray bar = run.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(t, t + 1));
            INDArray out = graph.rnnTimeStep(bar)[0]; // [1, 3, 1]
            if (t >= 3) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(predicted.getDouble(t - 3, c), out.getDouble(0, c, 0), 1e-5, "bar " + t);
                }
            }
        }
    }

    /**
     * Bar 0 lies outside the windows of every sample from 1 on: changing it moves the carried student's later
     * outputs, never the window student's (same parameters).
     */
    @Test
    void anOutputDependsOnBarsBeforeItsWindowOnlyWithTheStateCarried() {
        ComputationGraph sequence = SequentialDistiller.build(STUDENT, new HintonKd(2, 0.5), SHAPE, SETTINGS, 3);
        ComputationGraph window = Networks.build(STUDENT, List.of(new HintonKd(2, 0.5)), SHAPE, SETTINGS, 3);
        for (String layer : SequentialDistiller.layers(STUDENT)) {
            window.getLayer(layer).setParams(sequence.getLayer(layer).params().dup());
        }
        double[][] s = series(20, 4);
        double[][] changed = series(20, 4);
        changed[0][0] += 3;
        changed[1][0] -= 3;
        INDArray a = SequentialDistiller.predict(sequence, windows(s, 4));
        INDArray b = SequentialDistiller.predict(sequence, windows(changed, 4));
        INDArray wa = window.output(false, windows(s, 4))[0];
        INDArray wb = window.output(false, windows(changed, 4))[0];
        assertFalse(a.getRow(0).equalsWithEps(b.getRow(0), 1e-6), "sample 0's window holds bar 0");
        assertFalse(wa.getRow(0).equalsWithEps(wb.getRow(0), 1e-6), "sample 0's window holds bar 0");
        for (int k = 1; k < 6; k++) {
            assertTrue(Math.abs(a.getDouble(k, 0) - b.getDouble(k, 0)) > 1e-6, "carried: sample " + k
                    + " does not see bar 0");
            assertTrue(wa.getRow(k).equalsWithEps(wb.getRow(k), 0), "window: sample " + k + " sees bar 0");
        }
        // the window student with the sequence student's parameters is the same network on one window
        INDArray one = windows(s, 4).get(NDArrayIndex.interval(5, 6));
        INDArray fromZero = SequentialDistiller.predict(sequence, one);
        assertTrue(fromZero.equalsWithEps(window.output(false, one)[0], 1e-5));
    }

    /**
     * Class of bar t = sign of feature 0 at bar t - 3 (bars are independent noise). A window of 2 bars holds bars t
     * and t - 1 only, so a window student cannot beat chance (about 0.5) by construction; with the state carried
     * through truncated BPTT the student can remember the bar.
     */
    private static StudentDistiller.SplitData delayed(int bars, long seed) {
        double[][] s = series(bars, seed);
        INDArray w = windows(s, 2);
        int n = (int) w.size(0);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 3);
        for (int k = 0; k < n; k++) {
            int t = k + 1;
            y.putScalar(k, t < 3 ? 1 : s[0][t - 3] > 0 ? 2 : 0, 1);
        }
        return new StudentDistiller.SplitData(w, y, Map.of(DistillationLoss.DEFAULT_TEACHER,
                new TeacherOutputs(Nd4j.zeros(DataType.FLOAT, n, 3), Map.of())));
    }

    /** Slow (about 100 s on 2 shared cores): 25 epochs of an LSTM over 1,200 bars. 0.63 measured; chance about 0.5. */
    @Test
    @org.junit.jupiter.api.Tag("slow")
    void aDelayLongerThanTheWindowIsLearntWithTheStateCarried() {
        var student = new SequentialLstm(new LstmNetwork(List.of(8), 0), 10, 8);
        var shape = new InputShape(F, 2, 3);
        List<DistillationLoss> losses = List.of(new HintonKd(1, 1)); // cross-entropy alone
        StudentDistiller.SplitData train = delayed(1200, 5);
        StudentDistiller.SplitData test = delayed(300, 6);
        var carried = SequentialDistiller.train("carried", student, losses, shape,
                new TrainingSettings(25, 64, 0.03, 0, 0), train, test, 7, r -> { });
        int[] labels = test.oneHot().argMax(1).toIntVector();
        double accuracy = ClassificationMetrics.of(carried.logits(test.input()), labels, null).accuracy();
        assertTrue(accuracy > 0.6, "the carried student did not learn the delay: " + accuracy);
        // the returned window-form graph holds the trained parameters
        assertTrue(carried.graph().getLayer(VertexNames.LOGITS).params().equalsWithEps(SequentialDistiller
                .build(student, losses.get(0), shape, new TrainingSettings(25, 64, 0.03, 0, 0), 7)
                .getLayer(VertexNames.LOGITS).params(), 0) == false, "untrained parameters returned");
    }
}
