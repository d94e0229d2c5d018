package io.distill4j.model;

import io.distill4j.api.FittedTeacher;
import io.distill4j.api.InputKind;
import io.distill4j.api.Student;
import io.distill4j.api.Teacher;
import io.distill4j.api.TeacherFitContext;
import io.distill4j.config.ConfigNode;
import io.distill4j.train.TrainingSettings;

/**
 * A teacher made of a network body (any {@link Student} architecture) and its own training budget, trained on hard
 * labels with early stopping like the {@code mlp} teacher ({@link MlpTeacher#fitGraph}). The {@code lstm},
 * {@code attention} and {@code cnn1d} teachers are instances of this record.
 */
public record NetworkTeacher(Student network, TrainingSettings training) implements Teacher {
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
    public InputKind inputKind() {
        return network.inputKind();
    }

    @Override
    public FittedTeacher fit(TeacherFitContext ctx) {
        return MlpTeacher.fitGraph(network, training, ctx);
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
