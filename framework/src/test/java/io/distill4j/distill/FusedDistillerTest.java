package io.distill4j.distill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.EpochReport;
import io.distill4j.api.InputShape;
import io.distill4j.api.Schedule;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.loss.HardLabelCrossEntropy;
import io.distill4j.loss.HintonKd;
import io.distill4j.model.MlpNetwork;
import io.distill4j.train.TrainingSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Each student of a fused group ends as the same student trained alone by {@link StudentDistiller}: same initial
 * weights (its seed), same minibatch order (its shuffle seed), same loss parameters (its own T and alpha, its own
 * schedule), same L2, same partial last minibatch, same per-epoch reports and early stopping. The only difference
 * allowed is float rounding from the summation order of the wider matrix products: parameters within
 * {@value #TOLERANCE} relative to their largest magnitude, identical test predictions.
 */
class FusedDistillerTest {
    /** Max |fused - alone| / max |alone| over a student's parameters. */
    static final double TOLERANCE = 1e-5;
    private static final InputShape SHAPE = new InputShape(6, 1, 3);
    private static final MlpNetwork STUDENT = new MlpNetwork(List.of(16, 8), "relu", 0);
    private static final int N = 203; // not a multiple of the batch size: a partial last minibatch

    private static INDArray inputs(long seed, int n) {
        return Nd4j.randn(seed, new long[] {n, 6}).castTo(DataType.FLOAT);
    }

    /** Labels that follow the inputs ({@code noisy}: at random, so that validation stops improving soon). */
    private static StudentDistiller.SplitData split(INDArray x, long seed, boolean noisy) {
        int n = (int) x.size(0);
        Random random = new Random(seed);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 3);
        for (int i = 0; i < n; i++) {
            int k = noisy ? random.nextInt(3) : x.getDouble(i, 0) > 0.4 ? 2 : x.getDouble(i, 0) < -0.4 ? 0 : 1;
            y.putScalar(i, k, 1);
        }
        INDArray teacher = x.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3)).mul(2).castTo(DataType.FLOAT);
        return new StudentDistiller.SplitData(x, y, Map.of(DistillationLoss.DEFAULT_TEACHER,
                new TeacherOutputs(teacher, Map.of())));
    }

    /** A temperature schedule that moves each epoch: 2, 3, 4, ... */
    private static final Schedule RISING = new Schedule() {
        @Override
        public double valueAt(int epoch, int epochs, double configured) {
            return configured + epoch;
        }

        @Override
        public String describe() {
            return "rising";
        }
    };

    /** Three blocks: two KD students differing in seed, T and alpha (one scheduled) and a student-alone one. */
    private static List<FusedDistiller.Block> blocks(StudentDistiller.SplitData train,
            StudentDistiller.SplitData validation) {
        List<FusedDistiller.Block> out = new ArrayList<>();
        HintonKd scheduled = new HintonKd(2, 0.1);
        out.add(new FusedDistiller.Block("kd T2 a0.1", List.of(scheduled), List.of(
                new StudentDistiller.ScheduledParameter(scheduled, HintonKd.TEMPERATURE, RISING)), train, validation,
                11, 21));
        out.add(new FusedDistiller.Block("kd T4 a0.5", List.of(new HintonKd(4, 0.5)), List.of(), train, validation,
                12, 22));
        out.add(new FusedDistiller.Block("alone", List.of(new HardLabelCrossEntropy()), List.of(), train, validation,
                13, 23));
        return out;
    }

    private record Alone(StudentDistiller.Result result, List<EpochReport> reports) {
    }

    /** The block trained alone through today's path ({@code b} from its own {@link #blocks} call: fresh losses). */
    private static Alone alone(FusedDistiller.Block b, TrainingSettings training) {
        List<EpochReport> reports = new ArrayList<>();
        var result = StudentDistiller.train(b.name(), STUDENT, b.losses(), b.schedules(), SHAPE, training, b.train(),
                b.validation(), b.seed(), b.shuffleSeed(), reports::add);
        return new Alone(result, reports);
    }

    private static double relativeDifference(INDArray fused, INDArray alone) {
        return fused.sub(alone).amaxNumber().doubleValue() / alone.amaxNumber().doubleValue();
    }

    private static void assertSameAsAlone(TrainingSettings training, boolean noisyValidation) {
        INDArray x = inputs(1, N);
        StudentDistiller.SplitData train = split(x, 2, false);
        StudentDistiller.SplitData validation = split(inputs(3, 97), 4, noisyValidation);
        INDArray test = inputs(5, 150);
        List<FusedDistiller.Block> blocks = blocks(train, validation);
        List<FusedDistiller.Trained> fused = FusedDistiller.train(STUDENT, SHAPE, training, blocks);
        for (int b = 0; b < blocks.size(); b++) {
            String what = blocks.get(b).name();
            Alone alone = alone(blocks(train, validation).get(b), training);
            FusedDistiller.Trained f = fused.get(b);
            List<EpochReport> replayed = new ArrayList<>();
            StudentDistiller.Result result = f.replay(replayed::add);
            double diff = relativeDifference(result.graph().params(), alone.result().graph().params());
            assertTrue(diff <= TOLERANCE, what + ": parameters differ by " + diff + " (relative)");
            assertArrayEquals(alone.result().logits(test).argMax(1).toIntVector(),
                    result.logits(test).argMax(1).toIntVector(), what + ": test predictions differ");
            var expected = alone.result().outcome();
            var actual = result.outcome();
            assertEquals(expected.epochsRun(), actual.epochsRun(), what + ": epochs run");
            assertEquals(expected.bestEpoch(), actual.bestEpoch(), what + ": best epoch");
            assertEquals(expected.stoppedEarly(), actual.stoppedEarly(), what + ": stopped early");
            assertEquals(expected.bestValidationLoss(), actual.bestValidationLoss(), 1e-5, what + ": best criterion");
            assertEquals(alone.reports().size(), replayed.size(), what + ": epoch reports");
            for (int e = 0; e < replayed.size(); e++) {
                EpochReport a = alone.reports().get(e);
                EpochReport r = replayed.get(e);
                assertEquals(a.trainLoss(), r.trainLoss(), 1e-5 * Math.abs(a.trainLoss()), what + " epoch " + e
                        + ": training loss");
                assertEquals(a.validationLoss(), r.validationLoss(), 1e-5, what + " epoch " + e + ": criterion");
                assertEquals(a.values().keySet(), r.values().keySet(), what + " epoch " + e + ": reported values");
                for (String key : a.values().keySet()) {
                    assertEquals(a.values().get(key), r.values().get(key), 1e-5 * Math.max(1,
                            Math.abs(a.values().get(key))), what + " epoch " + e + ": " + key);
                }
            }
        }
    }

    @Test
    void eachFusedStudentEqualsTheSameStudentTrainedAlone() {
        assertSameAsAlone(new TrainingSettings(5, 32, 0.01, 1e-3, 0), false);
    }

    @Test
    void earlyStoppingIsPerStudentAsAlone() {
        assertSameAsAlone(new TrainingSettings(12, 32, 0.05, 0, 1), true);
    }

    @Test
    void offDiagonalBlocksStayExactlyZero() {
        INDArray x = inputs(1, N);
        StudentDistiller.SplitData train = split(x, 2, false);
        List<FusedDistiller.Block> blocks = blocks(train, split(inputs(3, 97), 4, false));
        TrainingSettings training = new TrainingSettings(2, 32, 0.01, 1e-3, 0);
        var group = new FusedDistiller.Group(STUDENT, SHAPE, training, blocks);
        group.train();
        ComputationGraph fused = group.fused();
        for (String layer : List.of("hidden_0", "hidden_1", "logits")) {
            INDArray w = fused.getLayer(layer).getParam("W");
            INDArray offDiagonal = w.mul(BlockDiagonalConstraint.mask(w.size(0), w.size(1), blocks.size()).rsub(1)
                    .castTo(w.dataType()));
            assertEquals(0.0, offDiagonal.amaxNumber().doubleValue(), 0.0, layer + ": off-diagonal weights");
            assertTrue(w.amaxNumber().doubleValue() > 0, layer + ": trained weights");
        }
    }
}
