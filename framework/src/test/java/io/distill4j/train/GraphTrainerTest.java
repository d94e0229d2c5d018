package io.distill4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.EpochReport;
import io.distill4j.api.InputShape;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.api.TrainingObserver;
import io.distill4j.loss.HardLabelCrossEntropy;
import io.distill4j.loss.HintonKd;
import io.distill4j.model.MlpNetwork;
import io.distill4j.model.Networks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

class GraphTrainerTest {
    private static final HardLabelCrossEntropy LOSS = new HardLabelCrossEntropy();

    /** Inputs {@code [n, 6]} and one-hot labels from the first feature (or, if {@code noise}, from a coin). */
    private static INDArray[] data(int n, long seed, boolean noise) {
        INDArray x = Nd4j.randn(seed, new long[] {n, 6}).castTo(DataType.FLOAT);
        java.util.Random coin = new java.util.Random(seed);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 3);
        for (int i = 0; i < n; i++) {
            double v = noise ? coin.nextGaussian() : x.getDouble(i, 0);
            y.putScalar(i, v > 0.5 ? 2 : v < -0.5 ? 0 : 1, 1);
        }
        return new INDArray[] {x, y};
    }

    private static ComputationGraph graph(TrainingSettings s, List<? extends DistillationLoss> losses) {
        return Networks.build(new MlpNetwork(List.of(32), "relu", 0), losses, new InputShape(6, 1, 3), s, 3);
    }

    private static ShufflingMultiDataSetIterator batches(INDArray x, INDArray labels) {
        return new ShufflingMultiDataSetIterator(new INDArray[] {x}, new INDArray[] {labels}, 32, 5);
    }

    @Test
    void patienceStopsTrainingBeforeTheBudgetAndRestoresTheBestWeights() {
        var s = new TrainingSettings(40, 32, 0.05, 0, 3);
        ComputationGraph g = graph(s, List.of(LOSS));
        INDArray[] train = data(128, 1, false);
        INDArray[] val = data(256, 2, true); // labels unrelated to the inputs: fitting train makes validation worse
        List<EpochReport> reports = new ArrayList<>();
        List<INDArray> params = new ArrayList<>();
        var outcome = GraphTrainer.train("t", g, batches(train[0], LOSS.labels(train[1], null)),
                new GraphTrainer.Validation(val[0], val[1]), s, e -> Map.of("temperature", 1.0 + e), r -> {
                    reports.add(r);
                    params.add(g.params().dup());
                });
        assertTrue(outcome.stoppedEarly(), "patience reached");
        assertTrue(outcome.epochsRun() < s.epochs(), outcome.epochsRun() + " epochs of " + s.epochs());
        assertEquals(outcome.bestEpoch() + s.patience() + 1, outcome.epochsRun(),
                "stops `patience` epochs after the best");
        assertEquals(outcome.epochsRun(), reports.size());
        assertEquals(2.0, reports.get(1).values().get("temperature"));
        int argmin = 0;
        for (int e = 1; e < reports.size(); e++) {
            argmin = reports.get(e).validationLoss() < reports.get(argmin).validationLoss() ? e : argmin;
        }
        assertEquals(argmin, outcome.bestEpoch());
        assertNotEquals(reports.size() - 1, argmin, "the last epoch is not the best one here");
        assertEquals(reports.get(argmin).validationLoss(), outcome.bestValidationLoss(), 0.0);
        assertEquals(params.get(argmin), g.params(), "the best epoch's weights are back");
        assertNotEquals(params.get(reports.size() - 1), g.params());
    }

    @Test
    void withAScheduledTemperatureStoppingFollowsTheHardLabelCrossEntropy() {
        var s = new TrainingSettings(40, 32, 0.02, 0, 2);
        HintonKd kd = new HintonKd(1, 0.2);
        ComputationGraph g = graph(s, List.of(kd));
        INDArray[] train = data(256, 1, false);
        INDArray[] val = data(128, 2, false);
        INDArray teacherLogits = train[1].mul(4); // a confident teacher that agrees with the labels
        INDArray valTeacher = val[1].mul(4);
        int[] valLabels = val[1].argMax(1).toIntVector();
        List<Double> criterion = new ArrayList<>();
        List<Double> headLoss = new ArrayList<>();
        List<EpochReport> reports = new ArrayList<>();
        var outcome = GraphTrainer.train("student", g,
                batches(train[0], kd.labels(train[1], new TeacherOutputs(teacherLogits, Map.of()))),
                new GraphTrainer.Validation(val[0], val[1]), s, e -> {
                    kd.setParameter(HintonKd.TEMPERATURE, 1 + 3.0 * e); // T = 1, 4, 7, ...: the KD term's scale moves
                    return kd.parameters();
                }, r -> {
                    reports.add(r);
                    criterion.add(GraphTrainer.criterion(g, val[0], valLabels));
                    g.clear();
                    headLoss.add(g.score(new MultiDataSet(val[0],
                            kd.labels(val[1], new TeacherOutputs(valTeacher, Map.of()))), false));
                    g.clear();
                });
        for (int e = 0; e < reports.size(); e++) {
            assertEquals(criterion.get(e), reports.get(e).validationLoss(), 1e-6, "epoch " + e
                    + ": the reported validation loss is the hard-label cross-entropy, not the head's "
                    + headLoss.get(e));
        }
        int best = 0;
        for (int e = 1; e < criterion.size(); e++) {
            best = criterion.get(e) < criterion.get(best) ? e : best;
        }
        assertEquals(best, outcome.bestEpoch(), "best epoch by cross-entropy " + criterion + ", heads " + headLoss);
        assertEquals(Math.min(s.epochs(), best + s.patience() + 1), outcome.epochsRun());
        assertEquals(criterion.get(best), GraphTrainer.criterion(g, val[0], valLabels), 1e-6, "best weights kept");
    }

    @Test
    void aBlownUpLossStopsTrainingWithTheEpoch() {
        var s = new TrainingSettings(20, 32, 1e4, 0, 0);
        ComputationGraph g = graph(s, List.of(LOSS));
        INDArray[] train = data(256, 1, false);
        var e = assertThrows(TrainingDivergedException.class, () -> GraphTrainer.train("student x", g,
                batches(train[0], LOSS.labels(train[1], null)), null, s, ep -> Map.of(), TrainingObserver.NONE));
        assertTrue(e.getMessage().startsWith("student x: training "), e.getMessage());
        assertTrue(e.getMessage().contains("epoch " + (e.epoch() + 1)), e.getMessage());
    }

    private static int[] bitsOf(INDArray x) {
        float[] v = x.dup('c').data().asFloat();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Float.floatToRawIntBits(v[i]);
        }
        return out;
    }

    /**
     * The validation logits come from DL4J's {@code output} through the identity head on {@code logits} where there is
     * one, bit for bit the {@code logits} vertex of {@code feedForward}; a graph whose head on {@code logits} applies
     * an activation (here a softmax) gets the vertex itself.
     */
    @Test
    void validationLogitsAreTheLogitsVertexBitForBit() {
        Nd4j.getRandom().setSeed(21);
        INDArray x = Nd4j.randn(DataType.FLOAT, 300, 12);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 300, 3);
        for (int i = 0; i < 300; i++) {
            y.putScalar(i, i % 3, 1);
        }
        ComputationGraph graph = Networks.build(new MlpNetwork(List.of(32, 16), "relu", 0.1),
                List.of(LOSS), new InputShape(12, 1, 3), new TrainingSettings(1, 32, 1e-2, 1e-4, 0), 4);
        graph.fit(new MultiDataSet(new INDArray[] {x}, new INDArray[] {LOSS.labels(y, null)}));
        assertEquals(0, GraphTrainer.logitsHead(graph));
        INDArray expected = graph.feedForward(x, false).get(io.distill4j.api.VertexNames.LOGITS);
        org.junit.jupiter.api.Assertions.assertArrayEquals(bitsOf(expected), bitsOf(GraphTrainer.logits(graph, x)));

        ComputationGraph softmaxHead = io.distill4j.model.SoftmaxHeadGraphs.withSoftmaxHead(
                new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                        .graphBuilder().addInputs("input")
                        .setInputTypes(org.deeplearning4j.nn.conf.inputs.InputType.feedForward(12)), "input", 12);
        assertEquals(-1, GraphTrainer.logitsHead(softmaxHead));
        INDArray vertex = softmaxHead.feedForward(x, false).get(io.distill4j.api.VertexNames.LOGITS);
        org.junit.jupiter.api.Assertions.assertArrayEquals(bitsOf(vertex), bitsOf(GraphTrainer.logits(softmaxHead, x)));
    }
}
