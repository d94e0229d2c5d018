package io.distill4j.cli;

import io.distill4j.Distill4jException;
import io.distill4j.device.CudaArchitectures;
import io.distill4j.device.DeviceEnvironment;
import io.distill4j.device.DeviceMode;
import io.distill4j.device.DeviceSelector;
import io.distill4j.device.GpuInfo;
import io.distill4j.device.NvidiaSmi;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code distill4j doctor}: what this machine and build offer (Java, OS, CPU, memory, ND4J backend and BLAS, GPUs
 * and whether ND4J's CUDA binaries can run on them) and what {@code device: auto} would choose. Facts that need no
 * ND4J come first, so a backend that fails to load still leaves a useful report.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Print the machine, the ND4J backend and the GPUs, with warnings and what to do.")
public final class DoctorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println("distill4j doctor");
        line(out, "java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("java.home") + ")");
        line(out, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        line(out, "cpu", cpuModel().orElse("unknown model") + ", " + Runtime.getRuntime().availableProcessors()
                + " core(s) available to the JVM");
        line(out, "memory", physicalMemory() + " physical, JVM max heap " + gib(Runtime.getRuntime().maxMemory()));
        String omp = System.getenv("OMP_NUM_THREADS");
        line(out, "OMP_NUM_THREADS", omp == null ? "unset (ND4J uses one thread per core)" : omp);
        NvidiaSmi.Result smi = NvidiaSmi.query();
        DeviceEnvironment env = DeviceEnvironment.detect(smi);
        line(out, "backends on class path", "cpu (nd4j-native) " + yesNo(env.cpuBackendOnClassPath())
                + ", cuda (nd4j-cuda-11.6) " + yesNo(env.cudaBackendOnClassPath())
                + (env.cudaBackendOnClassPath() ? ", cuda natives " + yesNo(env.cudaNativesOnClassPath()) : ""));
        nd4j(out);
        for (String l : gpuLines(smi)) {
            out.println(l);
        }
        try {
            line(out, "device auto", DeviceSelector.select(DeviceMode.AUTO, env).message());
        } catch (Distill4jException e) {
            line(out, "device auto", "WARNING: " + e.getMessage());
        }
        out.flush();
        return 0;
    }

    /** The GPU part of the report: one line per GPU, plus a warning and what to do for each one not covered. */
    static List<String> gpuLines(NvidiaSmi.Result smi) {
        List<String> lines = new ArrayList<>();
        if (smi.gpus().isEmpty()) {
            lines.add(String.format("%-24s %s", "gpu:", "none (" + smi.problem().orElse("nvidia-smi lists none")
                    + ")"));
            return lines;
        }
        String cuda = smi.cudaVersion().map(v -> ", driver supports CUDA " + v).orElse("");
        for (GpuInfo g : smi.gpus()) {
            CudaArchitectures.Coverage c = CudaArchitectures.check(g.ccMajor(), g.ccMinor());
            lines.add(String.format("%-24s %s, compute capability %s (%s), %s, driver %s%s", "gpu " + g.index() + ":",
                    g.name(), g.computeCapability(), g.sm(), g.memoryMiB() < 0 ? "memory unknown"
                            : g.memoryMiB() + " MiB", g.driverVersion(), cuda));
            if (c.covered()) {
                lines.add(String.format("%-24s %s", "", c.reason()));
            } else {
                lines.add("WARNING: gpu " + g.index() + " (" + g.name() + "): " + c.reason() + ". distill4j cannot "
                        + "train on it; run on the CPU (the default build, --device cpu), or use a Kepler..Ada GPU "
                        + "(sm_37..sm_89).");
            }
        }
        smi.cudaVersion().ifPresent(v -> {
            if (compareVersions(v, "11.0") < 0) {
                lines.add("WARNING: the driver supports only CUDA " + v + "; ND4J's CUDA 11.6 backend needs a driver "
                        + "for CUDA 11.x (R450.80.02 or newer; R510 or newer recommended). Update the NVIDIA driver.");
            }
        });
        return lines;
    }

    static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int xi = i < x.length ? Integer.parseInt(x[i]) : 0;
            int yi = i < y.length ? Integer.parseInt(y[i]) : 0;
            if (xi != yi) {
                return Integer.compare(xi, yi);
            }
        }
        return 0;
    }

    private static void nd4j(PrintWriter out) {
        try {
            var backend = org.nd4j.linalg.factory.Nd4j.getBackend();
            line(out, "nd4j backend", backend.getClass().getSimpleName() + " (" + backend.getClass().getName() + ")");
            line(out, "nd4j data type", org.nd4j.linalg.factory.Nd4j.dataType().toString());
            String blas;
            try {
                blas = org.nd4j.linalg.factory.Nd4j.factory().blas().getBlasVendor().toString();
            } catch (RuntimeException | LinkageError e) {
                blas = "unknown (" + e.getClass().getSimpleName() + ")";
            }
            line(out, "blas vendor", blas);
        } catch (Throwable e) { // a backend that cannot load is exactly what a doctor reports
            line(out, "nd4j backend", "WARNING: ND4J failed to initialise: " + rootMessage(e));
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private static Optional<String> cpuModel() {
        Path info = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(info)) {
            return Optional.empty();
        }
        try {
            return Files.readAllLines(info).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return gib(os.getTotalMemorySize());
        }
        return "unknown";
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }

    private static void line(PrintWriter out, String key, String value) {
        out.println(String.format("%-24s %s", key + ":", value));
    }
}
