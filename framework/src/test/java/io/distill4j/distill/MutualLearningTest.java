package io.distill4j.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.EpochReport;
import io.distill4j.api.InputShape;
import io.distill4j.api.TrainingObserver;
import io.distill4j.model.MlpNetwork;
import io.distill4j.train.TrainingSettings;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Deep mutual learning: each student's soft target at a step is its peers' softmax outputs at that very step
 * (computed here independently from the students as they stand right before the step), every step moves every
 * student, and the peers' average is handed to the Hinton loss as logits whose tempered softmax is that average.
 */
class MutualLearningTest {
    private static final InputShape SHAPE = new InputShape(6, 1, 3);
    private static final int N = 192;

    private static INDArray input(long seed) {
        return Nd4j.randn(seed, new long[] {N, 6}).castTo(DataType.FLOAT);
    }

    private static INDArray labels(INDArray x) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, N, 3);
        for (int i = 0; i < N; i++) {
            double s = x.getDouble(i, 0) + 0.5 * x.getDouble(i, 1);
            y.putScalar(i, s > 0.4 ? 2 : s < -0.4 ? 0 : 1, 1);
        }
        return y;
    }

    /** softmax(row / t), written out plainly. */
    private static double[] softmax(double[] row, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : row) {
            max = Math.max(max, v / t);
        }
        double[] p = new double[row.length];
        double sum = 0;
        for (int a = 0; a < row.length; a++) {
            p[a] = Math.exp(row[a] / t - max);
            sum += p[a];
        }
        for (int a = 0; a < row.length; a++) {
            p[a] /= sum;
        }
        return p;
    }

    /** The mean over peers j != k of softmax(z_j / t), each z_j from the peer's own forward pass on x. */
    private static double[][] expectedPeerAverage(List<ComputationGraph> students, int k, INDArray x, double t) {
        double[][] mean = new double[(int) x.size(0)][3];
        for (int j = 0; j < students.size(); j++) {
            if (j == k) {
                continue;
            }
            INDArray z = students.get(j).output(false, x)[0];
            for (int i = 0; i < mean.length; i++) {
                double[] p = softmax(z.getRow(i).toDoubleVector(), t);
                for (int a = 0; a < 3; a++) {
                    mean[i][a] += p[a] / (students.size() - 1);
                }
            }
        }
        return mean;
    }

    private static double maxDifference(double[][] expected, INDArray targetLogits, double t) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double[] q = softmax(targetLogits.getRow(i).toDoubleVector(), t);
            for (int a = 0; a < 3; a++) {
                worst = Math.max(worst, Math.abs(q[a] - expected[i][a]));
            }
        }
        return worst;
    }

    private static List<MutualLearning.Member> cohort() {
        return List.of(new MutualLearning.Member(new MlpNetwork(List.of(8), "relu", 0), 1),
                new MutualLearning.Member(new MlpNetwork(List.of(12, 6), "tanh", 0), 2),
                new MutualLearning.Member(new MlpNetwork(List.of(8), "relu", 0), 3));
    }

    private static MutualLearning.Result train(MutualLearning.Loss loss, TrainingSettings settings,
            MutualLearning.StepObserver steps) {
        INDArray x = input(1);
        INDArray v = input(2);
        List<TrainingObserver> quiet = List.of(r -> { }, r -> { }, r -> { });
        return MutualLearning.train("cohort", cohort(), loss, SHAPE, settings, x, labels(x), v, labels(v), 7, quiet,
                steps);
    }

    @Test
    void eachStudentsTargetIsItsPeersOutputsAtThatStep() {
        double t = 2;
        int k = 9; // the second epoch's 4th step: 6 steps of 32 per epoch
        List<double[][]> current = new ArrayList<>();
        List<double[][]> initial = new ArrayList<>();
        List<INDArray> targets = new ArrayList<>();
        List<ComputationGraph> untrained = new ArrayList<>();
        List<Integer> sameBatchSizes = new ArrayList<>();
        train(new MutualLearning.Loss(t, 0.5, 1), new TrainingSettings(2, 32, 0.01, 0, 0),
                (step, x, y, students, stepTargets) -> {
                    if (step == 0) {
                        students.forEach(s -> untrained.add(s.clone()));
                    }
                    sameBatchSizes.add((int) x.size(0));
                    if (step == k) {
                        for (int s = 0; s < students.size(); s++) {
                            current.add(expectedPeerAverage(students, s, x, t));
                            initial.add(expectedPeerAverage(untrained, s, x, t));
                            targets.add(stepTargets.get(s).dup());
                        }
                    }
                });
        assertEquals(12, sameBatchSizes.size(), "2 epochs of 192 samples in minibatches of 32");
        for (int s = 0; s < 3; s++) {
            assertTrue(maxDifference(current.get(s), targets.get(s), t) < 1e-5,
                    "student " + s + "'s target at step " + k + " is not its peers' average at that step");
            // and not a stale one: the peers as they were before training give clearly other targets
            assertTrue(maxDifference(initial.get(s), targets.get(s), t) > 1e-2,
                    "student " + s + "'s target at step " + k + " equals the untrained peers' outputs");
        }
    }

    @Test
    void aStepMovesEveryStudent() {
        List<ComputationGraph> before = new ArrayList<>();
        List<Boolean> moved = new ArrayList<>();
        train(new MutualLearning.Loss(1, 0.5, 2), new TrainingSettings(1, 64, 0.01, 0, 0),
                (step, x, y, students, targets) -> {
                    if (step == 0) {
                        students.forEach(s -> before.add(s.clone()));
                    } else if (step == 1) {
                        for (int s = 0; s < students.size(); s++) {
                            moved.add(!students.get(s).params().equalsWithEps(before.get(s).params(), 1e-7));
                        }
                    }
                });
        assertEquals(List.of(true, true, true), moved, "one step must update every student of the cohort");
    }

    @Test
    void theCohortLearnsAndReportsEveryStudentsEpochs() {
        INDArray x = input(1);
        INDArray v = input(2);
        List<List<EpochReport>> seen = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<TrainingObserver> observers = List.of(seen.get(0)::add, seen.get(1)::add, seen.get(2)::add);
        MutualLearning.Result result = MutualLearning.train("cohort", cohort(), new MutualLearning.Loss(1, 0.5, 2),
                SHAPE, new TrainingSettings(8, 32, 0.01, 0, 0), x, labels(x), v, labels(v), 7, observers, null);
        for (int s = 0; s < 3; s++) {
            assertEquals(8, seen.get(s).size());
            assertEquals(seen.get(s), result.reports().get(s));
            double first = seen.get(s).get(0).validationLoss();
            double last = seen.get(s).get(7).validationLoss();
            assertTrue(last < first, "student " + s + "'s validation loss did not drop: " + first + " -> " + last);
            assertTrue(seen.get(s).get(7).values().get(EpochReport.VAL_ACCURACY) > 0.6, "student " + s
                    + " did not learn a learnable rule: " + seen.get(s).get(7).values());
        }
    }

    /** The peers' average, as logits: softmax(v / T) is the mean of the peers' softmax(z / T), by hand. */
    @Test
    void peerTargetIsTheAverageOfThePeersTemperedSoftmax() {
        double t = 3;
        List<INDArray> logits = List.of(Nd4j.create(new double[][] {{1, 2, 3}, {0, 0, 6}}),
                Nd4j.create(new double[][] {{-3, 0, 3}, {2, 1, 0}}),
                Nd4j.create(new double[][] {{0, 0, 0}, {9, -9, 0}}));
        INDArray v = MutualLearning.peerTarget(logits, 0, t);
        // student 0's peers are 1 and 2; row 0: softmax([-1, 0, 1]) and uniform
        double e = Math.exp(1);
        double z = 1 / e + 1 + e;
        double[] expected0 = {(1 / e / z + 1.0 / 3) / 2, (1 / z + 1.0 / 3) / 2, (e / z + 1.0 / 3) / 2};
        double[] q0 = softmax(v.getRow(0).toDoubleVector(), t);
        for (int a = 0; a < 3; a++) {
            assertEquals(expected0[a], q0[a], 1e-6);
        }
        // row 1: softmax([2/3, 1/3, 0]) and softmax([3, -3, 0])
        double[] p1 = {Math.exp(2.0 / 3), Math.exp(1.0 / 3), 1};
        double s1 = p1[0] + p1[1] + p1[2];
        double[] p2 = {Math.exp(3), Math.exp(-3), 1};
        double s2 = p2[0] + p2[1] + p2[2];
        double[] q1 = softmax(v.getRow(1).toDoubleVector(), t);
        for (int a = 0; a < 3; a++) {
            assertEquals((p1[a] / s1 + p2[a] / s2) / 2, q1[a], 1e-6);
        }
        // student 1's target does not include its own outputs
        INDArray v1 = MutualLearning.peerTarget(logits, 1, t);
        assertFalse(v1.equalsWithEps(v, 1e-3));
    }
}
