package io.distill4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.experiment.Study;
import io.distill4j.experiment.Trial;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run --shard i/n} (plan and bad values) and {@code merge} (nothing to merge) from the command line. */
class ShardCliTest {
    @TempDir
    Path dir;

    @Test
    void dryRunsOfTheShardsListEveryStudentOnce() {
        Study study = Study.load(Path.of("../configs/quickstart.yaml"), List.of());
        Set<String> seen = new HashSet<>();
        int teachers = 0;
        for (int i = 1; i <= 3; i++) {
            String[] r = MalformedInputCliTest.run("run", "../configs/quickstart.yaml", "--shard", i + "/3",
                    "--dry-run");
            assertEquals("0", r[0], r[2]);
            assertTrue(r[1].contains("shard " + i + "/3: "), r[1]);
            for (Trial t : study.trials()) {
                if (r[1].contains("  " + t.id() + "  ")) {
                    if (t.role() == Trial.Role.TEACHER) {
                        teachers++;
                    } else {
                        assertTrue(seen.add(t.id()), t.id() + " listed by two shards");
                    }
                }
            }
        }
        assertEquals(study.trials().stream().filter(t -> t.role() != Trial.Role.TEACHER).count(), seen.size());
        assertTrue(teachers >= 1, "shard 1 lists the teacher");
    }

    @Test
    void aBadShardIsOneLine() {
        String[] r = MalformedInputCliTest.run("run", "../configs/quickstart.yaml", "--shard", "4/3", "--dry-run");
        assertEquals(String.valueOf(Main.USER_ERROR), r[0], r[2]);
        assertEquals(List.of("error: --shard must be i/n with 1 <= i <= n, got 4/3"), r[2].lines().toList());
    }

    @Test
    void gpusPerTaskNeedsTheSparkEngine() {
        String[] r = MalformedInputCliTest.run("run", "../configs/quickstart.yaml", "--gpus-per-task", "1",
                "--dry-run");
        assertEquals(String.valueOf(Main.USER_ERROR), r[0], r[2]);
        assertEquals(List.of("error: --gpus-per-task needs --engine spark (the local engine runs in this process; it "
                + "trains on --device)"), r[2].lines().toList());
    }

    @Test
    void aSearchOnSparkWithoutTheSparkModuleSaysHowToGetIt() {
        String[] r = MalformedInputCliTest.run("search", "../configs/search-t-alpha-gamma.yaml", "--engine", "spark",
                "--dry-run");
        assertEquals(String.valueOf(Main.USER_ERROR), r[0], r[2]);
        assertEquals(1, r[2].lines().count(), r[2]);
        assertTrue(r[2].startsWith("error: --engine spark is not in this build: run ./distill4j --spark ..."), r[2]);
    }

    @Test
    void mergeWithoutShardsSaysWhatItExpected() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("results").resolve("quickstart"));
        String[] r = MalformedInputCliTest.run("merge", folder.toString());
        assertEquals(String.valueOf(Main.USER_ERROR), r[0], r[2]);
        assertTrue(r[2].startsWith("error: no shards in " + folder.resolve("shards")), r[2]);
        assertEquals(1, r[2].lines().count(), r[2]);
    }
}
