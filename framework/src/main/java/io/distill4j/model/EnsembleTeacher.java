package io.distill4j.model;

import io.distill4j.api.FittedTeacher;
import io.distill4j.api.InputKind;
import io.distill4j.api.ModelInput;
import io.distill4j.plugin.AbstractPluginFactory;
import io.distill4j.plugin.Plugins;
import io.distill4j.api.Teacher;
import io.distill4j.api.TeacherFitContext;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.config.ConfigNode;
import io.distill4j.api.Seeds;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * An ensemble of teachers of any types (type {@code ensemble}), each trained with its own seed, combined by a
 * weighted average of their class probabilities:
 *
 * <pre>
 *   p_ens = sum_i w_i softmax(z_i) / sum_i w_i,      logits_ens = ln p_ens
 * </pre>
 *
 * (Averaging probabilities, not logits, is the usual ensemble of classifiers; the log turns the average back into
 * logits for the distillation losses, softmax(ln p) = p.) With {@code data.labels.task: regression} each member's one
 * output is a predicted return and the ensemble's is their weighted mean. Each member's own logits are kept in
 * {@link TeacherOutputs#members()} so that its metrics are reported beside the ensemble's, and its hidden layers are
 * exposed as {@code <member>.<layer>}.
 *
 * <pre>
 * teacher:
 *   type: ensemble
 *   weights: [2, 1, 1]        # optional, one positive weight per member (default: equal)
 *   members:
 *     - {name: mlp, type: mlp, hidden: [128, 64]}
 *     - {name: lstm, type: lstm, hidden: [64]}
 *     - {type: attention}     # name defaults to the type (then type_2, type_3 for repeats)
 * </pre>
 */
public record EnsembleTeacher(List<String> names, List<Teacher> members, List<Double> weights) implements Teacher {
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,39}");

    public EnsembleTeacher {
        names = List.copyOf(names);
        members = List.copyOf(members);
        weights = List.copyOf(weights);
        if (members.isEmpty() || names.size() != members.size() || weights.size() != members.size()) {
            throw new IllegalArgumentException("an ensemble needs names and weights for each of its members");
        }
    }

    @Override
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (Teacher m : members) {
            parts.add(m.describe());
        }
        return "ensemble(" + String.join("+", parts) + ")";
    }

    @Override
    public InputKind inputKind() {
        // an ensemble reads both forms when its members differ; report SEQUENCE only when all members are sequential
        return members.stream().allMatch(m -> m.inputKind() == InputKind.SEQUENCE)
                ? InputKind.SEQUENCE : InputKind.TABULAR;
    }

    @Override
    public List<java.nio.file.Path> inputFiles() {
        return members.stream().flatMap(m -> m.inputFiles().stream()).toList();
    }

    @Override
    public int epochBudget() {
        return members.stream().mapToInt(Teacher::epochBudget).sum();
    }

    /** Each member's layers under its name: {@code <member>.<layer>}. */
    @Override
    public List<String> featureLayers() {
        List<String> layers = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            String prefix = names.get(i) + ".";
            members.get(i).featureLayers().forEach(l -> layers.add(prefix + l));
        }
        return List.copyOf(layers);
    }

    @Override
    public FittedTeacher fit(TeacherFitContext context) {
        List<FittedTeacher> fitted = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            long seed = Seeds.derive(context.seed(), "ensemble-member-" + i);
            fitted.add(members.get(i).fit(context.forMember(seed, names.get(i) + ".")));
        }
        return new Fitted(names, fitted, weights);
    }

    /** The trained ensemble. */
    static final class Fitted implements FittedTeacher {
        private final List<String> names;
        private final List<FittedTeacher> members;
        private final List<Double> weights;

        Fitted(List<String> names, List<FittedTeacher> members, List<Double> weights) {
            this.names = names;
            this.members = members;
            this.weights = weights;
        }

        @Override
        public TeacherOutputs infer(ModelInput input) {
            double total = weights.stream().mapToDouble(Double::doubleValue).sum();
            INDArray average = null;
            Map<String, INDArray> features = new LinkedHashMap<>();
            Map<String, INDArray> memberLogits = new LinkedHashMap<>();
            for (int i = 0; i < members.size(); i++) {
                TeacherOutputs out = members.get(i).infer(input);
                INDArray logits = out.logits().castTo(DataType.DOUBLE);
                // a regression member's one output is a prediction: averaged as it is
                INDArray p = (logits.size(1) == 1 ? logits.dup() : Transforms.softmax(logits, true))
                        .muli(weights.get(i) / total);
                average = average == null ? p : average.addi(p);
                memberLogits.put(names.get(i), out.logits());
                String prefix = names.get(i) + ".";
                out.features().forEach((k, v) -> features.put(prefix + k, v));
            }
            INDArray logits = (average.size(1) == 1 ? average
                    : Transforms.log(Transforms.max(average, 1e-12, false), false)).castTo(DataType.FLOAT);
            return new TeacherOutputs(logits, features, memberLogits);
        }

        @Override
        public long parameterCount() {
            return members.stream().mapToLong(FittedTeacher::parameterCount).sum();
        }

        /** One zip holding each member's own saved model as {@code <name>.zip}. */
        @Override
        public void save(Path zip) throws IOException {
            try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file)) {
                for (int i = 0; i < members.size(); i++) {
                    Path tmp = Files.createTempFile("distill4j-member-", ".zip");
                    try {
                        members.get(i).save(tmp);
                        out.putNextEntry(new ZipEntry(names.get(i) + ".zip"));
                        Files.copy(tmp, out);
                        out.closeEntry();
                    } finally {
                        Files.deleteIfExists(tmp);
                    }
                }
            }
        }
    }

    /** Factory for {@code type: ensemble}. */
    public static final class Factory extends AbstractPluginFactory<Teacher> {
        public Factory() {
            super(Teacher.class, "ensemble", Factory::parse);
        }

        private static Teacher parse(ConfigNode section) {
            List<ConfigNode> nodes = section.sectionList("members");
            if (nodes.isEmpty()) {
                throw section.error("members", "missing (expected a non-empty list of teacher sections)");
            }
            List<String> names = new ArrayList<>();
            List<Teacher> members = new ArrayList<>();
            Set<String> seen = new LinkedHashSet<>();
            for (ConfigNode node : nodes) {
                String type = node.string("type");
                if (type.equals("ensemble")) {
                    throw node.error("type", "an ensemble member cannot itself be an ensemble");
                }
                String name = node.optionalString("name").orElseGet(() -> {
                    String candidate = type;
                    for (int k = 2; seen.contains(candidate); k++) {
                        candidate = type + "_" + k;
                    }
                    return candidate;
                });
                if (!NAME.matcher(name).matches()) {
                    throw node.error("name", "expected a name of letters, digits, '_' or '-' starting with a letter, "
                            + "got '" + name + "'");
                }
                if (!seen.add(name)) {
                    throw node.error("name", "duplicate member name '" + name + "'");
                }
                names.add(name);
                members.add(Plugins.create(Teacher.class, node));
            }
            List<Double> weights = new ArrayList<>();
            if (section.has("weights")) {
                var raw = section.raw("weights").orElseThrow();
                if (!raw.isArray() || raw.size() != members.size()) {
                    throw section.error("weights", "expected a list of " + members.size()
                            + " positive numbers (one per member), got " + ConfigNode.describe(raw));
                }
                for (int i = 0; i < raw.size(); i++) {
                    if (!raw.get(i).isNumber() || !(raw.get(i).asDouble() > 0)
                            || !Double.isFinite(raw.get(i).asDouble())) {
                        throw section.error("weights[" + i + "]", "expected a positive number, got "
                                + ConfigNode.describe(raw.get(i)));
                    }
                    weights.add(raw.get(i).asDouble());
                }
            } else {
                for (int i = 0; i < members.size(); i++) {
                    weights.add(1.0);
                }
            }
            return new EnsembleTeacher(names, members, weights);
        }
    }
}
