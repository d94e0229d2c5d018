package io.distill4j.model;

import io.distill4j.api.FittedTeacher;
import io.distill4j.api.InputKind;
import io.distill4j.api.PluginFactory;
import io.distill4j.api.Teacher;
import io.distill4j.api.TeacherFitContext;
import io.distill4j.config.ConfigNode;
import io.distill4j.loss.HardLabelCrossEntropy;
import io.distill4j.train.GraphTrainer;
import io.distill4j.train.ShufflingMultiDataSetIterator;
import io.distill4j.train.TrainingSettings;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

/**
 * A multilayer-perceptron teacher (type {@code mlp}) trained on hard labels with Adam and early stopping on the
 * validation loss (the best epoch's weights are kept).
 *
 * <pre>
 * teacher:
 *   type: mlp
 *   hidden: [128, 64]
 *   activation: relu
 *   dropout: 0.1
 *   training: {epochs: 40, batch_size: 256, learning_rate: 0.001, l2: 0.0001, patience: 5}
 * </pre>
 */
public record MlpTeacher(MlpNetwork network, TrainingSettings training) implements Teacher {
    /** The teacher's default budget. */
    public static final TrainingSettings DEFAULT_TRAINING = new TrainingSettings(40, 256, 1e-3, 1e-4, 5);

    @Override
    public String describe() {
        return network.describe();
    }

    @Override
    public int epochBudget() {
        return training.epochs();
    }

    @Override
    public InputKind inputKind() {
        return InputKind.TABULAR;
    }

    @Override
    public FittedTeacher fit(TeacherFitContext ctx) {
        return fitGraph(network, training, ctx);
    }

    /** Trains any body on hard labels with early stopping; shared by the graph-backed teachers. */
    static GraphTeacher fitGraph(io.distill4j.api.Student body, TrainingSettings training, TeacherFitContext ctx) {
        HardLabelCrossEntropy loss = new HardLabelCrossEntropy();
        ComputationGraph graph = Networks.build(body, List.of(loss), ctx.shape(), training, ctx.seed());
        INDArray trainLabels = loss.labels(ctx.trainLabels(), null);
        var iterator = new ShufflingMultiDataSetIterator(new INDArray[] {ctx.train().input(body.inputKind())},
                new INDArray[] {trainLabels}, training.batchSize(), ctx.seed());
        var validation = new MultiDataSet(new INDArray[] {ctx.validation().input(body.inputKind())},
                new INDArray[] {loss.labels(ctx.validationLabels(), null)});
        GraphTrainer.train("teacher " + body.describe(), graph, iterator, validation, training, e -> Map.of(),
                ctx.observer());
        return new GraphTeacher(graph, body.inputKind(), body.featureLayers());
    }

    /** Factory for {@code type: mlp}. */
    public static final class Factory implements PluginFactory<Teacher> {
        @Override
        public Class<Teacher> kind() {
            return Teacher.class;
        }

        @Override
        public String type() {
            return "mlp";
        }

        @Override
        public Teacher create(ConfigNode section) {
            MlpNetwork network = MlpNetwork.parse(section, List.of(128, 64));
            TrainingSettings training = section.optionalSection("training")
                    .map(t -> {
                        TrainingSettings s = TrainingSettings.parse(t, DEFAULT_TRAINING);
                        t.finish();
                        return s;
                    })
                    .orElse(DEFAULT_TRAINING);
            return new MlpTeacher(network, training);
        }
    }

    /** Factory for the {@code mlp} student. */
    public static final class StudentFactory implements PluginFactory<io.distill4j.api.Student> {
        @Override
        public Class<io.distill4j.api.Student> kind() {
            return io.distill4j.api.Student.class;
        }

        @Override
        public String type() {
            return "mlp";
        }

        @Override
        public io.distill4j.api.Student create(ConfigNode section) {
            return MlpNetwork.parse(section, List.of(16, 8));
        }
    }
}
