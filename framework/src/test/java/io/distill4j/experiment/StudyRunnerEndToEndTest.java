package io.distill4j.experiment;

import io.distill4j.api.VertexNames;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.data.features.DatasetPreparer;
import io.distill4j.data.features.PreparedData;
import io.distill4j.model.Networks;
import io.distill4j.tracking.MlflowFileStore;
import io.distill4j.tracking.MlflowFileStoreReader;
import io.distill4j.tracking.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** A tiny study end to end: real DL4J training, the real MLflow file store, checked field by field. */
class StudyRunnerEndToEndTest {
    private static final String STUDY = """
            study: tiny
            seed: 3
            data:
              source: {type: synthetic, bars: 2500, seed: 11, interval: 5m}
              features: {lookback: 4}
              labels: {horizon: 3}
            teacher:
              type: mlp
              hidden: [16]
              training: {epochs: 3, batch_size: 128, patience: 0}
            student: {type: mlp, hidden: [4]}
            distillation:
              loss: {type: hinton, temperature: 3, alpha: 0.5}
              schedules:
                temperature: {type: linear, end: 1}
            training: {epochs: 2, batch_size: 128}
            grid:
              distillation.loss.alpha: [0.2, 0.8]
            seeds: [1, 2]
            """;

    @TempDir
    static Path dir;
    static Study study;
    static StudyRunner.Outcome outcome;
    static StudyRunner runner;

    @BeforeAll
    static void runOnce() throws Exception {
        Path file = dir.resolve("tiny.yaml");
        Files.writeString(file, STUDY);
        study = Study.load(file, List.of());
        try (var store = new MlflowFileStore(dir.resolve("mlruns"))) {
            runner = new StudyRunner(dir.resolve("results"), store, StudyListener.NONE, 2);
            outcome = runner.run(study);
        }
    }

    @Test
    void plansTeacherOnceBaselinesPerSeedAndEveryCellPerSeed() {
        assertEquals(1 + 2 + 4, study.trials().size());
        assertEquals(7, outcome.results().size());
        assertTrue(outcome.results().stream().noneMatch(TrialResult::failed), outcome.summary().toMarkdown());
        assertEquals(1, runner.teacherCache().fitCount());
    }

    @Test
    void mlflowFileStoreFieldByField() throws Exception {
        Path root = dir.resolve("mlruns");
        var reader = new MlflowFileStoreReader(root);
        var experiment = reader.experiments().stream().filter(e -> e.name().equals("tiny")).findFirst().orElseThrow();
        String expMeta = Files.readString(root.resolve(experiment.experimentId()).resolve("meta.yaml"));
        assertTrue(expMeta.contains("experiment_id: '" + experiment.experimentId() + "'"), expMeta);
        assertTrue(expMeta.contains("lifecycle_stage: active"), expMeta);
        assertTrue(expMeta.contains("name: tiny"), expMeta);

        List<MlflowFileStoreReader.Run> runs = reader.runs(experiment.experimentId());
        assertEquals(8, runs.size(), "one parent and seven children");
        var parent = runs.stream().filter(r -> !r.tags().containsKey("mlflow.parentRunId")).toList();
        assertEquals(1, parent.size());
        assertEquals(outcome.parentRunId(), parent.get(0).runId());
        assertEquals("tiny", parent.get(0).runName());
        assertTrue(parent.get(0).artifacts().containsAll(List.of("study.yaml", "summary.md", "summary.csv")),
                parent.get(0).artifacts().toString());

        Map<String, MlflowFileStoreReader.Run> byName = runs.stream()
                .collect(Collectors.toMap(MlflowFileStoreReader.Run::runName, Function.identity()));
        for (MlflowFileStoreReader.Run run : runs) {
            assertEquals(RunStatus.FINISHED, run.status(), run.runName());
            assertNotNull(run.endTime());
            assertTrue(run.endTime() >= run.startTime());
            assertEquals(run.runName(), run.tags().get("mlflow.runName"));
            for (String tag : List.of("distill4j.config_hash", "distill4j.git.commit", "distill4j.backend",
                    "distill4j.dl4j.version", "distill4j.java.version")) {
                assertTrue(run.tags().containsKey(tag), run.runName() + " lacks tag " + tag);
            }
            assertEquals("1.0.0-M2.1", run.tags().get("distill4j.dl4j.version"));
            assertEquals("cpu", run.tags().get("distill4j.device"), run.runName());
            String metaYaml = Files.readString(root.resolve(experiment.experimentId()).resolve(run.runId())
                    .resolve("meta.yaml"));
            assertTrue(metaYaml.contains("status: 3"), metaYaml);
            assertTrue(metaYaml.contains("run_uuid: " + run.runId()), metaYaml);
        }

        // short names, what differs first (the MLflow UI cuts names at about 18 characters)
        assertEquals(Set.of("tiny", "teacher mlp[16]", "alone s1", "alone s2", "kd a=0.2 s1", "kd a=0.2 s2",
                "kd a=0.8 s1", "kd a=0.8 s2"), byName.keySet());
        var distilled = byName.get("kd a=0.2 s1");
        assertEquals("distilled alpha=0.2 seed=1 (trial " + distilled.tags().get("distill4j.trial_id") + ")",
                distilled.tags().get("mlflow.note.content"), "the long description");
        assertEquals(outcome.parentRunId(), distilled.tags().get("mlflow.parentRunId"));
        assertEquals("distilled", distilled.params().get("trial.role"));
        assertEquals("1", distilled.params().get("seed"), "the trial's own seed");
        assertEquals("3", distilled.params().get("study.seed"), "the study root seed");
        assertFalse(distilled.params().containsKey("trial.seed"));
        assertEquals("0.2", distilled.params().get("distillation.loss.alpha"));
        assertEquals("3", distilled.params().get("distillation.loss.temperature"));
        assertEquals("linear(->1)", distilled.params().get("trial.schedule.temperature"));
        assertEquals("[4]", distilled.params().get("student.hidden"));
        assertEquals("1", distilled.tags().get("distill4j.seed"));
        assertEquals("alpha=0.2", distilled.tags().get("distill4j.cell"));
        var quality = DatasetPreparer.prepare(study.base().data()).description().quality();
        assertEquals("0", distilled.tags().get("distill4j.data.gaps"));
        assertEquals("0", distilled.tags().get("distill4j.data.missing_bars"));
        assertEquals(String.valueOf(quality.zeroVolumeBars()), distilled.tags().get("distill4j.data.zero_volume_bars"));
        // the class balance of every split, as sell/hold/buy fractions
        PreparedData data = DatasetPreparer.prepare(study.base().data());
        double[] f = io.distill4j.eval.ChanceBaselines.classFractions(data.test().labels());
        assertEquals(String.format(java.util.Locale.ROOT, "sell %.3f, hold %.3f, buy %.3f", f[0], f[1], f[2]),
                distilled.tags().get("distill4j.data.class_balance.test"));
        assertTrue(distilled.tags().containsKey("distill4j.data.class_balance.train"));
        assertTrue(distilled.tags().containsKey("distill4j.data.class_balance.validation"));
        var teacherRun = byName.get("teacher mlp[16]");
        assertNotNull(teacherRun, byName.keySet().toString());
        assertEquals("3", teacherRun.tags().get("distill4j.seed"), "the teacher trains with the study root seed");
        assertEquals("3", teacherRun.params().get("seed"));
        // params per role: baselines carry no distillation settings, the teacher no student ones
        var alone = byName.get("alone s2");
        assertEquals("2", alone.params().get("seed"));
        assertEquals("[4]", alone.params().get("student.hidden"));
        for (String absent : List.of("distillation.loss.alpha", "distillation.loss.temperature", "teacher.type")) {
            assertFalse(alone.params().containsKey(absent), "student-alone logs " + absent);
        }
        assertFalse(teacherRun.params().keySet().stream().anyMatch(k -> k.startsWith("student.")
                || k.startsWith("distillation.") || k.startsWith("training.")), teacherRun.params().toString());
        assertEquals("mlp", teacherRun.params().get("teacher.type"));
        assertTrue(distilled.params().containsKey("teacher.type"));
        // the same label-based validation curves for every role; agreement for students only
        for (var run : List.of(distilled, alone, teacherRun)) {
            for (String m : List.of("epoch.val_cross_entropy", "epoch.val_accuracy", "epoch.val_macro_f1",
                    "objective.train")) {
                assertTrue(run.metrics().containsKey(m), run.runName() + " lacks " + m);
            }
        }
        assertEquals(2, alone.metrics().get("epoch.val_agreement").size());
        assertFalse(teacherRun.metrics().containsKey("epoch.val_agreement"));
        assertFalse(alone.metrics().containsKey("objective.val.kd") || alone.metrics().containsKey("temperature"));
        // per-epoch metrics with steps; the schedule moves T from 3 to 1 over two epochs
        var temperature = distilled.metrics().get("temperature");
        assertEquals(2, temperature.size());
        assertEquals(0, temperature.get(0).step());
        assertEquals(3.0, temperature.get(0).value(), 1e-12);
        assertEquals(1, temperature.get(1).step());
        assertEquals(1.0, temperature.get(1).value(), 1e-12);
        assertEquals(2, distilled.metrics().get("objective.train").size());
        assertEquals(2, distilled.metrics().get("objective.val").size());
        assertEquals(2, distilled.metrics().get("epoch.val_cross_entropy").size());
        assertEquals(2, distilled.metrics().get("epoch.val_agreement").size());
        assertFalse(distilled.metrics().containsKey("alpha"), "a constant alpha is a param, not a per-epoch metric");
        for (String m : List.of("test_accuracy", "test_macro_f1", "test_log_loss", "test_agreement",
                "test_kl_teacher", "val_accuracy")) {
            assertTrue(distilled.metrics().containsKey(m), "missing metric " + m);
        }
        // constants are params, not metrics
        for (String p : List.of("result.parameters", "result.teacher_parameters", "result.compression_ratio",
                "result.epochs_run")) {
            assertTrue(distilled.params().containsKey(p), "missing param " + p);
            assertFalse(distilled.metrics().containsKey(p.substring("result.".length())), p + " as a metric");
        }
        assertEquals(String.valueOf(outcome.results().stream().filter(r -> r.trialId().equals(
                distilled.tags().get("distill4j.trial_id"))).findFirst().orElseThrow().parameters()),
                distilled.params().get("result.parameters"));
        assertTrue(distilled.artifacts().containsAll(List.of("config.yaml", "model/student.zip", "model/MLmodel",
                "model/input_example.json", "model/serving_input_example.json", "model/student.d4jr")),
                distilled.artifacts().toString());
        // the MLflow Model: its signature names the 12 features and the three class probabilities, its example is
        // the first validation rows, and the run tag lists it
        String mlmodel = Files.readString(root.resolve(experiment.experimentId()).resolve(distilled.runId())
                .resolve("artifacts").resolve("model").resolve("MLmodel"));
        var m = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readTree(mlmodel);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var signatureInputs = json.readTree(m.get("signature").get("inputs").asText());
        assertEquals(12, signatureInputs.size(), mlmodel);
        assertEquals(data.featureNames().get(0), signatureInputs.get(0).get("name").asText());
        assertEquals(List.of("p_sell", "p_hold", "p_buy"), json.readTree(m.get("signature").get("outputs").asText())
                .findValuesAsText("name"));
        assertEquals("student.zip", m.get("flavors").get("distill4j").get("model_file").asText());
        assertEquals("student.d4jr", m.get("flavors").get("distill4j").get("runtime_file").asText());
        var example = json.readTree(Files.readString(root.resolve(experiment.experimentId()).resolve(distilled.runId())
                .resolve("artifacts").resolve("model").resolve("input_example.json")));
        double[] firstRow = data.validation().input(io.distill4j.api.InputKind.TABULAR).getRow(0)
                .castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
        for (int j = 0; j < firstRow.length; j++) {
            assertEquals(firstRow[j], example.get("data").get(0).get(j).asDouble(), 0.0);
        }
        assertTrue(distilled.tags().get("mlflow.log-model.history").contains(distilled.runId()));
        String metricFile = Files.readString(root.resolve(experiment.experimentId()).resolve(distilled.runId())
                .resolve("metrics").resolve("temperature"));
        assertTrue(metricFile.matches("\\d+ 3\\.0 0\\n\\d+ 1\\.0 1\\n"), metricFile);

        // the dataset input, in MLflow's file-store layout: <exp>/datasets/<md5(name+digest)>, <run>/inputs/<id>
        Path datasets = root.resolve(experiment.experimentId()).resolve("datasets");
        List<Path> datasetDirs;
        try (var list = Files.list(datasets)) {
            datasetDirs = list.toList();
        }
        assertEquals(1, datasetDirs.size(), "one dataset shared by every run");
        String datasetMeta = Files.readString(datasetDirs.get(0).resolve("meta.yaml"));
        String name = line(datasetMeta, "name");
        String digest = line(datasetMeta, "digest");
        assertEquals(md5(name + digest), datasetDirs.get(0).getFileName().toString());
        assertTrue(datasetMeta.contains("source_type: ") && datasetMeta.contains("profile: "), datasetMeta);
        // synthetic data as MLflow's code source, the schema as an mlflow_colspec (see DatasetInputsTest)
        assertTrue(datasetMeta.contains("source_type: code") && datasetMeta.contains("mlflow_colspec"), datasetMeta);
        Path inputs = root.resolve(experiment.experimentId()).resolve(distilled.runId()).resolve("inputs");
        Path input = inputs.resolve(md5(datasetDirs.get(0).getFileName() + distilled.runId())).resolve("meta.yaml");
        String inputMeta = Files.readString(input);
        assertFalse(distilled.tags().containsKey("distill4j.dataset"), "the dataset is an input, not a JSON tag");
        var read = reader.datasets(experiment.experimentId(), distilled.runId());
        assertEquals(1, read.size());
        assertEquals(name, read.get(0).name());
        assertEquals(digest, read.get(0).digest());
        assertEquals("code", read.get(0).sourceType());
        assertEquals("training", read.get(0).context());
        assertEquals("destination_id: " + distilled.runId() + "\ndestination_type: RUN\nsource_id: "
                + datasetDirs.get(0).getFileName() + "\nsource_type: DATASET\ntags:\n  mlflow.data.context: training\n",
                inputMeta);

        var teacher = byName.get("teacher mlp[16]");
        assertEquals("teacher", teacher.params().get("trial.role"));
        assertEquals("false", teacher.tags().get("distill4j.teacher_cached"));
        assertEquals(3, teacher.metrics().get("objective.train").size());
        assertTrue(teacher.artifacts().containsAll(List.of("model/teacher.zip", "model/MLmodel")),
                teacher.artifacts().toString());
        assertFalse(teacher.metrics().containsKey("test_agreement"));
    }

    private static String line(String yaml, String key) {
        for (String l : yaml.split("\n")) {
            if (l.startsWith(key + ": ")) {
                String v = l.substring(key.length() + 2);
                return v.startsWith("'") ? v.substring(1, v.length() - 1).replace("''", "'") : v;
            }
        }
        throw new AssertionError("no " + key + " in " + yaml);
    }

    private static String md5(String text) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
                .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void summaryHasEveryMethodAndAVerdict() throws Exception {
        String md = Files.readString(outcome.folder().resolve("summary.md"));
        for (String row : List.of("teacher mlp[16]", "student-alone", "distilled alpha=0.2", "distilled alpha=0.8")) {
            assertTrue(md.contains("|" + row + " | "), row + " missing in\n" + md);
        }
        assertTrue(md.contains("## Verdict"));
        String data = DatasetPreparer.prepare(study.base().data()).description().describe();
        assertTrue(data.startsWith("synthetic(seed=11,bars=2500,intervalMs=300000): 2500 bars of 5m: 0 gaps, "), data);
        assertTrue(md.contains("\nData: " + data + ".\n"), md);
        assertTrue(outcome.summary().verdict().startsWith("Best distilled cell by validation accuracy"));
        List<String> csv = Files.readAllLines(outcome.folder().resolve("summary.csv"));
        assertEquals(9, csv.size(), "header, four rows, two chance rows, buy-and-hold and the optimum");
        assertTrue(csv.get(0).contains(",sharpe_mean,sharpe_std,"), csv.get(0));
        for (String row : List.of("majority class (", "persistence", "buy-and-hold", "optimum (true probabilities)")) {
            assertTrue(md.contains("|" + row), row + " missing in\n" + md);
        }
        assertTrue(md.contains("Class balance: train sell "), md);
        assertTrue(md.contains("Seeds vary the student's initialisation and minibatch order only"), md);
        assertTrue(csv.get(0).startsWith("method,role,runs,failed,accuracy_mean,accuracy_std"));
        var distilled = outcome.summary().rows().stream().filter(r -> r.method().equals("distilled alpha=0.8"))
                .findFirst().orElseThrow();
        assertEquals(2, distilled.metric("accuracy").n());
        assertEquals((16 * 12 + 16 + 16 * 3 + 3) / (double) (12 * 4 + 4 + 4 * 3 + 3), distilled.compression(), 1e-9);
    }

    @Test
    void deployableStudentReloadsWithoutHeadsAndGivesProbabilities() throws Exception {
        TrialResult any = outcome.results().stream().filter(r -> r.trial().role() == Trial.Role.DISTILLED)
                .findFirst().orElseThrow();
        Path zip = outcome.folder().resolve("students").resolve(any.trialId() + ".zip");
        ComputationGraph student = ModelSerializer.restoreComputationGraph(zip.toFile(), false);
        assertArrayEquals(new String[] {VertexNames.PROBABILITIES},
                student.getConfiguration().getNetworkOutputs().toArray(new String[0]));
        PreparedData data = DatasetPreparer.prepare(study.base().data());
        INDArray probabilities = student.outputSingle(data.test().features());
        assertEquals(data.test().size(), probabilities.size(0));
        INDArray rowSums = probabilities.sum(1);
        for (int i = 0; i < rowSums.length(); i++) {
            assertEquals(1.0, rowSums.getDouble(i), 1e-5);
        }
        // the deployable model reproduces the accuracy the runner measured on the test split
        INDArray logLike = Transforms.log(probabilities, true);
        var metrics = io.distill4j.eval.ClassificationMetrics.of(logLike, data.test().labels(), null);
        assertEquals(any.test("accuracy"), metrics.accuracy(), 1e-9);
        // the recorded test predictions are the deployable model's argmax, sample by sample
        assertEquals(TrialResult.predictionText(probabilities.argMax(1).toIntVector()), any.testPredictions());
    }

    @Test
    void everyTrainedStudentIsExportedToTheRuntimeAndAnswersAsDl4j() throws Exception {
        PreparedData data = DatasetPreparer.prepare(study.base().data());
        int students = 0;
        for (TrialResult r : outcome.results()) {
            if (r.trial().role() == Trial.Role.TEACHER) {
                continue;
            }
            students++;
            Path zip = outcome.folder().resolve("students").resolve(r.trialId() + ".zip");
            io.distill4j.runtime.StudentModel model = io.distill4j.runtime.StudentModel.load(
                    ModelExport.runtimeModelBeside(zip));
            assertEquals(r.trialId(), model.metadata().get("trial_id"));
            assertEquals("tiny", model.metadata().get("study"));
            assertEquals(io.distill4j.config.ConfigHash.of(r.trial().resolved()), model.metadata().get("config_hash"));
            assertArrayEquals(data.standardiser().mean(), model.standardiserMean());
            INDArray expected = ModelSerializer.restoreComputationGraph(zip.toFile(), false)
                    .outputSingle(data.test().features());
            io.distill4j.runtime.Predictor predictor = model.newPredictor();
            float[] out = new float[3];
            for (int k = 0; k < data.test().size(); k++) {
                predictor.predict(data.test().features().getRow(k).toFloatVector(), out);
                for (int c = 0; c < 3; c++) {
                    assertEquals(expected.getDouble(k, c), out[c], 1e-5, "trial " + r.trialId() + " sample " + k);
                }
            }
        }
        assertEquals(outcome.results().size() - 1, students);
    }

    @Test
    void secondRunReusesTheCachedTeacher() throws Exception {
        try (var store = new MlflowFileStore(dir.resolve("mlruns-second"))) {
            var second = new StudyRunner(dir.resolve("results"), store, StudyListener.NONE, 1);
            var again = second.run(study);
            assertEquals(0, second.teacherCache().fitCount(), "the teacher must come from the cache");
            TrialResult teacher = again.results().get(0);
            TrialResult before = outcome.results().get(0);
            assertEquals(before.test("accuracy"), teacher.test("accuracy"), 0.0);
            // deterministic CPU training: same seeds, same results
            for (int i = 0; i < again.results().size(); i++) {
                assertEquals(outcome.results().get(i).trialId(), again.results().get(i).trialId());
                assertEquals(outcome.results().get(i).test("accuracy"), again.results().get(i).test("accuracy"),
                        1e-6, again.results().get(i).trial().runName());
            }
        }
    }

    @Test
    void aFailingTrialIsRecordedAndLosesNothing() throws Exception {
        Path file = dir.resolve("failing.yaml");
        Files.writeString(file, STUDY.replace("study: tiny", "study: failing")
                .replace("grid:\n  distillation.loss.alpha: [0.2, 0.8]",
                        "grid:\n  student: [{type: mlp, hidden: [4]}, {type: exploding, reason: kaboom}]")
                .replace("seeds: [1, 2]", "seeds: [1]"));
        Study failing = Study.load(file, List.of());
        try (var store = new MlflowFileStore(dir.resolve("mlruns-failing"))) {
            var result = new StudyRunner(dir.resolve("results"), store, StudyListener.NONE, 1).run(failing);
            List<TrialResult> failed = result.results().stream().filter(TrialResult::failed).toList();
            assertEquals(2, failed.size(), "the exploding baseline and distilled trial");
            assertTrue(failed.get(0).failure().contains("kaboom"), failed.get(0).failure());
            assertEquals(3, result.results().size() - failed.size(), "teacher, mlp baseline, mlp distilled");
            assertTrue(result.summary().toMarkdown().contains("## Failed trials"));
            var reader = new MlflowFileStoreReader(dir.resolve("mlruns-failing"));
            String exp = reader.experiments().stream().filter(e -> e.name().equals("failing")).findFirst()
                    .orElseThrow().experimentId();
            long failedRuns = reader.runs(exp).stream().filter(r -> r.status() == RunStatus.FAILED).count();
            assertEquals(2, failedRuns);
            assertTrue(reader.runs(exp).stream().filter(r -> r.status() == RunStatus.FAILED)
                    .allMatch(r -> r.tags().get("distill4j.error").contains("kaboom")));
        }
    }
}
