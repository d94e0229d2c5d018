package io.distill4j.experiment;

import io.distill4j.api.InputKind;
import io.distill4j.api.InputShape;
import io.distill4j.plugin.AbstractPluginFactory;
import io.distill4j.api.Student;
import io.distill4j.config.ConfigNode;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;

/** A test-only student plugin whose graph construction fails, to check that one failing trial loses nothing. */
public record ExplodingStudent(String reason) implements Student {
    @Override
    public String describe() {
        return "exploding";
    }

    @Override
    public InputKind inputKind() {
        return InputKind.TABULAR;
    }

    @Override
    public String addBody(ComputationGraphConfiguration.GraphBuilder graph, String input, InputShape shape) {
        throw new IllegalStateException(reason);
    }

    @Override
    public int outputSize() {
        return 1;
    }

    @Override
    public List<String> featureLayers() {
        return List.of();
    }

    /** {@code type: exploding}. */
    public static final class Factory extends AbstractPluginFactory<Student> {
        public Factory() {
            super(Student.class, "exploding", Factory::parse);
        }

        private static Student parse(ConfigNode section) {
            return new ExplodingStudent(section.string("reason", "boom"));
        }
    }
}
