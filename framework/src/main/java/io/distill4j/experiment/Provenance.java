package io.distill4j.experiment;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where and with what a run was made: git commit and dirty flag, distill4j / DL4J / Java / OS versions, ND4J backend
 * and data type. Recorded as tags on every tracked run.
 *
 * <p>Nothing here comes from the environment except {@code OMP_NUM_THREADS} (a thread count, which changes speed and
 * sometimes results): no other environment variable, and so no token or password set there, ever reaches tracking.
 */
public final class Provenance {
    private Provenance() {
    }

    /** The provenance tags, computed once per process. */
    public static Map<String, String> tags() {
        return Holder.TAGS;
    }

    private static final class Holder {
        static final Map<String, String> TAGS = compute();
    }

    private static Map<String, String> compute() {
        Map<String, String> t = new LinkedHashMap<>();
        Properties versions = new Properties();
        try (InputStream in = Provenance.class.getResourceAsStream("/io/distill4j/versions.properties")) {
            if (in != null) {
                versions.load(in);
            }
        } catch (IOException ignored) {
            // versions stay unknown
        }
        String commit = git("rev-parse", "HEAD");
        t.put("mlflow.source.git.commit", commit);
        t.put("distill4j.git.commit", commit);
        String status = git("status", "--porcelain");
        t.put("distill4j.git.dirty", commit.equals("unknown") ? "unknown" : String.valueOf(!status.isBlank()));
        t.put("distill4j.version", versions.getProperty("distill4j", "unknown"));
        t.put("distill4j.dl4j.version", versions.getProperty("dl4j", "unknown"));
        t.put("distill4j.java.version", System.getProperty("java.version"));
        t.put("distill4j.os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        t.put("distill4j.backend", Nd4j.getBackend().getClass().getSimpleName());
        t.put("distill4j.dtype", Nd4j.dataType().toString());
        t.put("distill4j.cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
        String omp = System.getenv("OMP_NUM_THREADS");
        t.put("distill4j.omp_num_threads", omp == null ? "unset" : omp);
        return Map.copyOf(t);
    }

    private static String git(String... args) {
        try {
            String[] cmd = new String[args.length + 1];
            cmd[0] = "git";
            System.arraycopy(args, 0, cmd, 1, args.length);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "unknown";
            }
            String s = new String(out, StandardCharsets.UTF_8).trim();
            return args[0].equals("status") ? s : (s.isEmpty() ? "unknown" : s);
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
