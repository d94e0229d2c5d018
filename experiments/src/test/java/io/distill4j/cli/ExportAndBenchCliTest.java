package io.distill4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.InputShape;
import io.distill4j.api.Student;
import io.distill4j.config.ConfigNode;
import io.distill4j.config.StudyFileReader;
import io.distill4j.deploy.ExportInfo;
import io.distill4j.experiment.ModelExport;
import io.distill4j.experiment.TrialLedger;
import io.distill4j.loss.HardLabelCrossEntropy;
import io.distill4j.model.Networks;
import io.distill4j.plugin.Plugins;
import io.distill4j.runtime.StudentModel;
import io.distill4j.tracking.MlflowFileStore;
import io.distill4j.tracking.MlflowFileStoreReader;
import io.distill4j.tracking.RunStatus;
import io.distill4j.tracking.TrackedRun;
import io.distill4j.train.TrainingSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@code distill4j export} and {@code distill4j bench} on students written the way a study writes them. */
class ExportAndBenchCliTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    /** A deployable student zip of {@code yaml} in {@code folder}, with its export information beside it. */
    private static Path student(Path folder, String id, String yaml, boolean withInfo) throws IOException {
        Student s = Plugins.create(Student.class, ConfigNode.root("s.yaml", StudyFileReader.parse("s.yaml", yaml)));
        ComputationGraph g = Networks.deployable(Networks.build(s, List.of(new HardLabelCrossEntropy()),
                new InputShape(12, 8, 3), new TrainingSettings(1, 32, 0.01, 0, 0), 3));
        Files.createDirectories(folder);
        Path zip = folder.resolve(id + ".zip");
        ModelSerializer.writeModel(g, zip.toFile(), false);
        if (withInfo) {
            double[] mean = new double[12];
            double[] std = new double[12];
            java.util.Arrays.fill(std, 2.0);
            ExportInfo info = new ExportInfo(s.inputKind() == io.distill4j.api.InputKind.SEQUENCE, 8, 300_000L, mean,
                    std, Map.of("study", "clitest", "trial_id", id, "config_hash", "abc"));
            try (OutputStream o = Files.newOutputStream(ModelExport.exportInfoBeside(zip))) {
                info.write(o);
            }
        }
        return zip;
    }

    @Test
    void exportWritesAModelThatAnswersAsDl4j() throws IOException {
        Path zip = student(dir, "aaaaaaaaaaaa", "{type: mlp, hidden: [16, 8]}", true);
        Path out = dir.resolve("out.d4jr");
        Run r = run("export", zip.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("371 parameters, 344 multiply-accumulates per sample"), r.out());
        StudentModel model = StudentModel.load(out);
        assertEquals("aaaaaaaaaaaa", model.metadata().get("trial_id"));
        ComputationGraph g = ModelSerializer.restoreComputationGraph(zip.toFile(), false);
        Random random = new Random(1);
        float[] x = new float[12];
        float[] p = new float[3];
        for (int k = 0; k < 50; k++) {
            for (int j = 0; j < 12; j++) {
                x[j] = (float) random.nextGaussian();
            }
            INDArray expected = g.outputSingle(Nd4j.create(x, new long[] {1, 12}, 'c'));
            model.newPredictor().predict(x, p);
            for (int c = 0; c < 3; c++) {
                assertEquals(expected.getDouble(0, c), p[c], 1e-5);
            }
        }
    }

    @Test
    void exportRefusesWithOneLine() throws IOException {
        Path bare = student(dir, "bbbbbbbbbbbb", "{type: mlp, hidden: [4]}", false);
        Run noInfo = run("export", bare.toString());
        assertEquals(2, noInfo.code());
        assertEquals("error: " + bare + ": no bbbbbbbbbbbb.export.properties beside it (the standardiser and "
                + "provenance a study writes with every student); expected a zip from results/<study>/students/",
                noInfo.err().strip());
        Path attention = student(dir, "cccccccccccc", "{type: attention, model_size: 4, heads: 2}", true);
        Run refused = run("export", attention.toString());
        assertEquals(2, refused.code());
        assertTrue(refused.err().startsWith("error: " + attention + ": cannot export the student to the runtime: "),
                refused.err());
        assertEquals(1, refused.err().strip().lines().count());
    }

    @Test
    void benchWritesItsTableIntoTheSummaryOnce() throws IOException {
        Path study = dir.resolve("results").resolve("s");
        Path students = study.resolve("students");
        for (String id : List.of("dddddddddddd", "eeeeeeeeeeee")) {
            Path zip = student(students, id, "{type: lstm, hidden: [4]}", true);
            assertEquals(0, run("export", zip.toString()).code());
        }
        Files.writeString(study.resolve("summary.md"), "# study s\n\nthe table\n");
        String[] args = {"bench", study.toString(), "--calls", "3000", "--warmup", "100", "--dl4j-calls", "20",
            "--jmh-seconds", "0"};
        Run r = run(args);
        assertEquals(0, r.code(), r.err());
        assertEquals(0, run(args).code());
        String summary = Files.readString(study.resolve("summary.md"));
        assertTrue(summary.startsWith("# study s\n\nthe table\n"), summary);
        assertEquals(1, summary.split(java.util.regex.Pattern.quote("## Latency (distill4j bench)"), -1).length - 1);
        // one DL4J row (both students share an architecture), and per student: predict, bar->signal, one LSTM step
        assertEquals(1, summary.lines().filter(l -> l.contains("| DL4J outputSingle | 20 |")).count(), summary);
        assertEquals(2, summary.lines().filter(l -> l.contains("| runtime predict | 3000 |")).count(), summary);
        assertEquals(2, summary.lines().filter(l -> l.contains("| runtime bar->features->signal | 3000 |")).count());
        assertEquals(2, summary.lines().filter(l -> l.contains("| runtime one LSTM step (4 units) | 3000 |")).count());
    }

    @Test
    void benchLogsItsFiguresToTheStudysRunsInTheStudysStore() throws IOException {
        Path study = dir.resolve("results").resolve("t");
        String id = "ffffffffffff";
        assertEquals(0, run("export", student(study.resolve("students"), id, "{type: mlp, hidden: [16, 8]}", true)
                .toString()).code());
        Path store = dir.resolve("elsewhere").resolve("mlruns"); // the study's tracking.uri, not <results>/mlruns
        Files.writeString(study.resolve("study.yaml"), "study: t\ntracking: {uri: '" + store + "'}\n");
        MlflowFileStore tracker = new MlflowFileStore(store);
        String exp = tracker.experimentId("t");
        TrackedRun parent = tracker.startRun(exp, "t", null, Map.of());
        TrackedRun trial = tracker.startRun(exp, id, parent.runId(), Map.of());
        trial.end(RunStatus.FINISHED);
        parent.end(RunStatus.FINISHED);
        TrialLedger ledger = new TrialLedger(study.resolve("trials"));
        ledger.studyFinished(exp, parent.runId());
        ledger.started(id, exp, trial.runId());

        String[] args = {"bench", study.toString(), "--calls", "2000", "--warmup", "100", "--dl4j-calls", "30",
            "--jmh-seconds", "0"};
        Run r = run(args);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("tracking: latency metrics logged to 1 run(s)"), r.out());
        MlflowFileStoreReader reader = new MlflowFileStoreReader(store);
        MlflowFileStoreReader.Run t = reader.run(exp, trial.runId());
        assertEquals(RunStatus.FINISHED, t.status());
        assertEquals(2000.0, t.metrics().get("latency.runtime_predict.calls").get(0).value());
        assertEquals(2000.0, t.metrics().get("latency.runtime_bar_to_signal.calls").get(0).value());
        assertEquals(30.0, t.metrics().get("latency.dl4j_output_single.calls").get(0).value());
        assertEquals(371.0, t.metrics().get("bench.parameters").get(0).value());
        assertEquals(344.0, t.metrics().get("bench.macs_per_sample").get(0).value());
        // the logged p50 is the table's: the summary's row shows it in µs
        String summary = Files.readString(study.resolve("summary.md"));
        for (String path : List.of("runtime predict", "DL4J outputSingle")) {
            String key = path.equals("runtime predict") ? "runtime_predict" : "dl4j_output_single";
            double p50 = t.metrics().get("latency." + key + ".p50_ns").get(0).value();
            double p99 = t.metrics().get("latency." + key + ".p99_ns").get(0).value();
            assertTrue(p50 >= 1 && p50 <= p99, p50 + " " + p99);
            String row = summary.lines().filter(l -> l.contains("| " + path + " |")).findFirst().orElseThrow();
            String shown = row.split("\\|")[4].strip();
            assertEquals(Double.parseDouble(shown), p50 / 1000.0, Math.max(0.0005, p50 / 1000.0 * 0.006), row);
        }
        MlflowFileStoreReader.Run p = reader.run(exp, parent.runId());
        assertTrue(p.artifacts().contains("bench.md"), p.artifacts().toString());
        String table = Files.readString(store.resolve(exp).resolve(parent.runId()).resolve("artifacts/bench.md"));
        assertTrue(table.startsWith("## Latency (distill4j bench)") && summary.contains(table), table);
        assertTrue(p.tags().containsKey("distill4j.bench_utc"), p.tags().toString());

        assertEquals(0, run(args).code()); // a second bench adds a value after the first
        assertEquals(2, reader.run(exp, trial.runId()).metrics().get("latency.runtime_predict.p50_ns").size());
        Run off = run("bench", study.toString(), "--calls", "100", "--warmup", "0", "--dl4j-calls", "0",
                "--jmh-seconds", "0", "--no-tracking");
        assertEquals(0, off.code(), off.err());
        assertEquals(2, reader.run(exp, trial.runId()).metrics().get("latency.runtime_predict.p50_ns").size());
        Run one = run("bench", study.resolve("students").resolve(id + ".d4jr").toString(), "--calls", "100",
                "--warmup", "0", "--dl4j-calls", "0", "--jmh-seconds", "0");
        assertTrue(one.out().contains("| " + id + " | runtime predict | 100 |"), one.out()); // one model: the table
    }
}
