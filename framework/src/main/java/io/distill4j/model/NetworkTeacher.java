package io.distill4j.model;

import io.distill4j.api.FittedTeacher;
import io.distill4j.api.InputKind;
import io.distill4j.api.Student;
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

/**
 * A teacher made of a network body (any {@link Student} architecture) and its own training budget, trained on hard
 * labels with Adam and early stopping on the validation loss (the best epoch's weights are kept). The {@code mlp},
 * {@code lstm}, {@code attention} and {@code cnn1d} teachers are instances of this record.
 *
 * <pre>
 * teacher:
 *   type: mlp                  # or lstm, attention, cnn1d, with that architecture's keys
 *   hidden: [128, 64]
 *   training: {epochs: 40, batch_size: 256, learning_rate: 0.001, l2: 0.0001, patience: 5}
 * </pre>
 */
public record NetworkTeacher(Student network, TrainingSettings training) implements Teacher {
    /** The {@code mlp} teacher's default budget. */
    public static final TrainingSettings MLP_TRAINING = new TrainingSettings(40, 256, 1e-3, 1e-4, 5);

    /**
     * The default budget of the sequence teachers: fewer epochs and a shorter patience than the {@code mlp}
     * teacher, because recurrent and attention layers train 10-50 times slower per sample on a CPU.
     */
    public static final TrainingSettings SEQUENCE_TRAINING = new TrainingSettings(20, 256, 1e-3, 1e-4, 3);

    @Override
    public String describe() {
        return network.describe();
    }

    @Override
    public int epochBudget() {
        return training.epochs();
    }

    @Override
    public List<String> featureLayers() {
        return network.featureLayers();
    }

    @Override
    public InputKind inputKind() {
        return network.inputKind();
    }

    @Override
    public FittedTeacher fit(TeacherFitContext ctx) {
        // a target column of width 1 is a regression target (data.labels.task: regression): squared error to it
        io.distill4j.api.DistillationLoss loss = Regression.isRegression(ctx)
                ? io.distill4j.loss.RegressionKd.labelsOnly(io.distill4j.loss.RegressionKdLossFunction.LabelLoss.MSE, 1)
                : new HardLabelCrossEntropy();
        ComputationGraph graph = Networks.build(network, List.of(loss), ctx.shape(), training, ctx.initSeed());
        var iterator = new ShufflingMultiDataSetIterator(new INDArray[] {ctx.train().input(network.inputKind())},
                new INDArray[] {loss.labels(ctx.trainLabels(), null)}, training.batchSize(), ctx.shuffleSeed());
        var validation = new GraphTrainer.Validation(ctx.validation().input(network.inputKind()),
                ctx.validationLabels());
        GraphTrainer.train("teacher " + network.describe(), graph, iterator, validation, training, e -> Map.of(),
                ctx.observer());
        return new GraphTeacher(graph, network.inputKind(), featureLayers());
    }

    /** Reads the optional {@code training} sub-section of a teacher section. */
    public static TrainingSettings parseTraining(ConfigNode section, TrainingSettings defaults) {
        return section.optionalSection("training")
                .map(t -> {
                    TrainingSettings s = TrainingSettings.parse(t, defaults);
                    t.finish();
                    return s;
                })
                .orElse(defaults);
    }
}
