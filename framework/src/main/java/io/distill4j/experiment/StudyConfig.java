package io.distill4j.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distill4j.api.DistillationLoss;
import io.distill4j.api.Plugins;
import io.distill4j.api.Schedule;
import io.distill4j.api.Student;
import io.distill4j.api.Teacher;
import io.distill4j.config.ConfigNode;
import io.distill4j.data.DataConfig;
import io.distill4j.device.DeviceMode;
import io.distill4j.train.TrainingSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One fully resolved study configuration (one grid cell), validated. Every section is read through
 * {@link ConfigNode}, so an unknown key, a wrong type or an out-of-range value anywhere fails with file, path and
 * expectation before any training starts.
 *
 * <pre>
 * study: quickstart              # name: letters, digits, '.', '_', '-'
 * description: "..."             # optional
 * seed: 42                       # root seed: teacher initialisation and shuffling (students use `seeds`)
 * device: auto                   # auto | cpu | gpu (see io.distill4j.device; --device on the command line wins)
 * data: {...}                    # see DataConfig
 * teacher: {type: mlp, ...}      # a Teacher plugin
 * student: {type: mlp, ...}      # a Student plugin
 * distillation:
 *   loss: {type: hinton, temperature: 4, alpha: 0.5}
 *   schedules:                   # optional: loss parameter -> Schedule plugin
 *     temperature: {type: cosine, start: 8, end: 2}
 * training: {epochs: 20, batch_size: 256, learning_rate: 0.005, l2: 0, patience: 0}   # every student's budget
 * tracking: {experiment: quickstart}
 * grid: {distillation.loss.temperature: [1, 4]}
 * seeds: [1, 2]
 * </pre>
 */
public record StudyConfig(
        String file,
        ObjectNode tree,
        String name,
        String description,
        long seed,
        DataConfig data,
        Teacher teacher,
        Student student,
        JsonNode lossSection,
        Map<String, Schedule> schedules,
        TrainingSettings training,
        String trackingExperiment,
        DeviceMode device) {

    /** The default student budget. */
    public static final TrainingSettings DEFAULT_TRAINING = new TrainingSettings(20, 256, 5e-3, 0, 0);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    /** Parses and validates a resolved study tree (grid and seeds already removed or accepted). */
    public static StudyConfig parse(String file, ObjectNode tree) {
        ConfigNode root = ConfigNode.root(file, tree);
        root.accept("grid", "seeds");
        String name = root.string("study");
        if (!NAME.matcher(name).matches()) {
            throw root.error("study", "expected a name of letters, digits, '.', '_' or '-' (at most 100, starting "
                    + "with a letter or digit), got '" + name + "'");
        }
        String description = root.string("description", "");
        long seed = root.longValue("seed", 42, 0, Long.MAX_VALUE);
        DeviceMode device = DeviceMode.parse(root.choice("device", "auto", List.of("auto", "cpu", "gpu")))
                .orElseThrow();
        DataConfig data = DataConfig.parse(root.section("data"));
        Teacher teacher = Plugins.create(Teacher.class, root.section("teacher"));
        Student student = Plugins.create(Student.class, root.section("student"));
        ConfigNode distillation = root.section("distillation");
        ConfigNode lossNode = distillation.section("loss");
        DistillationLoss probe = Plugins.create(DistillationLoss.class, lossNode);
        Map<String, Schedule> schedules = new LinkedHashMap<>();
        distillation.optionalSection("schedules").ifPresent(s -> {
            for (String parameter : s.keys()) {
                if (!probe.parameters().containsKey(parameter)) {
                    String type = lossNode.json().get("type").asText();
                    throw s.error(parameter, "the loss type '" + type + "' has no parameter '" + parameter
                            + "' to schedule (" + (probe.parameters().isEmpty() ? "it has no schedulable parameters"
                            : "it has: " + String.join(", ", probe.parameters().keySet())) + ")");
                }
                schedules.put(parameter, Plugins.create(Schedule.class, s.section(parameter)));
            }
            s.finish();
        });
        distillation.finish();
        TrainingSettings training = root.optionalSection("training").map(t -> {
            TrainingSettings settings = TrainingSettings.parse(t, DEFAULT_TRAINING);
            t.finish();
            return settings;
        }).orElse(DEFAULT_TRAINING);
        String experiment = root.optionalSection("tracking").map(t -> {
            String e = t.string("experiment", name);
            t.finish();
            return e;
        }).orElse(name);
        root.finish();
        return new StudyConfig(file, tree, name, description, seed, data, teacher, student,
                tree.get("distillation").get("loss").deepCopy(), Map.copyOf(schedules), training, experiment,
                device);
    }

    /** A fresh, live instance of the configured distillation loss (one per trial). */
    public DistillationLoss newLoss() {
        return Plugins.create(DistillationLoss.class,
                ConfigNode.root(file, lossSection).accept()); // validated in parse; paths are relative here
    }

    /** The sub-trees a teacher depends on: data, teacher and root seed. */
    public ObjectNode teacherIdentity() {
        ObjectNode id = tree.objectNode();
        id.set("data", tree.get("data"));
        id.set("teacher", tree.get("teacher"));
        id.put("seed", seed);
        return id;
    }

    /** The sub-trees a student-alone baseline depends on: data, student and training budget. */
    public ObjectNode baselineIdentity() {
        ObjectNode id = tree.objectNode();
        id.set("data", tree.get("data"));
        id.set("student", tree.get("student"));
        id.set("training", tree.get("training"));
        return id;
    }
}
