package io.distill4j.experiment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test helper: starts a class's {@code main} in a child JVM with this JVM's class path (so a test can kill it). */
public final class ChildJvm {
    private ChildJvm() {
    }

    /** Starts {@code main} with {@code args}, its output (stdout and stderr) to {@code log}, one ND4J thread. */
    public static Process start(Class<?> main, Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Xmx1g",
                "-Dorg.nd4j.log.initialization=false", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0"));
        String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
        if (cache != null) {
            cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
        }
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        return pb.start();
    }
}
