package io.distill4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distill4j.api.FittedTeacher;
import io.distill4j.api.InputKind;
import io.distill4j.api.ModelInput;
import io.distill4j.plugin.Plugins;
import io.distill4j.api.Teacher;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.config.ConfigException;
import io.distill4j.config.ConfigNode;
import io.distill4j.config.StudyFileReader;
import io.distill4j.experiment.Study;
import io.distill4j.experiment.StudyListener;
import io.distill4j.experiment.StudyRunner;
import io.distill4j.tracking.MlflowFileStore;
import io.distill4j.tracking.MlflowFileStoreReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class EnsembleTeacherTest {
    /** A fixed-output teacher for checking the combination rule. */
    private static FittedTeacher fixed(double[][] logits) {
        return new FittedTeacher() {
            @Override
            public TeacherOutputs infer(ModelInput input) {
                return new TeacherOutputs(Nd4j.createFromArray(logits).castTo(DataType.FLOAT),
                        Map.of("hidden_0", Nd4j.ones(logits.length, 2)));
            }

            @Override
            public long parameterCount() {
                return 10;
            }

            @Override
            public void save(Path zip) throws java.io.IOException {
                Files.writeString(zip, "model");
            }
        };
    }

    @Test
    void averagesProbabilitiesWithWeights(@TempDir Path dir) throws Exception {
        var a = fixed(new double[][] {{0, 0, Math.log(2)}});   // p = [1/4, 1/4, 1/2]
        var b = fixed(new double[][] {{Math.log(3), 0, 0}});   // p = [3/5, 1/5, 1/5]
        var ensemble = new EnsembleTeacher.Fitted(List.of("a", "b"), List.of(a, b), List.of(3.0, 1.0));
        TeacherOutputs out = ensemble.infer(null);
        double[] expected = {0.75 * 0.25 + 0.25 * 0.6, 0.75 * 0.25 + 0.25 * 0.2, 0.75 * 0.5 + 0.25 * 0.2};
        for (int k = 0; k < 3; k++) {
            assertEquals(Math.log(expected[k]), out.logits().getDouble(0, k), 1e-6);
        }
        assertEquals(3, out.members().get("a").length());
        assertEquals(Math.log(3), out.members().get("b").getDouble(0, 0), 1e-6);
        assertTrue(out.features().containsKey("a.hidden_0") && out.features().containsKey("b.hidden_0"));
        assertEquals(20, ensemble.parameterCount());
        Path zip = dir.resolve("ensemble.zip");
        ensemble.save(zip);
        try (ZipFile z = new ZipFile(zip.toFile())) {
            assertTrue(z.getEntry("a.zip") != null && z.getEntry("b.zip") != null);
        }
    }

    private static Teacher parse(String yaml) {
        ObjectNode tree = StudyFileReader.parse("t.yaml", yaml);
        return Plugins.create(Teacher.class, ConfigNode.root("t.yaml", tree).section("teacher"));
    }

    @Test
    void configNamesMembersAndRejectsMistakes() {
        var e = (EnsembleTeacher) parse("teacher: {type: ensemble, members: [{type: mlp, hidden: [4]}, "
                + "{type: mlp, hidden: [2]}, {name: big, type: mlp}]}");
        assertEquals(List.of("mlp", "mlp_2", "big"), e.names());
        assertEquals(List.of(1.0, 1.0, 1.0), e.weights());
        assertEquals(InputKind.TABULAR, e.inputKind());
        assertEquals(40 * 3, e.epochBudget());
        assertEquals("t.yaml: teacher.members: missing (expected a non-empty list of teacher sections)",
                assertThrows(ConfigException.class, () -> parse("teacher: {type: ensemble}")).getMessage());
        assertEquals("t.yaml: teacher.weights: expected a list of 2 positive numbers (one per member), got a list",
                assertThrows(ConfigException.class, () -> parse(
                        "teacher: {type: ensemble, weights: [1], members: [{type: mlp}, {type: mlp}]}")).getMessage());
        assertEquals("t.yaml: teacher.members[1].name: duplicate member name 'a'",
                assertThrows(ConfigException.class, () -> parse(
                        "teacher: {type: ensemble, members: [{name: a, type: mlp}, {name: a, type: mlp}]}"))
                        .getMessage());
        String unknown = assertThrows(ConfigException.class, () -> parse(
                "teacher: {type: ensemble, members: [{type: mlp, widths: [3]}]}")).getMessage();
        assertTrue(unknown.startsWith("t.yaml: teacher.members[0].widths: unknown key 'widths'"), unknown);
    }

    @Test
    void studyWithAnEnsembleReportsMembersAndRetention(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ens.yaml");
        Files.writeString(file, """
                study: ens
                data:
                  source: {type: synthetic, bars: 2000, seed: 5}
                  features: {lookback: 4}
                  labels: {horizon: 3}
                teacher:
                  type: ensemble
                  members:
                    - {name: wide, type: mlp, hidden: [16], training: {epochs: 2, patience: 0}}
                    - {name: narrow, type: mlp, hidden: [4], training: {epochs: 2, patience: 0}}
                student: {type: mlp, hidden: [3]}
                distillation: {loss: {type: hinton}}
                training: {epochs: 1}
                seeds: [1, 2]
                """);
        Study study = Study.load(file, List.of());
        try (var store = new MlflowFileStore(dir.resolve("mlruns"))) {
            var runner = new StudyRunner(dir.resolve("results"), store, StudyListener.NONE, 1);
            var outcome = runner.run(study);
            assertEquals(1, runner.teacherCache().fitCount());
            var summary = outcome.summary();
            List<String> methods = summary.rows().stream().map(r -> r.method()).toList();
            assertTrue(methods.containsAll(List.of("  member narrow", "  member wide")), methods.toString());
            var distilled = summary.rows().stream().filter(r -> r.role().equals("distilled")).findFirst()
                    .orElseThrow();
            assertEquals(List.of("narrow", "wide"), List.copyOf(distilled.memberRetention().keySet()));
            assertEquals(2, distilled.memberRetention().get("wide").n());
            String md = summary.toMarkdown();
            assertTrue(md.contains("Accuracy retention versus each ensemble member"), md);
            assertTrue(md.contains("shared by 4 student trial(s)"), md);
            var reader = new MlflowFileStoreReader(dir.resolve("mlruns"));
            String exp = reader.experiments().stream().filter(x -> x.name().equals("ens")).findFirst()
                    .orElseThrow().experimentId();
            var teacherRun = reader.runs(exp).stream().filter(r -> r.runName().startsWith("teacher ensemble"))
                    .findFirst().orElseThrow();
            assertTrue(teacherRun.metrics().containsKey("wide.test_accuracy"),
                    teacherRun.metrics().keySet().toString());
            assertEquals(2, teacherRun.metrics().get("narrow.objective.train").size(), "member epochs under its name");
        }
    }
    /** An ensemble of a network and a tree ensemble trains, is cached with both models, and a student distils it. */
    @Test
    void mlpPlusGbtEnsembleTrainsAndTheStudentDistils(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ens.yaml");
        Files.writeString(file, """
                study: ens-gbt
                data:
                  source: {type: synthetic, bars: 2000, seed: 5}
                  features: {lookback: 4}
                  labels: {horizon: 3}
                teacher:
                  type: ensemble
                  members:
                    - {name: mlp, type: mlp, hidden: [8], training: {epochs: 2, patience: 0}}
                    - {name: trees, type: gbt, rounds: 10, max_depth: 2, early_stopping: 3}
                student: {type: mlp, hidden: [3]}
                distillation: {loss: {type: hinton, temperature: 2, alpha: 0.5}}
                training: {epochs: 1}
                seeds: [1]
                """);
        Study study = Study.load(file, List.of());
        try (var store = new MlflowFileStore(dir.resolve("mlruns"))) {
            var runner = new StudyRunner(dir.resolve("results"), store, StudyListener.NONE, 1);
            var summary = runner.run(study).summary();
            assertEquals(1, runner.teacherCache().fitCount());
            var rows = summary.rows();
            var trees = rows.stream().filter(r -> r.method().equals("  member trees")).findFirst().orElseThrow();
            assertTrue(trees.metrics().get("accuracy").mean() > 0.2, "gbt member accuracy " + trees.metrics());
            var teacher = rows.stream().filter(r -> r.role().equals("teacher")).findFirst().orElseThrow();
            assertTrue(teacher.parameters() > 8 * 12, "mlp weights plus tree nodes: " + teacher.parameters());
            var distilled = rows.stream().filter(r -> r.role().equals("distilled")).findFirst().orElseThrow();
            assertEquals(1, distilled.runs());
            assertEquals(0, distilled.failed());
            assertTrue(Double.isFinite(distilled.metrics().get("agreement").mean()), distilled.metrics().toString());
            assertEquals(List.of("mlp", "trees"), List.copyOf(distilled.memberRetention().keySet()));
            // the cached teacher.zip holds each member's model: the trees in XGBoost's format
            try (var teachers = Files.walk(dir.resolve("results"))) {
                Path zip = teachers.filter(p -> p.getFileName().toString().equals("teacher.zip")).findFirst()
                        .orElseThrow();
                try (var z = new java.util.zip.ZipFile(zip.toFile())) {
                    assertTrue(z.getEntry("mlp.zip") != null && z.getEntry("trees.zip") != null, zip.toString());
                    Path member = dir.resolve("trees.zip");
                    Files.copy(z.getInputStream(z.getEntry("trees.zip")), member);
                    assertTrue(GbtTeacher.Fitted.load(member).parameterCount() > 0);
                }
            }
        }
    }
}
