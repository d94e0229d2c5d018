package io.distill4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.distill4j.api.InputKind;
import io.distill4j.api.Seeds;
import io.distill4j.api.TeacherFitContext;
import io.distill4j.api.TrainingObserver;
import io.distill4j.loss.HardLabelCrossEntropy;
import io.distill4j.train.GraphTrainer;
import io.distill4j.train.ShufflingMultiDataSetIterator;
import io.distill4j.train.TrainingSettings;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A teacher's root seed is split by purpose: weight initialisation and minibatch order. */
class TeacherSeedsTest {
    @Test
    void initialisationAndMinibatchOrderUseTheirOwnDerivedSeeds() {
        TeacherFitContext ctx = PluginContractTest.context(PluginContractTest.SHAPE);
        assertEquals(Seeds.derive(ctx.seed(), "teacher.init"), ctx.initSeed());
        assertEquals(Seeds.derive(ctx.seed(), "teacher.shuffle"), ctx.shuffleSeed());
        assertNotEquals(ctx.initSeed(), ctx.shuffleSeed());

        TrainingSettings training = new TrainingSettings(2, 16, 1e-2, 0, 0);
        MlpNetwork body = new MlpNetwork(List.of(8), "relu", 0);
        INDArray fitted = ((GraphTeacher) new NetworkTeacher(body, training).fit(ctx)).graph().params();

        // the same training by hand, with the seeds derived per purpose
        HardLabelCrossEntropy loss = new HardLabelCrossEntropy();
        ComputationGraph expected = Networks.build(body, List.of(loss), ctx.shape(), training,
                Seeds.derive(ctx.seed(), "teacher.init"));
        var batches = new ShufflingMultiDataSetIterator(new INDArray[] {ctx.train().input(InputKind.TABULAR)},
                new INDArray[] {loss.labels(ctx.trainLabels(), null)}, training.batchSize(),
                Seeds.derive(ctx.seed(), "teacher.shuffle"));
        GraphTrainer.train("t", expected, batches, new GraphTrainer.Validation(
                ctx.validation().input(InputKind.TABULAR), ctx.validationLabels()), training, e -> Map.of(),
                TrainingObserver.NONE);
        assertEquals(expected.params(), fitted, "weights after training with init and shuffle seeds split");
    }
}
