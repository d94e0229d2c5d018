package io.distill4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distill4j.Distill4jException;
import io.distill4j.bench.BenchData;
import io.distill4j.bench.BenchReport;
import io.distill4j.bench.BenchTracking;
import io.distill4j.bench.Dl4jJmh;
import io.distill4j.bench.Latency;
import io.distill4j.bench.RuntimeJmh;
import io.distill4j.deploy.RuntimeExporter;
import io.distill4j.experiment.ModelExport;
import io.distill4j.experiment.TrialLedger;
import io.distill4j.experiment.StudyRunner;
import io.distill4j.report.StudyReport;
import io.distill4j.runtime.Layer;
import io.distill4j.runtime.Lstm;
import io.distill4j.runtime.Predictor;
import io.distill4j.runtime.SignalStream;
import io.distill4j.runtime.StudentModel;
import io.distill4j.tracking.Tracker;
import io.distill4j.tracking.rest.MlflowHttp;
import io.distill4j.tracking.rest.TrackingUris;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code distill4j bench RESULTS/STUDY | MODEL}: latency of every model of a study. Single-call percentiles come from
 * HdrHistogram ({@link Latency}: each call timed alone, the timer's median cost on an empty call subtracted), batch
 * throughput and average times from JMH ({@link RuntimeJmh}, {@link Dl4jJmh}, one forked JVM). Paths: the teacher via
 * DL4J, each student via DL4J ({@code outputSingle}), via the runtime ({@code Predictor.predict}), bar to features to
 * signal via the runtime ({@code SignalStream.onBar}), and one LSTM step for LSTM students. DL4J paths stop at
 * {@code --dl4j-calls} calls or {@code --dl4j-seconds}, whichever comes first. The table is printed and, for a study,
 * written into its {@code summary.md} and logged to its tracking runs ({@link BenchTracking}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = BenchTrainingCommand.class,
        description = "Latency and throughput of a study's teacher and students (DL4J and the runtime), or of one "
                + "model; writes the table into the study's summary.md and logs the figures to the study's "
                + "tracking runs. 'bench training': training speed against PyTorch.")
public final class BenchCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "STUDY-RESULTS|MODEL",
            description = "a study's results folder (results/<study>), a runtime model (.d4jr) or a student zip")
    Path target;

    @Option(names = "--calls", defaultValue = "1000000", description = "timed single-sample calls per runtime path "
            + "(default ${DEFAULT-VALUE})")
    long calls;

    @Option(names = "--dl4j-calls", defaultValue = "20000", description = "timed single-sample calls per DL4J path "
            + "at most (default ${DEFAULT-VALUE}; 0 skips the DL4J paths; DL4J takes 0.1-1 ms per call here, so 10^6 "
            + "calls take minutes per model)")
    long dl4jCalls;

    @Option(names = "--dl4j-seconds", defaultValue = "60", description = "wall time allowed per DL4J path: its "
            + "timing stops after --dl4j-calls calls or this many seconds, whichever comes first (its warm-up after a "
            + "tenth of it); the table says how many calls each path took (default ${DEFAULT-VALUE})")
    long dl4jSeconds;

    @Option(names = "--warmup", defaultValue = "200000", description = "untimed calls before timing a runtime path "
            + "(DL4J paths: a tenth of --dl4j-calls; default ${DEFAULT-VALUE})")
    long warmup;

    @Option(names = "--jmh-seconds", defaultValue = "1", description = "JMH: seconds per warm-up and measurement "
            + "iteration (2 warm-up, 3 measured, 1 fork); 0 skips JMH (default ${DEFAULT-VALUE})")
    int jmhSeconds;

    @Option(names = "--no-summary", description = "do not write the table into the study's summary.md")
    boolean noSummary;

    @Option(names = "--tracking-uri", paramLabel = "URI", description = "where the study's runs are (default: "
            + "tracking.uri of the study, else MLFLOW_TRACKING_URI, else <results>/mlruns, as for distill4j run)")
    String trackingUri;

    @Option(names = "--no-tracking", description = "do not log the figures to the study's tracking runs")
    boolean noTracking;

    /** A student to measure: its runtime model, its zip (may be absent), how the study names it, its trial id. */
    private record Student(String label, Path model, Path zip, String trialId) {
    }

    /** The study's teacher: its zip in the teacher cache and its trial id. */
    private record Teacher(Path zip, String trialId) {
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (target == null) {
            throw new Distill4jException("bench needs a study's results folder (results/<study>) or a model file, "
                    + "or the subcommand 'training' (distill4j bench training)");
        }
        if (calls < 1 || dl4jCalls < 0 || warmup < 0 || jmhSeconds < 0 || dl4jSeconds < 1) {
            throw new Distill4jException("--calls and --dl4j-seconds must be >= 1 and --dl4j-calls, --warmup, "
                    + "--jmh-seconds >= 0");
        }
        boolean study = Files.isDirectory(target);
        List<Student> students = study ? studentsOf(target) : List.of(single(target));
        if (students.isEmpty()) {
            throw new Distill4jException(target + ": no exported students (students/<trial-id>.d4jr); run the study "
                    + "first, or export a student with distill4j export");
        }
        Teacher teacher = study ? teacherOf(target) : null;
        Path teacherZip = teacher == null ? null : teacher.zip();
        Map<String, String> ledgerIds = new LinkedHashMap<>();
        String utc = java.time.LocalDateTime.now(java.time.ZoneOffset.UTC).withNano(0).toString().replace('T', ' ');
        BenchReport report = new BenchReport();
        long overhead = Latency.timerOverhead();
        report.preamble(String.format(Locale.ROOT, "Measured %s UTC on %d core(s), %s, Java %s, %s; single calls "
                + "timed one by one with System.nanoTime() into an HdrHistogram, the timer's median cost on an empty "
                + "call (%d ns) subtracted from each; runtime paths %d calls after %d warm-up calls, DL4J paths %d "
                + "after %d at most, within %d s each (the calls column counts the timed calls). Inputs: the "
                + "synthetic market (seed 7) standardised with each model's own standardiser.",
                utc,
                Runtime.getRuntime().availableProcessors(), cpuModel(), System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"), overhead, calls, warmup,
                dl4jCalls, dl4jCalls / 10, dl4jSeconds));
        out.println("timer overhead (median of an empty timed call): " + overhead + " ns");

        Map<String, Student> representatives = new LinkedHashMap<>();
        Map<String, StudentModel> models = new LinkedHashMap<>();
        for (Student s : students) {
            StudentModel m = StudentModel.load(s.model());
            models.put(s.label(), m);
            representatives.putIfAbsent(m.describe() + "|" + m.steps(), s);
        }
        StudentModel first = models.values().iterator().next();
        if (teacherZip != null && dl4jCalls > 0) {
            ComputationGraph g = ModelSerializer.restoreComputationGraph(teacherZip.toFile(), false);
            String label = "teacher (" + g.numParams() + " parameters)";
            ledgerIds.put(label, teacher.trialId());
            out.println("DL4J " + label + " ...");
            report.add(dl4jLatency(label, g, first, overhead));
            report.add(new BenchReport.SizeRow(label, g.numParams(), kb(Files.size(teacherZip)) + " (zip)",
                    macs(g, first), jmhDl4j(teacherZip, students.get(0).model()), "-"));
        }
        for (Student s : students) {
            StudentModel m = models.get(s.label());
            boolean representative = representatives.containsValue(s);
            String label = s.label();
            if (s.trialId() != null) {
                ledgerIds.put(label, s.trialId());
            }
            out.println("runtime " + label + " ...");
            if (representative && s.zip() != null && dl4jCalls > 0) {
                ComputationGraph g = ModelSerializer.restoreComputationGraph(s.zip().toFile(), false);
                report.add(dl4jLatency(label, g, m, overhead));
            }
            report.add(runtimeLatency(label, m, overhead));
            report.add(barLatency(label, m, overhead));
            Lstm lstm = firstLstm(m);
            if (lstm != null) {
                report.add(lstmStepLatency(label, lstm, overhead));
            }
            if (representative) {
                String files = kb(Files.size(s.model())) + " (.d4jr)"
                        + (s.zip() != null ? ", " + kb(Files.size(s.zip())) + " (zip)" : "");
                report.add(new BenchReport.SizeRow(label, m.parameters(), files, Long.toString(m.multiplyAccumulates()),
                        s.zip() != null ? jmhDl4j(s.zip(), s.model()) : "-", jmhRuntime(s.model(), report, label)));
            }
        }
        report.note("speed-up: the DL4J p50 of the same model divided by the path's p50. The runtime's DL4J-free "
                + "paths allocate nothing per call; DL4J's single calls go through ND4J (about 10-16 µs per op).");
        String md = report.markdown();
        out.println();
        out.print(md);
        out.flush();
        if (study && !noSummary) {
            Path summary = target.resolve("summary.md");
            report.writeInto(summary);
            out.println("written into " + summary);
            redrawReport(target, out);
        }
        if (study && !noTracking) {
            track(out, report, ledgerIds, utc);
        }
        return 0;
    }

    /** Logs the figures to the study's runs; a store that cannot take them is reported, not fatal. */
    private void track(PrintWriter out, BenchReport report, Map<String, String> ledgerIds, String utc)
            throws IOException {
        if (BenchTracking.runOf(target, TrialLedger.STUDY) == null) {
            out.println("tracking: " + target.resolve("trials").resolve(TrialLedger.STUDY + ".json")
                    + " names no study run; the bench was not logged to tracking");
            return;
        }
        String uri = BenchTracking.uri(target, trackingUri, System.getenv());
        Path results = target.toAbsolutePath().normalize().getParent();
        try (Tracker tracker = TrackingUris.open(uri, results, "distill4j bench", System.getenv())) {
            int n = BenchTracking.log(tracker, target, report, ledgerIds, utc);
            out.println("tracking: latency metrics logged to " + n + " run(s) and " + BenchTracking.TABLE_ARTIFACT
                    + " to the study's run in " + uri);
        } catch (IllegalArgumentException | MlflowHttp.Unavailable | MlflowHttp.ApiError e) {
            out.println("tracking: the bench was not logged to " + uri + ": " + e.getMessage());
        }
    }

    /**
     * Redraws the study's report so that it shows the latency bars; a study run before reports existed has none, and
     * a study file that no longer reads (e.g. written by another version) is reported in one line, not fatal.
     */
    private static void redrawReport(Path studyFolder, PrintWriter out) {
        if (!Files.isRegularFile(studyFolder.resolve(StudyRunner.STUDY_FILE))) {
            out.println("no report redrawn: " + studyFolder + " holds no " + StudyRunner.STUDY_FILE
                    + " (run the study again with this version to get a report)");
            return;
        }
        try {
            out.println("report redrawn with latency bars: " + StudyReport.regenerate(studyFolder).get(0));
        } catch (Distill4jException e) { // the latency table is written already; a study that cannot be redrawn
            out.println("no report redrawn: " + e.getMessage());
        }
    }

    private BenchReport.LatencyRow runtimeLatency(String label, StudentModel m, long overhead) {
        Predictor p = m.newPredictor();
        float[][] in = BenchData.of(m).inputArray(4096);
        float[] o = new float[m.numClasses()];
        Histogram h = Latency.record(i -> Float.floatToRawIntBits(p.predict(in[i & 4095], o)[0]), warmup, calls,
                overhead);
        return new BenchReport.LatencyRow(label, "runtime predict", "runtime_predict", h);
    }

    private BenchReport.LatencyRow barLatency(String label, StudentModel m, long overhead) {
        SignalStream stream = m.newSignalStream();
        var bars = BenchData.of(m).bars();
        int n = bars.size();
        float[] o = new float[m.numClasses()];
        long[] t = bars.timeMs();
        double[] op = bars.open();
        double[] hi = bars.high();
        double[] lo = bars.low();
        double[] cl = bars.close();
        double[] vo = bars.volume();
        long[] shift = {0}; // bars replay with their times shifted, so a wrap-around is not a gap
        long span = t[n - 1] - t[0] + (t[1] - t[0]);
        Histogram h = Latency.record(i -> {
            int b = i % n;
            if (b == 0 && i > 0) {
                shift[0] += span;
            }
            return stream.onBar(t[b] + shift[0], op[b], hi[b], lo[b], cl[b], vo[b], o) ? 1 : 0;
        }, warmup, calls, overhead);
        return new BenchReport.LatencyRow(label, "runtime bar->features->signal", "runtime_bar_to_signal", h);
    }

    private BenchReport.LatencyRow lstmStepLatency(String label, Lstm lstm, long overhead) {
        float[] x = new float[lstm.nIn() * 64];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i);
        }
        float[] state = new float[lstm.scratchSize()];
        Histogram h = Latency.record(i -> {
            lstm.step(x, (i & 63) * lstm.nIn(), state);
            return Float.floatToRawIntBits(state[0]);
        }, warmup, calls, overhead);
        return new BenchReport.LatencyRow(label, "runtime one LSTM step (" + lstm.n() + " units)", "runtime_lstm_step",
                h);
    }

    private BenchReport.LatencyRow dl4jLatency(String label, ComputationGraph g, StudentModel reference,
            long overhead) {
        boolean sequence = BenchData.readsSequences(g, reference.numFeatures());
        float[][] in = BenchData.of(reference).inputArray(256, sequence ? reference.lookback() : 1);
        INDArray[] single = new INDArray[256];
        for (int k = 0; k < single.length; k++) {
            single[k] = BenchData.dl4jBatch(in, k, 1, reference.numFeatures(), sequence);
        }
        Histogram h = Latency.record(i -> g.outputSingle(single[i & 255]).length(), dl4jCalls / 10, dl4jCalls,
                overhead, dl4jSeconds * 1_000_000_000L);
        return new BenchReport.LatencyRow(label, "DL4J outputSingle", "dl4j_output_single", h);
    }

    private String jmhRuntime(Path model, BenchReport report, String label) {
        if (jmhSeconds == 0) {
            return "-";
        }
        Map<String, Double> ns = jmh(RuntimeJmh.class.getName(), "model", model.toString(), null, null);
        report.note(String.format(Locale.ROOT, "JMH (average time, 1 fork, 2x%ds warm-up, 3x%ds measured), %s: "
                + "runtime predict %.1f ns/call, bar->signal %.1f ns/bar, batch of 256 %.1f ns/sample.", jmhSeconds,
                jmhSeconds, label, ns.getOrDefault("predict", Double.NaN), ns.getOrDefault("barToSignal", Double.NaN),
                ns.getOrDefault("batch256", Double.NaN)));
        return throughput(ns.get("batch256"));
    }

    private String jmhDl4j(Path zip, Path reference) {
        if (jmhSeconds == 0) {
            return "-";
        }
        return throughput(jmh(Dl4jJmh.class.getName(), "zip", zip.toString(), "reference", reference.toString())
                .get("batch256"));
    }

    private static String throughput(Double nsPerSample) {
        return nsPerSample == null || nsPerSample.isNaN() ? "-"
                : String.format(Locale.ROOT, "%,.0f", 1e9 / nsPerSample);
    }

    /** Runs one JMH benchmark class (its methods) in one forked JVM; average ns/op by method name. */
    private Map<String, Double> jmh(String benchmarkClass, String param, String value, String param2,
            String value2) {
        ChainedOptionsBuilder o = new OptionsBuilder().include(java.util.regex.Pattern.quote(benchmarkClass) + "\\..*")
                .forks(1).warmupIterations(2).measurementIterations(3)
                .warmupTime(TimeValue.seconds(jmhSeconds)).measurementTime(TimeValue.seconds(jmhSeconds))
                .jvmArgsAppend("-Xmx2g", "-XX:+UseParallelGC", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0",
                        "-Dorg.nd4j.log.initialization=false")
                .param(param, value).shouldFailOnError(true).verbosity(VerboseMode.SILENT);
        if (param2 != null) {
            o.param(param2, value2);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        try {
            for (RunResult r : new Runner(o.build()).run()) {
                String label = r.getParams().getBenchmark();
                out.put(label.substring(label.lastIndexOf('.') + 1), r.getPrimaryResult().getScore());
            }
        } catch (RunnerException e) {
            throw new Distill4jException("JMH failed: " + e.getMessage(), e);
        }
        return out;
    }

    private static Lstm firstLstm(StudentModel m) {
        for (Layer l : m.layers()) {
            if (l instanceof Lstm lstm) {
                return lstm;
            }
        }
        return null;
    }

    private static String macs(ComputationGraph g, StudentModel reference) {
        try {
            long n = 0;
            for (Layer l : RuntimeExporter.layers(g)) {
                n += l.multiplyAccumulates(reference.lookback());
            }
            return Long.toString(n);
        } catch (UnsupportedOperationException e) {
            return "n/a";
        }
    }

    private static String kb(long bytes) {
        return bytes < 10_000 ? bytes + " B" : String.format(Locale.ROOT, "%.1f kB", bytes / 1000.0);
    }

    private static Student single(Path p) {
        String name = p.getFileName().toString();
        if (!Files.isRegularFile(p)) {
            throw new Distill4jException(p + ": no such file or folder");
        }
        if (name.endsWith(".zip")) {
            Path model = ModelExport.runtimeModelBeside(p);
            if (!Files.isRegularFile(model)) {
                throw new Distill4jException(p + ": no " + model.getFileName() + " beside it; run distill4j export "
                        + p + " first");
            }
            return new Student(name.substring(0, name.length() - 4), model, p, null);
        }
        String stem = name.endsWith(ModelExport.RUNTIME_EXTENSION)
                ? name.substring(0, name.length() - ModelExport.RUNTIME_EXTENSION.length()) : name;
        Path zip = p.resolveSibling(stem + ".zip");
        return new Student(stem, p, Files.isRegularFile(zip) ? zip : null, null);
    }

    /** The exported students of a study folder, labelled with their method from the trial ledger. */
    private static List<Student> studentsOf(Path folder) throws IOException {
        Path dir = folder.resolve("students");
        if (!Files.isDirectory(dir)) {
            throw new Distill4jException(folder + ": no students/ folder (expected results/<study>)");
        }
        List<Student> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path model : files.filter(f -> f.getFileName().toString().endsWith(ModelExport.RUNTIME_EXTENSION))
                    .sorted().toList()) {
                String name = model.getFileName().toString();
                String id = name.substring(0, name.length() - ModelExport.RUNTIME_EXTENSION.length());
                Path zip = dir.resolve(id + ".zip");
                JsonNode trial = ledger(folder, id);
                String method = trial == null ? "student" : trial.path("method").asText("student")
                        + " seed=" + trial.path("seed").asText("?");
                out.add(new Student(method + " (" + id + ")", model, Files.isRegularFile(zip) ? zip : null, id));
            }
        }
        return out;
    }

    private static JsonNode ledger(Path folder, String id) throws IOException {
        Path p = folder.resolve("trials").resolve(id + ".json");
        return Files.isRegularFile(p) ? JSON.readTree(p.toFile()) : null;
    }

    /** The study's (first) teacher zip in the teacher cache, found by the cache key its ledger record holds. */
    private static Teacher teacherOf(Path folder) throws IOException {
        Path trials = folder.resolve("trials");
        Path cache = folder.toAbsolutePath().getParent().resolve("cache").resolve("teachers");
        if (!Files.isDirectory(trials) || !Files.isDirectory(cache)) {
            return null;
        }
        try (Stream<Path> files = Files.list(trials)) {
            for (Path p : files.sorted().toList()) {
                JsonNode n = JSON.readTree(p.toFile());
                JsonNode key = n.path("facts").path("cache_key_48");
                if (n.path("role").asText().equals("teacher") && key.isNumber()) {
                    String prefix = String.format(Locale.ROOT, "%012x", key.asLong());
                    try (Stream<Path> entries = Files.list(cache)) {
                        for (Path e : entries.toList()) {
                            if (e.getFileName().toString().startsWith(prefix)
                                    && Files.isRegularFile(e.resolve("teacher.zip"))) {
                                return new Teacher(e.resolve("teacher.zip"), n.path("id").asText());
                            }
                        }
                    }
                }
            }
        }
        return null;
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown CPU");
        } catch (IOException | RuntimeException e) {
            return "unknown CPU";
        }
    }
}
