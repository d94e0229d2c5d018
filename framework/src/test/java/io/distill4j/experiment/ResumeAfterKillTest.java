package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.distill4j.tracking.MlflowFileStore;
import io.distill4j.tracking.MlflowFileStoreReader;
import io.distill4j.tracking.RunStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A study killed with SIGKILL (a child JVM, {@code Process.destroyForcibly}) at two points, the second time while it
 * is itself resuming, then resumed to the end: the results equal an uninterrupted run's, every trial has exactly one
 * FINISHED run in tracking, and no run is left RUNNING.
 */
class ResumeAfterKillTest {
    private static final String STUDY = """
            study: resumable
            data:
              source: {type: synthetic, bars: 6000, seed: 9}
              features: {lookback: 4}
              labels: {horizon: 3}
            teacher: {type: mlp, hidden: [32], training: {epochs: 4, patience: 0}}
            student: {type: mlp, hidden: [4]}
            distillation: {loss: {type: hinton, temperature: 2}}
            training: {epochs: 6, batch_size: 64}
            grid:
              distillation.loss.alpha: [0.2, 0.5, 0.8]
            seeds: [1, 2]
            """;

    @Test
    void killedTwiceThenResumedEqualsAnUninterruptedRun(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("resumable.yaml");
        Files.writeString(file, STUDY);
        Study study = Study.load(file, List.of());
        assertEquals(1 + 2 + 6, study.trials().size());

        Path results = dir.resolve("results");
        Path mlruns = dir.resolve("mlruns");
        killAfter(file, results, mlruns, false, 2);   // the teacher and one student finished
        killAfter(file, results, mlruns, true, 5);    // a resumed run, killed again
        StudyRunner.Outcome resumed;
        try (var store = new MlflowFileStore(mlruns)) {
            resumed = new StudyRunner(results, store, StudyListener.NONE, 1).run(study, true);
        }

        StudyRunner.Outcome reference;
        try (var store = new MlflowFileStore(dir.resolve("mlruns-reference"))) {
            reference = new StudyRunner(dir.resolve("results-reference"), store, StudyListener.NONE, 1).run(study);
        }

        SameResults.assertSame(reference, resumed);
        Map<String, TrialResult> a = SameResults.byId(resumed.results());

        var reader = new MlflowFileStoreReader(mlruns);
        String exp = reader.experiments().stream().filter(e -> e.name().equals("resumable")).findFirst()
                .orElseThrow().experimentId();
        List<MlflowFileStoreReader.Run> runs = reader.runs(exp);
        assertEquals(List.of(), runs.stream().filter(r -> r.status() == RunStatus.RUNNING)
                .map(MlflowFileStoreReader.Run::runName).toList(), "runs left RUNNING");
        Map<String, Long> finishedPerTrial = runs.stream()
                .filter(r -> r.status() == RunStatus.FINISHED && r.tags().containsKey("distill4j.trial_id"))
                .collect(Collectors.groupingBy(r -> r.tags().get("distill4j.trial_id"), Collectors.counting()));
        assertEquals(a.keySet(), finishedPerTrial.keySet());
        finishedPerTrial.forEach((id, n) -> assertEquals(1L, n, "trial " + id + " has " + n + " FINISHED runs"));
        List<MlflowFileStoreReader.Run> failed = runs.stream().filter(r -> r.status() == RunStatus.FAILED).toList();
        assertTrue(failed.size() >= 2, "each kill leaves an interrupted run, ended as FAILED: " + failed.size());
        assertTrue(failed.stream().allMatch(r -> r.tags().getOrDefault("distill4j.error", "").startsWith(
                "interrupted")), "interrupted runs say so");
    }

    /** Runs the study in a child JVM and kills it (SIGKILL) once {@code finished} trials are recorded finished. */
    private static void killAfter(Path study, Path results, Path mlruns, boolean resume, int finished)
            throws Exception {
        Path log = results.getParent().resolve("child-" + finished + ".log");
        Process child = ChildJvm.start(StudyMain.class, log, study.toString(), results.toString(), mlruns.toString(),
                String.valueOf(resume));
        Path trials = results.resolve("resumable").resolve("trials");
        long deadline = System.currentTimeMillis() + 180_000;
        while (finishedRecords(trials) < finished) {
            if (!child.isAlive()) { // the temporary folder goes with the test: the log's end goes into the message
                List<String> lines = Files.readAllLines(log);
                fail("the child ended (exit " + child.exitValue() + ") before it could be killed; its log ends:\n"
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
            }
            assertTrue(System.currentTimeMillis() < deadline, "the child made no progress");
            Thread.sleep(20);
        }
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    }

    private static int finishedRecords(Path trials) throws IOException {
        if (!Files.isDirectory(trials)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(trials)) {
            int n = 0;
            for (Path p : files.filter(f -> f.toString().endsWith(".json")
                    && !f.getFileName().toString().equals("study.json")).toList()) {
                try {
                    n += Files.readString(p).contains("\"finished\"") ? 1 : 0;
                } catch (IOException e) {
                    // a record being renamed into place: counted on the next poll
                }
            }
            return n;
        }
    }
}
