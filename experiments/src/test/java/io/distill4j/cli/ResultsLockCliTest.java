package io.distill4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.experiment.ResultsLock;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code distill4j run} refuses a results folder that another run holds: one line, exit code 2, nothing written. */
class ResultsLockCliTest {
    @TempDir
    Path dir;

    @Test
    void runOnALockedResultsFolderFailsAtOnce() {
        Path results = dir.resolve("results");
        try (ResultsLock held = ResultsLock.acquire(results)) {
            String[] r = MalformedInputCliTest.run("run", "../configs/quickstart.yaml", "--results", results.toString(),
                    "--set", "training.epochs=1");
            assertEquals(String.valueOf(Main.USER_ERROR), r[0], r[2]);
            List<String> lines = r[2].lines().toList();
            assertEquals(1, lines.size(), r[2]);
            assertTrue(lines.get(0).startsWith("error: results folder " + results + " is in use by another distill4j "
                    + "run (pid " + ProcessHandle.current().pid()), lines.get(0));
            assertTrue(!results.resolve("quickstart").toFile().exists(), "nothing was written");
        }
    }
}
