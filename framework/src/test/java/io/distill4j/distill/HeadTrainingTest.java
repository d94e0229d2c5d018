package io.distill4j.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.EpochReport;
import io.distill4j.api.InputShape;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.api.VertexNames;
import io.distill4j.loss.FitNetsHint;
import io.distill4j.loss.HardLabelCrossEntropy;
import io.distill4j.model.MlpNetwork;
import io.distill4j.train.TrainingSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Heads that own layers really train, and every head's score is reported per epoch: a hint head alone moves its
 * projection and the student body below it (and nothing else), and its score drops.
 */
class HeadTrainingTest {
    private static final InputShape SHAPE = new InputShape(6, 1, 3);
    private static final MlpNetwork STUDENT = new MlpNetwork(List.of(8, 5), "tanh", 0);

    /** Inputs, labels and a teacher whose layer "t" is a fixed nonlinear map of the input (learnable). */
    private static StudentDistiller.SplitData split(long seed) {
        INDArray x = Nd4j.randn(seed, new long[] {128, 6}).castTo(DataType.FLOAT);
        INDArray map = Nd4j.randn(99, new long[] {6, 4}).castTo(DataType.FLOAT);
        INDArray t = Transforms.tanh(x.mmul(map));
        INDArray y = Nd4j.zeros(DataType.FLOAT, 128, 3);
        for (int i = 0; i < 128; i++) {
            y.putScalar(i, x.getDouble(i, 0) > 0 ? 2 : 0, 1);
        }
        return new StudentDistiller.SplitData(x, y, Map.of(DistillationLoss.DEFAULT_TEACHER,
                new TeacherOutputs(Nd4j.zeros(DataType.FLOAT, 128, 3), Map.of("t", t))));
    }

    private static List<EpochReport> train(List<DistillationLoss> losses, TrainingSettings settings,
            ComputationGraph[] graph) {
        List<EpochReport> reports = new ArrayList<>();
        var result = StudentDistiller.train("heads", STUDENT, losses, List.of(), SHAPE, settings, split(1), split(2),
                11, 12, reports::add);
        graph[0] = result.graph();
        return reports;
    }

    /** Trained by the hint alone: the logits head (DL4J needs one) has weight 0. */
    @Test
    void aHintHeadAloneTrainsItsProjectionAndTheBodyBelowIt() {
        var hint = new FitNetsHint("hidden_0", "t", 1, DistillationLoss.DEFAULT_TEACHER);
        List<DistillationLoss> losses = List.of(new HardLabelCrossEntropy(0), hint);
        TrainingSettings settings = new TrainingSettings(8, 32, 0.01, 0, 0);
        ComputationGraph untrained = io.distill4j.model.Networks.build(STUDENT, losses, SHAPE, settings, 11,
                Map.of("hard", 6L, "hint_hidden_0", 4L));
        ComputationGraph[] trained = new ComputationGraph[1];
        List<EpochReport> reports = train(losses, settings, trained);

        assertFalse(param(untrained, "hint_hidden_0_projection").equalsWithEps(
                param(trained[0], "hint_hidden_0_projection"), 1e-6), "the projection did not train");
        assertFalse(param(untrained, "hidden_0").equalsWithEps(param(trained[0], "hidden_0"), 1e-6),
                "the hint's gradient did not reach the student layer it reads");
        // nothing above the guided layer has a gradient from the hint: the only loss is the hint
        assertTrue(param(untrained, "hidden_1").equalsWithEps(param(trained[0], "hidden_1"), 0));
        assertTrue(param(untrained, VertexNames.LOGITS).equalsWithEps(param(trained[0], VertexNames.LOGITS), 0));

        double first = reports.get(0).values().get("objective.val.hint_hidden_0");
        double last = reports.get(reports.size() - 1).values().get("objective.val.hint_hidden_0");
        assertTrue(last < 0.5 * first, "the hint's validation score did not drop: " + first + " -> " + last);
        double firstTrain = reports.get(0).values().get("objective.train.hint_hidden_0");
        double lastTrain = reports.get(reports.size() - 1).values().get("objective.train.hint_hidden_0");
        assertTrue(lastTrain < firstTrain, firstTrain + " -> " + lastTrain);
    }

    /**
     * FitNets' two stages, with KD's stand-in (a hard-label head at weight 1, with l2) and the hint at weight 0 after
     * its pre-training: stage 1 moves only the guided layer hidden_0 and the hint's projection, even though the other
     * heads and weight decay would move every layer; then every weight and learning rate is back, so one step of the
     * second stage moves the whole student.
     */
    @Test
    void twoStageFitNetsPreTrainsTheLowerLayersThenTrainsEverything() {
        var hard = new HardLabelCrossEntropy(1);
        var hint = new FitNetsHint(new io.distill4j.loss.FeatureTerm.Spec("hidden_0", "t",
                DistillationLoss.DEFAULT_TEACHER, io.distill4j.loss.FeatureTerm.Projection.LINEAR,
                io.distill4j.loss.FeatureTerm.Pooling.NONE, 1), 0, 2);
        List<DistillationLoss> losses = List.of(hard, hint);
        TrainingSettings settings = new TrainingSettings(3, 32, 0.01, 0.001, 0);
        ComputationGraph graph = io.distill4j.model.Networks.build(STUDENT, losses, SHAPE, settings, 11,
                Map.of("hard", 3L, "hint_hidden_0", 4L));
        Map<String, INDArray> before = params(graph);
        var train = split(1);
        var iterator = new io.distill4j.train.ShufflingMultiDataSetIterator(new INDArray[] {train.input()},
                new INDArray[] {hard.labels(train.oneHot(), null),
                        hint.labels(train.oneHot(), train.teachers().get(DistillationLoss.DEFAULT_TEACHER))}, 32, 5);
        List<EpochReport> reports = new ArrayList<>();
        var outcome = StudentDistiller.pretrain("two-stage", graph, losses, hint, iterator,
                new io.distill4j.train.GraphTrainer.Validation(split(2).input(), split(2).oneHot()), settings,
                reports::add);
        assertEquals(2, outcome.epochsRun());
        assertEquals(2, reports.size());
        Map<String, INDArray> stage1 = params(graph);
        assertFalse(before.get("hidden_0").equalsWithEps(stage1.get("hidden_0"), 1e-6), "stage 1: hidden_0 stayed");
        assertFalse(before.get("hint_hidden_0_projection").equalsWithEps(stage1.get("hint_hidden_0_projection"), 1e-6),
                "stage 1: the hint's projection stayed");
        assertTrue(before.get("hidden_1").equalsWithEps(stage1.get("hidden_1"), 0), "stage 1 moved hidden_1");
        assertTrue(before.get(VertexNames.LOGITS).equalsWithEps(stage1.get(VertexNames.LOGITS), 0),
                "stage 1 moved the logits");
        // stage 2: the configured weights (hard 1, hint 0) and every learning rate are back
        assertEquals(1, hard.parameters().get(DistillationLoss.WEIGHT));
        assertEquals(0, hint.parameters().get(DistillationLoss.WEIGHT));
        iterator.reset();
        graph.fit(iterator.next());
        Map<String, INDArray> stage2 = params(graph);
        for (String layer : List.of("hidden_0", "hidden_1", VertexNames.LOGITS)) {
            assertFalse(stage1.get(layer).equalsWithEps(stage2.get(layer), 1e-7), "stage 2 did not train " + layer);
        }
    }

    /** Through {@link StudentDistiller#train}: the pre-training epochs come first, reported under their prefix. */
    @Test
    void preTrainingEpochsAreReportedUnderTheirPrefix() {
        var hint = new FitNetsHint(new io.distill4j.loss.FeatureTerm.Spec("hidden_1", "t",
                DistillationLoss.DEFAULT_TEACHER, io.distill4j.loss.FeatureTerm.Projection.LINEAR,
                io.distill4j.loss.FeatureTerm.Pooling.NONE, 1), 0.5, 2);
        ComputationGraph[] graph = new ComputationGraph[1];
        List<EpochReport> reports = train(List.of(new HardLabelCrossEntropy(), hint),
                new TrainingSettings(3, 32, 0.01, 0, 0), graph);
        assertEquals(List.of("pretrain.", "pretrain.", "", "", ""), reports.stream().map(EpochReport::scope).toList());
        double first = reports.get(0).values().get("objective.val.hint_hidden_1");
        double second = reports.get(1).values().get("objective.val.hint_hidden_1");
        assertTrue(second < first, "the hint did not train in stage 1: " + first + " -> " + second);
    }

    private static Map<String, INDArray> params(ComputationGraph graph) {
        Map<String, INDArray> out = new java.util.LinkedHashMap<>();
        for (var layer : graph.getLayers()) {
            if (layer.numParams() > 0) {
                out.put(layer.conf().getLayer().getLayerName(), layer.params().dup());
            }
        }
        return out;
    }

    /**
     * Each head's train and validation score per epoch: the train scores sum to the graph's own loss (no l2), and the
     * hard-label head's validation score is its weight times the validation cross-entropy.
     */
    @Test
    void everyHeadsScoreIsReportedAndTheySumToTheLoss() {
        var hard = new HardLabelCrossEntropy(0.5);
        var hint = new FitNetsHint("hidden_1", "t", 2, DistillationLoss.DEFAULT_TEACHER);
        ComputationGraph[] graph = new ComputationGraph[1];
        List<EpochReport> reports = train(List.of(hard, hint), new TrainingSettings(3, 32, 0.01, 0, 0), graph);
        assertEquals(3, reports.size());
        for (EpochReport r : reports) {
            Map<String, Double> v = r.values();
            // val_loss is the fixed-scale early-stopping criterion, the cross-entropy against the hard labels: the
            // hard-label head at weight 0.5 scores exactly half of it
            assertEquals(r.validationLoss(), v.get("objective.val.hard") / 0.5, 1e-4 * r.validationLoss(), v.toString());
            assertEquals(r.trainLoss(), v.get("objective.train.hard") + v.get("objective.train.hint_hidden_1"),
                    1e-4 * r.trainLoss(), v.toString());
            // constant weights are not repeated per epoch (no schedule moves them)
            assertFalse(v.containsKey("hard.weight") || v.containsKey("hint_hidden_1.weight"), v.toString());
            assertTrue(v.get("objective.val.hard") > 0 && v.get("objective.val.hint_hidden_1") > 0, v.toString());
            assertEquals(v.get("objective.val.hard") + v.get("objective.val.hint_hidden_1"),
                    v.get("objective.val"), 1e-12, "the validation objective is the sum of its terms");
            // the label-based curves of the same inference pass as the criterion; the hint head's teacher is the
            // default teacher, so agreement is measured against it
            assertTrue(v.get("epoch.val_accuracy") > 0 && v.get("epoch.val_accuracy") <= 1, v.toString());
            assertTrue(v.get("epoch.val_macro_f1") >= 0 && v.get("epoch.val_macro_f1") <= 1, v.toString());
        }
    }

    /**
     * The last epoch's label-based curves equal the trained network's metrics, computed here by hand from its logits
     * on the validation split: accuracy against the labels, agreement against the teacher (whose logits are all
     * zero, so its argmax is class 0) and cross-entropy.
     */
    @Test
    void labelCurvesOfTheLastEpochMatchTheTrainedNetwork() {
        ComputationGraph[] graph = new ComputationGraph[1];
        List<EpochReport> reports = train(List.of(new HardLabelCrossEntropy()), new TrainingSettings(2, 32, 0.01, 0, 0),
                graph);
        var validation = split(2);
        graph[0].clear();
        double[][] z = graph[0].feedForward(validation.input(), false).get(io.distill4j.api.VertexNames.LOGITS)
                .castTo(DataType.DOUBLE).toDoubleMatrix();
        int[] y = validation.oneHot().argMax(1).toIntVector();
        int correct = 0;
        int zeros = 0;
        double ce = 0;
        for (int i = 0; i < z.length; i++) {
            int best = 0;
            for (int c = 1; c < z[i].length; c++) {
                best = z[i][c] > z[i][best] ? c : best;
            }
            correct += best == y[i] ? 1 : 0;
            zeros += best == 0 ? 1 : 0;
            double sum = 0;
            for (double v : z[i]) {
                sum += Math.exp(v);
            }
            ce -= z[i][y[i]] - Math.log(sum); // -ln softmax(z)_y

        }
        Map<String, Double> last = reports.get(reports.size() - 1).values();
        assertEquals(correct / (double) z.length, last.get("epoch.val_accuracy"), 1e-12);
        assertEquals(zeros / (double) z.length, last.get("epoch.val_agreement"), 1e-12);
        assertEquals(ce / z.length, reports.get(reports.size() - 1).validationLoss(), 1e-5);
    }

    /** With weight decay, DL4J adds it to the first head's score; the reported head scores leave it out. */
    @Test
    void headScoresLeaveOutWeightDecay() {
        var hard = new HardLabelCrossEntropy();
        ComputationGraph[] plain = new ComputationGraph[1];
        ComputationGraph[] decayed = new ComputationGraph[1];
        // one epoch of one minibatch: the reported score is the untrained network's, the same with or without l2
        EpochReport a = train(List.of(hard), new TrainingSettings(1, 128, 0.01, 0, 0), plain).get(0);
        EpochReport b = train(List.of(new HardLabelCrossEntropy()), new TrainingSettings(1, 128, 0.01, 0.5, 0),
                decayed).get(0);
        assertTrue(b.trainLoss() > a.trainLoss() + 1e-3, "l2 did not raise DL4J's score");
        assertEquals(a.values().get("objective.train.hard"), b.values().get("objective.train.hard"), 1e-6);
        assertEquals(a.trainLoss(), a.values().get("objective.train.hard"), 1e-6);
    }

    private static INDArray param(ComputationGraph graph, String layer) {
        return graph.getLayer(layer).getParam("W").dup();
    }
}
