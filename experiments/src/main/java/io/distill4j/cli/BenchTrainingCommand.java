package io.distill4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distill4j.Distill4jException;
import io.distill4j.bench.CpuUse;
import io.distill4j.bench.TrainingBench;
import io.distill4j.train.PhaseTimes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code distill4j bench training}: training speed side by side with the PyTorch reference
 * ({@code torch_reference.py}, which mirrors each workload of {@link TrainingBench}'s spec on the same arrays). For
 * each repeat and workload it trains the distill4j side in this JVM, then the PyTorch side in a fresh {@code python3}
 * process (one thread per process; the grid splits its students over {@code --workers} processes as distill4j splits
 * them over threads), and prints min/median/max seconds per side and the ratio of each alternating pair, with the core
 * count and load average, and per round the JIT's compile time and the cores other processes took
 * ({@link CpuUse}); then the parts of the grid's student trials ({@link PhaseTimes}). Without an importable
 * {@code torch} the PyTorch side is skipped with a message.
 */
@Command(name = "training", mixinStandardHelpOptions = true,
        description = "Training speed of distill4j against a PyTorch reference of the same workloads (the quickstart "
                + "grid, a KD student, the MLP, LSTM and attention teachers), alternating, repeated.")
public final class BenchTrainingCommand implements Callable<Integer> {
    /** Where Debian's OpenBLAS with OpenMP lives (PyTorch's default reference BLAS is 3-6x slower). */
    static final String OPENBLAS = "/usr/lib/x86_64-linux-gnu/openblas-openmp";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--repeats", defaultValue = "3", description = "alternating rounds per workload "
            + "(default ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--workloads", split = ",", paramLabel = "NAME", description = "which workloads, comma-separated "
            + "(default: all of grid, student_kd, teacher_mlp, teacher_lstm, teacher_attention)")
    List<String> workloads;

    @Option(names = "--workers", paramLabel = "N", description = "grid: student trials at once on the distill4j "
            + "side, processes on the PyTorch side (default: the core count)")
    Integer workers;

    @Option(names = "--no-fuse", description = "grid: train every student trial alone on the distill4j side "
            + "(default: same-shape students train fused, as distill4j run does)")
    boolean noFuse;

    @Option(names = "--python", paramLabel = "PATH", description = "the Python with torch (default: the first of "
            + "python3 and /usr/bin/python3 that imports torch; Debian's python3-torch is for /usr/bin/python3)")
    String python;

    @Option(names = "--spec", paramLabel = "FILE", description = "a workload spec (JSON) instead of the built-in "
            + "training-workloads.json")
    Path specFile;

    /** One side's times of one workload. */
    record Times(List<Double> seconds) {
        double min() {
            return seconds.stream().mapToDouble(d -> d).min().orElse(Double.NaN);
        }

        double max() {
            return seconds.stream().mapToDouble(d -> d).max().orElse(Double.NaN);
        }

        double median() {
            return median(seconds);
        }

        static double median(List<Double> values) {
            if (values.isEmpty()) {
                return Double.NaN;
            }
            double[] v = values.stream().mapToDouble(d -> d).sorted().toArray();
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        int cores = Runtime.getRuntime().availableProcessors();
        int w = RunCommand.workers(workers);
        List<String> chosen = workloads == null ? TrainingBench.WORKLOADS : workloads;
        check(repeats, w, chosen);
        JsonNode workloadSpec = specFile == null ? TrainingBench.defaultSpec() : TrainingBench.readSpec(specFile);
        TrainingBench bench = new TrainingBench(workloadSpec).withFusion(!noFuse);
        Path work = Files.createTempDirectory("distill4j-bench-training");
        try {
            return measure(out, cores, w, chosen, workloadSpec, bench, work);
        } finally {
            try (var files = Files.walk(work)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    private int measure(PrintWriter out, int cores, int w, List<String> chosen, JsonNode workloadSpec,
            TrainingBench bench, Path work) throws IOException, InterruptedException {
        Path specCopy = work.resolve("spec.json");
        Files.writeString(specCopy, workloadSpec.toPrettyString());
        Path script = work.resolve(TrainingBench.SCRIPT_RESOURCE);
        TrainingBench.copyResource(TrainingBench.SCRIPT_RESOURCE, script);
        bench.writeArrays(work.resolve("data"));
        String torch = torchVersion();
        out.printf(Locale.ROOT, "distill4j bench training: %d core(s), Java %s, OMP_NUM_THREADS=%s; grid workers %d;"
                + " %s; %d repeat(s); load average %s%n", cores, System.getProperty("java.version"),
                java.util.Objects.requireNonNullElse(System.getenv("OMP_NUM_THREADS"), "unset"), w,
                noFuse ? "students trained alone (--no-fuse)" : "same-shape students fused", repeats,
                loadAverage());
        out.println(torch.startsWith("!") ? "PyTorch side skipped: " + torch.substring(1)
                : "PyTorch " + torch + " (" + python + ", 1 thread per process"
                        + (Files.isDirectory(Path.of(OPENBLAS)) ? ", OpenBLAS " + OPENBLAS : "") + ")");
        out.flush();
        Map<String, List<Double>> java = new LinkedHashMap<>();
        Map<String, List<Double>> torchTimes = new LinkedHashMap<>();
        Map<String, Long> torchRss = new LinkedHashMap<>();
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        PhaseTimes.reset();
        BusySides busy = new BusySides();
        for (int r = 0; r < repeats; r++) {
            for (String wl : chosen) {
                CpuUse before = CpuUse.now();
                double j = bench.run(wl, work.resolve("java-" + wl + "-" + r), w);
                CpuUse after = CpuUse.now();
                double javaOthers = before.otherCores(after);
                busy.note(r, wl, javaOthers);
                java.computeIfAbsent(wl, k -> new ArrayList<>()).add(j);
                String line = String.format(Locale.ROOT, "round %d %-18s distill4j %8.2f s (JIT %5.2f s, others %s)",
                        r + 1, wl, j, before.jitSeconds(after), cores(javaOthers));
                if (!torch.startsWith("!")) {
                    JsonNode t = runTorch(script, specCopy, work.resolve("data"), wl, w);
                    double torchOthers = after.otherCores(CpuUse.now());
                    busy.note(r, wl, torchOthers);
                    double p = t.path("seconds").asDouble();
                    torchTimes.computeIfAbsent(wl, k -> new ArrayList<>()).add(p);
                    torchRss.merge(wl, t.path("max_rss_kb").asLong(), Math::max);
                    ratios.computeIfAbsent(wl, k -> new ArrayList<>()).add(p / j);
                    line += String.format(Locale.ROOT, "   PyTorch %8.2f s (others %s)   ratio %.2f", p,
                            cores(torchOthers), p / j);
                }
                out.println(line);
                out.flush();
            }
        }
        out.println();
        Map<String, Long> samples = new LinkedHashMap<>();
        chosen.forEach(wl -> samples.put(wl, bench.samples(wl)));
        out.println(table(chosen, samples, java, torchTimes, ratios));
        if (chosen.contains("grid")) {
            out.println(breakdown(PhaseTimes.snapshot(), w));
            out.println(heapPerTrial(PhaseTimes.allocations()));
        }
        out.printf(Locale.ROOT, "memory: distill4j JVM peak resident %s; PyTorch peak resident per workload %s%n",
                peakRss(), torchRss.isEmpty() ? "-" : torchRss.entrySet().stream().map(e -> e.getKey() + " "
                        + e.getValue() / 1024 + " MB").toList());
        System.gc(); // what the rounds left behind: heap still reachable, and the process's resident memory
        Runtime rt = Runtime.getRuntime();
        out.printf(Locale.ROOT, "after the rounds and a full GC: heap in use %.0f MB, JVM resident %s%n",
                (rt.totalMemory() - rt.freeMemory()) / 1048576.0, status("VmRSS"));
        out.println("load average after: " + loadAverage());
        busy.warning().ifPresent(out::println);
        out.println("ratio = PyTorch seconds / distill4j seconds of the same round (>= 1: distill4j as fast or "
                + "faster); JIT = seconds HotSpot's compilers worked during the distill4j side; others = cores other "
                + "processes (and the hypervisor) took during each side");
        return 0;
    }

    /**
     * The sides of the rounds during which other processes took at least {@link #BUSY_CORES} cores: a side-by-side
     * ratio does not cancel such load, since the JVM's compiler threads need a core beside the training threads.
     */
    static final class BusySides {
        /** Other processes' CPU, in cores, from which a side counts as run on a busy machine. */
        static final double BUSY_CORES = 0.25;
        private final List<String> busy = new ArrayList<>();
        private int sides;

        void note(int round, String workload, double otherCores) {
            sides++;
            if (otherCores >= BUSY_CORES) {
                busy.add(String.format(Locale.ROOT, "round %d %s (%.2f)", round + 1, workload, otherCores));
            }
        }

        Optional<String> warning() {
            return busy.isEmpty() ? Optional.empty() : Optional.of(String.format(Locale.ROOT,
                    "busy machine: other processes took >= %.2f cores during %d of %d sides: %s; their ratios "
                            + "depend on that load", BUSY_CORES, busy.size(), sides, String.join(", ", busy)));
        }
    }

    /** Refuses a bad repeat count, worker count or workload name. */
    static void check(int repeats, int workers, List<String> workloads) {
        if (repeats < 1 || repeats > 100) {
            throw new Distill4jException("--repeats must be in [1, 100], got " + repeats);
        }
        RunCommand.checkWorkers(workers);
        for (String w : workloads) {
            if (!TrainingBench.WORKLOADS.contains(w)) {
                throw new Distill4jException("--workloads: unknown workload '" + w + "'; expected some of "
                        + String.join(", ", TrainingBench.WORKLOADS));
            }
        }
    }

    /** The summary table: per workload and side, min/median/max seconds and samples/s at the median; ratios. */
    static String table(List<String> chosen, Map<String, Long> samplesOf, Map<String, List<Double>> java,
            Map<String, List<Double>> torch, Map<String, List<Double>> ratios) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "| workload | side | min s | median s | max s | samples/s (median) |"
                + " ratio min / median / max |%n|---|---|---|---|---|---|---|%n"));
        for (String wl : chosen) {
            long samples = samplesOf.get(wl);
            row(b, wl, "distill4j", new Times(java.get(wl)), samples, "");
            if (torch.containsKey(wl)) {
                List<Double> r = ratios.get(wl);
                row(b, wl, "PyTorch", new Times(torch.get(wl)), samples, String.format(Locale.ROOT,
                        "%.2f / %.2f / %.2f", new Times(r).min(), new Times(r).median(), new Times(r).max()));
            }
        }
        return b.toString();
    }

    private static void row(StringBuilder b, String wl, String side, Times t, long samples, String ratio) {
        b.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.2f | %,.0f | %s |%n", wl, side, t.min(),
                t.median(), t.max(), samples / t.median(), ratio));
    }

    /** The mean parts of one student trial of the grid runs (all rounds), and what the teacher trials took. */
    static String breakdown(Map<String, Map<PhaseTimes.Phase, Long>> times, int workers) {
        StringBuilder b = new StringBuilder();
        for (String scope : List.of("distilled", "student-alone", "teacher")) {
            Map<PhaseTimes.Phase, Long> m = times.get(scope);
            if (m == null || m.get(PhaseTimes.Phase.TRIAL) == 0) {
                continue;
            }
            long total = m.get(PhaseTimes.Phase.TRIAL);
            b.append(String.format(Locale.ROOT, "%s trials of the grid (workers %d), parts of their total "
                    + "%.2f s:%n", scope, workers, total / 1e9));
            long parts = 0;
            for (PhaseTimes.Phase p : PhaseTimes.Phase.values()) {
                if (p == PhaseTimes.Phase.TRIAL) {
                    continue;
                }
                long v = m.get(p);
                parts += v;
                b.append(String.format(Locale.ROOT, "  %-18s %8.3f s  %5.1f%%%n", p.label(), v / 1e9,
                        100.0 * v / total));
            }
            b.append(String.format(Locale.ROOT, "  %-18s %8.3f s  %5.1f%%%n", "other", (total - parts) / 1e9,
                    100.0 * (total - parts) / total));
        }
        return b.toString();
    }

    /**
     * torch's version, or {@code !} and why the PyTorch side cannot run; without {@code --python}, the first of
     * {@code python3} and {@code /usr/bin/python3} that imports torch becomes {@link #python}.
     */
    String torchVersion() throws InterruptedException {
        if (python == null) {
            String found = null;
            for (String candidate : List.of("python3", "/usr/bin/python3")) {
                python = candidate;
                found = torchVersionOf();
                if (!found.startsWith("!")) {
                    return found;
                }
            }
            return found;
        }
        return torchVersionOf();
    }

    private String torchVersionOf() throws InterruptedException {
        try {
            Process p = process(List.of(python, "-c", "import torch; print(torch.__version__)"));
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "!`" + python + " -c 'import torch'` failed; install PyTorch with `apt-get install -y "
                        + "python3-torch libopenblas0-openmp` (Debian/Ubuntu) to compare";
            }
            return text.lines().reduce((a, c) -> c).orElse("?");
        } catch (IOException e) {
            return "!cannot run " + python + " (" + e.getMessage() + "); install Python 3 and python3-torch to "
                    + "compare";
        }
    }

    private JsonNode runTorch(Path script, Path specCopy, Path data, String workload, int processes)
            throws IOException, InterruptedException {
        Process p = process(List.of(python, script.toString(), "--spec", specCopy.toString(), "--data",
                data.toString(), "--workload", workload, "--processes", Integer.toString(processes)));
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            List<String> lines = text.strip().lines().toList();
            throw new Distill4jException("the PyTorch reference failed on " + workload + ": "
                    + String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size())));
        }
        String last = text.strip().lines().reduce((a, c) -> c).orElse("");
        return JSON.readTree(last);
    }

    private static Process process(List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "1");
        if (Files.isDirectory(Path.of(OPENBLAS))) {
            String old = System.getenv("LD_LIBRARY_PATH");
            pb.environment().put("LD_LIBRARY_PATH", OPENBLAS + (old == null || old.isEmpty() ? "" : ":" + old));
        }
        return pb.start();
    }

    /** Cores as the round lines print them, {@code ?} where {@code /proc} could not be read. */
    static String cores(double cores) {
        return Double.isNaN(cores) ? "?" : String.format(Locale.ROOT, "%.2f cores", cores);
    }

    static String loadAverage() {
        try {
            return String.join(" ", Arrays.asList(Files.readString(Path.of("/proc/loadavg")).trim().split(" "))
                    .subList(0, 3));
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String peakRss() {
        return status("VmHWM");
    }

    /** A field of {@code /proc/self/status} (e.g. {@code VmRSS}: {@code 812345 kB}), or {@code unknown}. */
    private static String status(String field) {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith(field + ":"))
                    .map(l -> l.substring(field.length() + 1).trim()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * The Java heap allocated per trial of the grid, by kind ({@link PhaseTimes#allocatedSince}: a fused network's
     * training counts under its first trial's kind, so the student kinds are also given together): allocation volume,
     * what the collector works through, not resident memory; ND4J's arrays live outside the heap.
     */
    static String heapPerTrial(Map<String, long[]> allocations) {
        StringBuilder b = new StringBuilder("Java heap allocated per trial of the grid (mean over rounds):");
        long studentBytes = 0;
        long studentTrials = 0;
        for (String scope : List.of("distilled", "student-alone", "teacher")) {
            long[] a = allocations.get(scope);
            if (a == null || a[1] == 0) {
                continue;
            }
            b.append(String.format(Locale.ROOT, " %s %.1f MB (%d),", scope, a[0] / 1048576.0 / a[1], a[1]));
            if (!scope.equals("teacher")) {
                studentBytes += a[0];
                studentTrials += a[1];
            }
        }
        if (studentTrials > 0) {
            b.append(String.format(Locale.ROOT, " every student trial %.1f MB", studentBytes / 1048576.0
                    / studentTrials));
        }
        return b.toString().replaceAll(",$", "");
    }
}
