package io.distill4j.model;

import io.distill4j.plugin.AbstractPluginFactory;
import io.distill4j.api.Student;
import io.distill4j.api.Teacher;
import io.distill4j.config.ConfigNode;
import io.distill4j.train.TrainingSettings;
import java.util.function.Function;

/**
 * The plugin factories of the network architectures: each architecture ({@code mlp}, {@code lstm},
 * {@code attention}, {@code transformer}, {@code cnn1d}) is a student body, and the same body with a
 * {@code training} section is a {@link NetworkTeacher}. One factory class per role, parameterised by the
 * architecture's parser and defaults. The {@code linear} body (no hidden layer) is a student only.
 */
public final class NetworkPlugins {
    private NetworkPlugins() {
    }

    /** A teacher factory: the body (parsed with teacher-sized defaults) plus its training budget. */
    abstract static class TeacherFactory extends AbstractPluginFactory<Teacher> {
        TeacherFactory(String type, Function<ConfigNode, Student> body, TrainingSettings defaults) {
            super(Teacher.class, type, section -> new NetworkTeacher(body.apply(section),
                    NetworkTeacher.parseTraining(section, defaults)));
        }
    }

    /** A student factory: the body, parsed with student-sized defaults. */
    abstract static class StudentFactory extends AbstractPluginFactory<Student> {
        StudentFactory(String type, Function<ConfigNode, Student> body) {
            super(Student.class, type, body);
        }
    }

    /** {@code type: mlp} teacher. */
    public static final class MlpTeacher extends TeacherFactory {
        public MlpTeacher() {
            super("mlp", s -> MlpNetwork.parse(s, java.util.List.of(128, 64)), NetworkTeacher.MLP_TRAINING);
        }
    }

    /** {@code type: mlp} student. */
    public static final class MlpStudent extends StudentFactory {
        public MlpStudent() {
            super("mlp", s -> MlpNetwork.parse(s, java.util.List.of(16, 8)));
        }
    }

    /** {@code type: lstm} teacher. */
    public static final class LstmTeacher extends TeacherFactory {
        public LstmTeacher() {
            super("lstm", s -> LstmNetwork.parse(s, java.util.List.of(64)), NetworkTeacher.SEQUENCE_TRAINING);
        }
    }

    /** {@code type: lstm} student. */
    public static final class LstmStudent extends StudentFactory {
        public LstmStudent() {
            super("lstm", s -> LstmNetwork.parse(s, java.util.List.of(8)));
        }
    }

    /** {@code type: attention} teacher. */
    public static final class AttentionTeacher extends TeacherFactory {
        public AttentionTeacher() {
            super("attention", s -> AttentionNetwork.parse(s, 32, 4), NetworkTeacher.SEQUENCE_TRAINING);
        }
    }

    /** {@code type: attention} student. */
    public static final class AttentionStudent extends StudentFactory {
        public AttentionStudent() {
            super("attention", s -> AttentionNetwork.parse(s, 8, 2));
        }
    }

    /** {@code type: transformer} teacher. */
    public static final class TransformerTeacher extends TeacherFactory {
        public TransformerTeacher() {
            super("transformer", s -> TransformerNetwork.parse(s, 32, 4, 2), NetworkTeacher.SEQUENCE_TRAINING);
        }
    }

    /** {@code type: transformer} student. */
    public static final class TransformerStudent extends StudentFactory {
        public TransformerStudent() {
            super("transformer", s -> TransformerNetwork.parse(s, 8, 2, 1));
        }
    }

    /** {@code type: cnn1d} teacher. */
    public static final class Conv1dTeacher extends TeacherFactory {
        public Conv1dTeacher() {
            super("cnn1d", s -> Conv1dNetwork.parse(s, java.util.List.of(64, 64)), NetworkTeacher.SEQUENCE_TRAINING);
        }
    }

    /** {@code type: cnn1d} student. */
    public static final class Conv1dStudent extends StudentFactory {
        public Conv1dStudent() {
            super("cnn1d", s -> Conv1dNetwork.parse(s, java.util.List.of(16)));
        }
    }

    /** {@code type: linear} student: multinomial logistic regression ({@link LinearNetwork}), no keys. */
    public static final class LinearStudent extends StudentFactory {
        public LinearStudent() {
            super("linear", s -> new LinearNetwork());
        }
    }
}
