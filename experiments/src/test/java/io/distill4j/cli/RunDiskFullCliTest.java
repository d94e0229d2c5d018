package io.distill4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.distill4j.experiment.Tmpfs;
import io.distill4j.tracking.MlflowFileStoreReader;
import io.distill4j.tracking.RunStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code distill4j run} on a results folder whose disk fills up mid-study (a real tmpfs filled to the last byte once
 * the first student has finished; skipped where mounting is not permitted): one error line, exit code 2, no stack
 * trace; after freeing the space, {@code --resume} finishes the study and leaves no run RUNNING.
 */
class RunDiskFullCliTest {
    private static final String STUDY = """
            study: full
            data:
              source: {type: synthetic, bars: 2500, seed: 5}
              features: {lookback: 4}
              labels: {horizon: 3}
            teacher: {type: mlp, hidden: [8], training: {epochs: 2, patience: 0}}
            student: {type: mlp, hidden: [4]}
            distillation: {loss: {type: hinton, temperature: 2}}
            training: {epochs: 8, batch_size: 64}
            grid:
              distillation.loss.alpha: [0.2, 0.5, 0.8]
            seeds: [1, 2]
            """;

    @Test
    void diskFullIsOneErrorLineExitTwoAndResumable(@TempDir Path dir) throws Exception {
        Path mount = Files.createDirectory(dir.resolve("disk"));
        Tmpfs tmpfs = Tmpfs.mount(mount, 64);
        assumeTrue(tmpfs != null, "mounting a tmpfs is not permitted here");
        try (tmpfs) {
            Path file = dir.resolve("full.yaml");
            Files.writeString(file, STUDY);
            Path results = mount.resolve("results");
            Path trials = results.resolve("full").resolve("trials");
            AtomicReference<Path> filler = new AtomicReference<>();
            Thread watcher = new Thread(() -> {
                try {
                    while (finishedStudents(trials) < 1) {
                        Thread.sleep(5);
                    }
                    filler.set(tmpfs.fill());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            watcher.setDaemon(true);
            watcher.start();

            String[] full = run("run", file.toString(), "--results", results.toString());
            watcher.join(10_000);
            assertEquals("2", full[0], full[2]);
            List<String> errors = full[2].lines().filter(l -> l.startsWith("error:")).toList();
            assertEquals(1, errors.size(), full[2]);
            assertTrue(errors.get(0).contains("No space left on device") && errors.get(0).contains("--resume"),
                    errors.get(0));
            assertFalse(full[2].contains("\tat ") || full[2].contains("internal error"), full[2]);

            Files.delete(filler.get());
            String[] resumed = run("run", file.toString(), "--results", results.toString(), "--resume");
            assertEquals("0", resumed[0], resumed[2]);
            MlflowFileStoreReader reader = new MlflowFileStoreReader(results.resolve("mlruns"));
            assertTrue(reader.experiments().stream().flatMap(x -> reader.runs(x.experimentId()).stream())
                    .noneMatch(r -> r.status() == RunStatus.RUNNING));
        }
    }

    private static long finishedStudents(Path trials) throws java.io.IOException {
        if (!Files.isDirectory(trials)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(trials)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).filter(f -> {
                try {
                    String json = Files.readString(f);
                    return json.contains("\"finished\"") && !json.contains("\"teacher\"");
                } catch (java.io.IOException e) {
                    return false;
                }
            }).count();
        }
    }

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code;
        try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
            code = Main.execute(args, o, e);
        }
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }
}
