package io.distill4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.experiment.ResultsLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code distill4j run} refuses, before anything is written, a huge grid without {@code --yes} and an empty --results. */
class RunGuardsCliTest {
    @TempDir
    Path dir;

    /** 26 alphas x 20 temperatures x 1 seed: 520 cells, 522 trials. */
    private Path hugeStudy() throws Exception {
        String alphas = IntStream.range(0, 26).mapToObj(i -> String.valueOf(i / 25.0)).collect(Collectors.joining(", "));
        String temperatures = IntStream.range(1, 21).mapToObj(String::valueOf).collect(Collectors.joining(", "));
        Path file = dir.resolve("huge.yaml");
        Files.writeString(file, Files.readString(Path.of("../configs/quickstart.yaml")).replaceFirst(
                "(?s)\\ngrid:.*", "\ngrid:\n  distillation.loss.alpha: [" + alphas + "]\n  distillation.loss.temperature: ["
                        + temperatures + "]\nseeds: [1]\n"));
        return file;
    }

    @Test
    void workersDefaultToTheCoreCount() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(Math.min(64, cores), RunCommand.workers(null));
        assertEquals(3, RunCommand.workers(3));
        assertEquals(1, RunCommand.workers(1));
    }

    @Test
    void moreThanFiveHundredTrialsNeedYes() throws Exception {
        Path results = dir.resolve("results");
        String[] r;
        // the lock keeps a run without the check from training 522 trials: it would stop at the lock instead
        try (ResultsLock held = ResultsLock.acquire(results)) {
            r = MalformedInputCliTest.run("run", hugeStudy().toString(), "--results", results.toString());
        }
        assertEquals(String.valueOf(Main.USER_ERROR), r[0], r[2]);
        List<String> lines = r[2].lines().toList();
        assertEquals(1, lines.size(), r[2]);
        assertTrue(lines.get(0).startsWith("error: study quickstart has at least 520 trials (520 grid cell(s) x 1 "
                + "seed(s)") && lines.get(0).contains("--yes"), lines.get(0));
        assertTrue(!Files.exists(results.resolve("quickstart")), "nothing was written");
    }

    /** The count comes before the cells are validated: a typo that multiplies a grid fails at once. */
    @Test
    void theCountComesBeforeAnyCellIsValidated() throws Exception {
        Path file = hugeStudy();
        // every cell invalid (alpha > 1): validating them would report that instead of the count
        Files.writeString(file, Files.readString(file).replaceFirst("distillation.loss.alpha: \\[[^]]*]",
                "distillation.loss.alpha: [" + IntStream.range(0, 26).mapToObj(i -> String.valueOf(2 + i))
                        .collect(Collectors.joining(", ")) + "]"));
        String[] r = MalformedInputCliTest.run("run", file.toString(), "--results", dir.resolve("r2").toString());
        assertEquals(String.valueOf(Main.USER_ERROR), r[0], r[2]);
        assertTrue(r[2].startsWith("error: study quickstart has at least 520 trials"), r[2]);
        r = MalformedInputCliTest.run("run", file.toString(), "--dry-run");
        assertTrue(r[2].contains("distillation.loss.alpha: expected a number in [0, 1]"), r[2]);
    }

    @Test
    void yesGoesPastTheCount() throws Exception {
        Path results = dir.resolve("results");
        // a held lock stops the run right after the count check, before any training
        try (ResultsLock held = ResultsLock.acquire(results)) {
            String[] r = MalformedInputCliTest.run("run", hugeStudy().toString(), "--results", results.toString(),
                    "--yes");
            assertEquals(String.valueOf(Main.USER_ERROR), r[0], r[2]);
            assertTrue(r[2].startsWith("error: results folder " + results + " is in use"), r[2]);
        }
    }

    @Test
    void emptyResultsFolderIsRefused() {
        // checked before the study is read (a missing study file here), so a run without the check writes nothing
        String[] r = MalformedInputCliTest.run("run", dir.resolve("missing.yaml").toString(), "--results", "");
        assertEquals(String.valueOf(Main.USER_ERROR), r[0], r[2]);
        assertEquals(List.of("error: --results must name a folder (an empty one would write into the current "
                + "folder), e.g. --results results"), r[2].lines().toList());
    }
}
