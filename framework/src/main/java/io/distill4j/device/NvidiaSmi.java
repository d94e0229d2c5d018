package io.distill4j.device;

import io.distill4j.Distill4jException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Asks {@code nvidia-smi} about the machine's GPUs; the parsing is pure and tested. */
public final class NvidiaSmi {
    /** The query whose output {@link #parseQuery} reads. */
    public static final List<String> QUERY = List.of("--query-gpu=name,compute_cap,memory.total,driver_version",
            "--format=csv,noheader");
    private static final Pattern CAPABILITY = Pattern.compile("(\\d+)\\.(\\d+)");
    private static final Pattern MEMORY = Pattern.compile("(\\d+)\\s*MiB");
    private static final Pattern CUDA_VERSION = Pattern.compile("CUDA Version:\\s*([0-9]+(?:\\.[0-9]+)*)");

    private NvidiaSmi() {
    }

    /**
     * Parses {@code nvidia-smi --query-gpu=name,compute_cap,memory.total,driver_version --format=csv,noheader}, e.g.
     * {@code Tesla T4, 7.5, 15360 MiB, 535.104.05}: one GPU per non-blank line, numbered in order. The last three
     * fields are taken from the right, so a name containing a comma survives.
     *
     * @throws Distill4jException on a line that does not have this shape (e.g. an old driver's
     *         "Field "compute_cap" is not a valid field to query")
     */
    public static List<GpuInfo> parseQuery(String output) {
        List<GpuInfo> gpus = new ArrayList<>();
        for (String line : output.strip().lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
            String[] f = line.split(",");
            if (f.length < 4) {
                throw new Distill4jException("unexpected nvidia-smi output: '" + line + "'");
            }
            int n = f.length;
            String name = String.join(",", java.util.Arrays.copyOfRange(f, 0, n - 3)).strip();
            Matcher cc = CAPABILITY.matcher(f[n - 3].strip());
            if (name.isEmpty() || !cc.matches()) {
                throw new Distill4jException("unexpected nvidia-smi output (no compute capability): '" + line + "'");
            }
            Matcher mem = MEMORY.matcher(f[n - 2].strip());
            long memory = mem.matches() ? Long.parseLong(mem.group(1)) : -1;
            String driver = f[n - 1].strip();
            gpus.add(new GpuInfo(gpus.size(), name, Integer.parseInt(cc.group(1)), Integer.parseInt(cc.group(2)),
                    memory, driver.isEmpty() || driver.startsWith("[") ? "unknown" : driver));
        }
        return List.copyOf(gpus);
    }

    /** The highest CUDA version the driver supports, from plain {@code nvidia-smi}'s banner ("CUDA Version: 12.2"). */
    public static Optional<String> parseCudaVersion(String banner) {
        Matcher m = CUDA_VERSION.matcher(banner);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** What asking nvidia-smi gave: the GPUs and the driver's CUDA version, or why there is nothing. */
    public record Result(List<GpuInfo> gpus, Optional<String> cudaVersion, Optional<String> problem) {
    }

    /** Runs nvidia-smi if it is on the PATH (10 s time limit per call). Never throws. */
    public static Result query() {
        Optional<Path> exe = onPath("nvidia-smi");
        if (exe.isEmpty()) {
            return new Result(List.of(), Optional.empty(), Optional.of("nvidia-smi not found on the PATH"));
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.get().toString());
        cmd.addAll(QUERY);
        try {
            List<GpuInfo> gpus = parseQuery(run(cmd));
            Optional<String> cuda = parseCudaVersion(run(List.of(exe.get().toString())));
            return new Result(gpus, cuda, gpus.isEmpty() ? Optional.of("nvidia-smi lists no GPU") : Optional.empty());
        } catch (Distill4jException e) {
            return new Result(List.of(), Optional.empty(), Optional.of(e.getMessage()));
        }
    }

    private static String run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new Distill4jException("nvidia-smi did not answer within 10 s");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new Distill4jException("nvidia-smi failed (exit " + p.exitValue() + "): "
                        + text.strip().lines().findFirst().orElse(""));
            }
            return text;
        } catch (IOException e) {
            throw new Distill4jException("cannot run nvidia-smi: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Distill4jException("interrupted while running nvidia-smi", e);
        }
    }

    static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
