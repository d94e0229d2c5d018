package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.distill4j.EnvironmentException;
import io.distill4j.api.EpochReport;
import io.distill4j.tracking.MlflowFileStore;
import io.distill4j.tracking.MlflowFileStoreReader;
import io.distill4j.tracking.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk that fills up in the middle of a study, for real (the kernel's ENOSPC, no mocks): the study stops at once
 * with an {@link EnvironmentException} instead of failing its remaining trials one by one, keeps every finished
 * trial for a resume, leaves no run RUNNING, and a resume after the space is freed completes it.
 */
class DiskFullTest {
    private static final String STUDY = """
            study: full
            data:
              source: {type: synthetic, bars: 2500, seed: 5}
              features: {lookback: 4}
              labels: {horizon: 3}
            teacher: {type: mlp, hidden: [8], training: {epochs: 2, patience: 0}}
            student: {type: mlp, hidden: [4]}
            distillation: {loss: {type: hinton, temperature: 2}}
            training: {epochs: 3, batch_size: 128}
            grid:
              distillation.loss.alpha: [0.2, 0.8]
            seeds: [1, 2]
            """;

    /**
     * The third student's metric file becomes {@code /dev/full} after its first epoch (Linux's always-full device),
     * so its second epoch's write fails with the kernel's "No space left on device" while the rest of the disk still
     * has room: the failing run is ended FAILED at once.
     */
    @Test
    void aFullDiskStopsTheStudyKeepsFinishedTrialsAndResumes(@TempDir Path dir) throws Exception {
        Path devFull = Path.of("/dev/full");
        assumeTrue(Files.exists(devFull), "needs Linux's /dev/full");
        Study study = study(dir);
        Path results = dir.resolve("results");
        Path mlruns = dir.resolve("mlruns");
        AtomicInteger studentsStarted = new AtomicInteger();
        StudyListener fillsUp = new StudyListener() {
            private String victim;

            @Override
            public void trialStarted(Trial trial) {
                if (trial.role() == Trial.Role.TEACHER) {
                    return;
                }
                int started = studentsStarted.incrementAndGet();
                if (started == 3) {
                    victim = trial.id();
                } else if (started > 3) {
                    // the neighbour started a trial while the victim runs: hold it long enough for the victim's
                    // failure to stop the study (its next metric write, milliseconds away), so that any further
                    // start is one after the failure however fast the trials run
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }

            @Override
            public void epochFinished(Trial trial, EpochReport report) {
                if (trial.id().equals(victim) && report.epoch() == 0) {
                    try {
                        Path metric = runDir(mlruns, trial.id()).resolve("metrics").resolve("objective.train");
                        Files.delete(metric);
                        Files.createSymbolicLink(metric, devFull);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
        };
        EnvironmentException e;
        try (var store = new MlflowFileStore(mlruns)) {
            e = assertThrows(EnvironmentException.class,
                    () -> new StudyRunner(results, store, fillsUp, 1).run(study, false));
        }
        assertTrue(e.getMessage().contains("No space left on device") && e.getMessage().contains("objective.train")
                && e.getMessage().contains("3 of 7 trial(s) finished") && e.getMessage().contains("--resume"),
                e.getMessage());
        assertEquals(3, studentsStarted.get(), "no trial starts after the disk is full");

        Map<String, MlflowFileStoreReader.Run> runs = runsByName(mlruns);
        assertEquals(1 + 3 + 1, runs.size(), runs.keySet().toString()); // parent, 3 finished, the failed one
        assertTrue(runs.values().stream().noneMatch(r -> r.status() == RunStatus.RUNNING));
        MlflowFileStoreReader.Run failed = runs.values().stream().filter(r -> r.status() == RunStatus.FAILED
                && !r.tags().get("distill4j.role").equals("study")).findFirst().orElseThrow();
        assertTrue(failed.tags().get("distill4j.error").contains("No space left on device"));
        assertEquals(RunStatus.FAILED, runs.get("full").status());
        assertTrue(runs.get("full").tags().get("distill4j.error").contains("the study stopped"));

        TrialLedger ledger = new TrialLedger(results.resolve("full").resolve("trials"));
        List<Trial> kept = study.trials().stream().filter(t -> ledger.finishedResult(t).isPresent()).toList();
        assertEquals(3, kept.size());

        Files.delete(runDir(mlruns, failed.tags().get("distill4j.trial_id")).resolve("metrics").resolve("objective.train"));
        StudyRunner.Outcome resumed;
        try (var store = new MlflowFileStore(mlruns)) {
            resumed = new StudyRunner(results, store, StudyListener.NONE, 1).run(study, true);
        }
        assertEquals(7, resumed.results().size());
        assertTrue(resumed.results().stream().noneMatch(TrialResult::failed));
        assertEquals(kept.stream().map(Trial::id).collect(Collectors.toSet()), resumed.results().stream()
                .filter(TrialResult::fromLedger).map(TrialResult::trialId).collect(Collectors.toSet()));
        // the resumed study reused the teacher: its note must not claim it trained in this run
        assertEquals(1, resumed.summary().teacherNotes().size());
        assertTrue(resumed.summary().teacherNotes().get(0).contains(": reused from the cache (trained "),
                resumed.summary().teacherNotes().get(0));
        for (Trial t : kept) {
            assertEquals(ledger.finishedResult(t).orElseThrow().runId(),
                    resumed.results().stream().filter(r -> r.trialId().equals(t.id())).findFirst().orElseThrow()
                            .runId(), "a finished trial is taken from the ledger, not trained again");
        }
        assertTrue(new MlflowFileStoreReader(mlruns).experiments().stream()
                .flatMap(x -> new MlflowFileStoreReader(mlruns).runs(x.experimentId()).stream())
                .noneMatch(r -> r.status() == RunStatus.RUNNING));
    }

    /**
     * With two workers: the trial beside the failing one finishes and is kept, no trial starts after the failure,
     * and nothing is left RUNNING.
     */
    @Test
    void withTwoWorkersTheRunningNeighbourFinishesAndNothingNewStarts(@TempDir Path dir) throws Exception {
        Path devFull = Path.of("/dev/full");
        assumeTrue(Files.exists(devFull), "needs Linux's /dev/full");
        Path file = dir.resolve("full.yaml");
        Files.writeString(file, STUDY.replace("[0.2, 0.8]", "[0.2, 0.4, 0.6, 0.8]"));
        Study study = Study.load(file, List.of());
        assertEquals(1 + 2 + 8, study.trials().size());
        Path results = dir.resolve("results");
        Path mlruns = dir.resolve("mlruns");
        AtomicInteger studentsStarted = new AtomicInteger();
        StudyListener fillsUp = new StudyListener() {
            private volatile String victim;

            @Override
            public void trialStarted(Trial trial) {
                if (trial.role() != Trial.Role.TEACHER && studentsStarted.incrementAndGet() == 3) {
                    victim = trial.id();
                }
            }

            @Override
            public void epochFinished(Trial trial, EpochReport report) {
                if (trial.id().equals(victim) && report.epoch() == 0) {
                    try {
                        Path metric = runDir(mlruns, trial.id()).resolve("metrics").resolve("objective.train");
                        Files.delete(metric);
                        Files.createSymbolicLink(metric, devFull);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
        };
        try (var store = new MlflowFileStore(mlruns)) {
            assertThrows(EnvironmentException.class,
                    () -> new StudyRunner(results, store, fillsUp, 2).run(study, false));
        }
        assertTrue(studentsStarted.get() <= 4, "started after the failure: " + studentsStarted.get());
        TrialLedger ledger = new TrialLedger(results.resolve("full").resolve("trials"));
        long kept = study.trials().stream().filter(t -> ledger.finishedResult(t).isPresent()).count();
        assertEquals(1 + studentsStarted.get() - 1, kept, "every started trial but the failing one is kept");
        Map<String, MlflowFileStoreReader.Run> runs = runsByName(mlruns);
        assertEquals(1 + studentsStarted.get() + 1, runs.size(), runs.keySet().toString());
        assertTrue(runs.values().stream().noneMatch(r -> r.status() == RunStatus.RUNNING), runs.toString());
    }

    /**
     * The same on a real small file system that fills up (a tmpfs; needs the right to mount, else skipped): after the
     * second student the disk is filled to the last byte, so even ending the runs fails; the study still stops with
     * one clear error, and the resume after freeing space ends the runs left open and completes the study.
     */
    @Test
    void aReallyFullFileSystemStopsTheStudyAndTheResumeCleansUp(@TempDir Path dir) throws Exception {
        Path mount = Files.createDirectory(dir.resolve("disk"));
        Tmpfs tmpfs = Tmpfs.mount(mount, 64);
        assumeTrue(tmpfs != null, "mounting a tmpfs is not permitted here");
        try (tmpfs) {
            Study study = study(dir);
            Path results = mount.resolve("results");
            Path mlruns = mount.resolve("mlruns");
            AtomicInteger studentsFinished = new AtomicInteger();
            Path[] filler = new Path[1];
            StudyListener fillsUp = new StudyListener() {
                @Override
                public void trialFinished(TrialResult result, int epochBudget) {
                    if (result.trial().role() != Trial.Role.TEACHER && studentsFinished.incrementAndGet() == 2) {
                        try {
                            filler[0] = tmpfs.fill();
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }
            };
            EnvironmentException e;
            try (var store = new MlflowFileStore(mlruns)) {
                e = assertThrows(EnvironmentException.class,
                        () -> new StudyRunner(results, store, fillsUp, 1).run(study, false));
            }
            assertTrue(e.getMessage().contains("No space left on device")
                    && e.getMessage().contains("3 of 7 trial(s) finished"), e.getMessage());
            assertEquals(2, studentsFinished.get());

            Files.delete(filler[0]);
            StudyRunner.Outcome resumed;
            try (var store = new MlflowFileStore(mlruns)) {
                resumed = new StudyRunner(results, store, StudyListener.NONE, 1).run(study, true);
            }
            assertTrue(resumed.results().stream().noneMatch(TrialResult::failed));
            Map<String, MlflowFileStoreReader.Run> runs = runsByName(mlruns);
            assertTrue(runs.values().stream().noneMatch(r -> r.status() == RunStatus.RUNNING), runs.toString());
            Set<String> finishedTrials = runs.values().stream().filter(r -> r.status() == RunStatus.FINISHED)
                    .map(r -> r.tags().get("distill4j.trial_id")).collect(Collectors.toSet());
            assertEquals(study.trials().stream().map(Trial::id).collect(Collectors.toSet()),
                    finishedTrials.stream().filter(java.util.Objects::nonNull).collect(Collectors.toSet()));
        }
    }

    private static Study study(Path dir) throws java.io.IOException {
        Path file = dir.resolve("full.yaml");
        Files.writeString(file, STUDY);
        Study study = Study.load(file, List.of());
        assertEquals(1 + 2 + 4, study.trials().size());
        return study;
    }

    private static Path runDir(Path mlruns, String trialId) {
        MlflowFileStoreReader reader = new MlflowFileStoreReader(mlruns);
        for (var x : reader.experiments()) {
            for (var r : reader.runs(x.experimentId())) {
                if (trialId.equals(r.tags().get("distill4j.trial_id"))) {
                    return mlruns.resolve(x.experimentId()).resolve(r.runId());
                }
            }
        }
        throw new AssertionError("no run for trial " + trialId);
    }

    /** Every run of the store by name (names are unique in these studies, except across a resume's parents). */
    private static Map<String, MlflowFileStoreReader.Run> runsByName(Path mlruns) {
        MlflowFileStoreReader reader = new MlflowFileStoreReader(mlruns);
        return reader.experiments().stream().flatMap(x -> reader.runs(x.experimentId()).stream())
                .collect(Collectors.toMap(r -> r.tags().get("mlflow.runName"), r -> r, (a, b) -> a));
    }
}
