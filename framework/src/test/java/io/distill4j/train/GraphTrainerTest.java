package io.distill4j.train;

import io.distill4j.api.EpochReport;

import io.distill4j.api.TrainingObserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.InputShape;
import io.distill4j.loss.HardLabelCrossEntropy;
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

    private static INDArray[] data(int n, long seed) {
        INDArray x = Nd4j.randn(seed, new long[] {n, 6}).castTo(DataType.FLOAT);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 3);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, x.getDouble(i, 0) > 0.5 ? 2 : x.getDouble(i, 0) < -0.5 ? 0 : 1, 1);
        }
        return new INDArray[] {x, LOSS.labels(y, null)};
    }

    private static ComputationGraph graph(TrainingSettings s) {
        return Networks.build(new MlpNetwork(List.of(8), "relu", 0), List.of(new HardLabelCrossEntropy()),
                new InputShape(6, 1, 3), s, 3);
    }

    @Test
    void earlyStoppingRestoresTheBestEpochAndReportsEveryEpoch() {
        var s = new TrainingSettings(30, 32, 0.05, 0, 2);
        ComputationGraph g = graph(s);
        INDArray[] train = data(256, 1);
        INDArray[] val = data(128, 2);
        List<EpochReport> reports = new ArrayList<>();
        var outcome = GraphTrainer.train("t", g, new ShufflingMultiDataSetIterator(new INDArray[] {train[0]},
                new INDArray[] {train[1]}, 32, 5), new MultiDataSet(val[0], val[1]), s,
                e -> Map.of("temperature", 1.0 + e), reports::add);
        assertEquals(outcome.epochsRun(), reports.size());
        assertEquals(2.0, reports.get(1).values().get("temperature"));
        double best = reports.stream().mapToDouble(EpochReport::validationLoss).min().orElseThrow();
        assertEquals(best, outcome.bestValidationLoss(), 1e-9);
        g.clear();
        assertEquals(best, g.score(new MultiDataSet(val[0], val[1]), false), 1e-5, "the best weights are back");
    }

    @Test
    void aBlownUpLossStopsTrainingWithTheEpoch() {
        var s = new TrainingSettings(20, 32, 1e4, 0, 0);
        ComputationGraph g = graph(s);
        INDArray[] train = data(256, 1);
        var e = assertThrows(TrainingDivergedException.class, () -> GraphTrainer.train("student x", g,
                new ShufflingMultiDataSetIterator(new INDArray[] {train[0]}, new INDArray[] {train[1]}, 32, 5),
                null, s, ep -> Map.of(), TrainingObserver.NONE));
        assertTrue(e.getMessage().startsWith("student x: training "), e.getMessage());
        assertTrue(e.getMessage().contains("epoch " + (e.epoch() + 1)), e.getMessage());
    }
}
