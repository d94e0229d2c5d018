package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.Distill4jException;
import io.distill4j.tracking.MlflowFileStore;
import io.distill4j.tracking.MlflowFileStoreReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A study run as 3 shards in 3 child JVMs at once, on one results folder and one MLflow file store, then merged,
 * gives the in-process run's trials, metrics and summary; the shards split the students without overlap.
 */
class ShardMergeTest {
    private static final String STUDY = """
            study: sharded
            data:
              source: {type: synthetic, bars: 3000, seed: 5}
              features: {lookback: 4}
              labels: {horizon: 3}
            teacher: {type: mlp, hidden: [16], training: {epochs: 2, patience: 0}}
            student: {type: mlp, hidden: [4]}
            distillation: {loss: {type: hinton, temperature: 2}}
            training: {epochs: 2, batch_size: 64}
            grid:
              distillation.loss.alpha: [0.3, 0.7]
            seeds: [1, 2]
            """;

    @Test
    void sharesCoverEveryStudentOnceAndTheTeacherGoesToShardOne(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("sharded.yaml");
        Files.writeString(file, STUDY);
        Study study = Study.load(file, List.of());
        assertEquals(1 + 2 + 4, study.trials().size());
        Set<String> students = new HashSet<>();
        for (int i = 1; i <= 3; i++) {
            for (Trial t : new Shard(i, 3).select(study.trials())) {
                if (t.role() == Trial.Role.TEACHER) {
                    continue;
                }
                assertTrue(students.add(t.id()), "trial " + t.id() + " in two shards");
            }
        }
        assertEquals(study.trials().stream().filter(t -> t.role() != Trial.Role.TEACHER).count(), students.size());
        assertEquals(1, new Shard(1, 3).select(study.trials()).stream()
                .filter(t -> t.role() == Trial.Role.TEACHER).count());
        // 6 students over 3 shards: 2 each, in plan order round robin
        assertEquals(List.of(2, 2, 2), List.of(1, 2, 3).stream().map(i -> (int) new Shard(i, 3)
                .select(study.trials()).stream().filter(t -> t.role() != Trial.Role.TEACHER).count()).toList());
        // more shards than students: the last ones have nothing to do
        assertEquals(List.of(), new Shard(9, 9).select(study.trials()));
    }

    @Test
    void badShardTextIsOneLine() {
        for (String bad : List.of("0/3", "4/3", "3", "a/b", "1/0", "")) {
            Distill4jException e = assertThrows(Distill4jException.class, () -> Shard.parse(bad));
            assertTrue(e.getMessage().startsWith("--shard must be i/n"), e.getMessage());
        }
        assertEquals(new Shard(2, 3), Shard.parse("2/3"));
    }

    @Test
    void threeShardsInChildJvmsMergeToTheInProcessSummary(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sharded.yaml");
        Files.writeString(file, STUDY);
        Study study = Study.load(file, List.of());
        Path results = dir.resolve("results");
        Path mlruns = dir.resolve("mlruns");
        Path folder = results.resolve("sharded");

        Distill4jException none = assertThrows(Distill4jException.class, () -> StudyMerge.merge(folder, null));
        assertTrue(none.getMessage().startsWith("no shards in"), none.getMessage());

        List<Process> children = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            children.add(ChildJvm.start(ShardMain.class, dir.resolve("shard-" + i + ".log"), file.toString(),
                    results.toString(), mlruns.toString(), i + "/3"));
        }
        for (int i = 0; i < children.size(); i++) {
            Process child = children.get(i);
            assertTrue(child.waitFor(600, TimeUnit.SECONDS), "shard " + (i + 1) + " did not end");
            assertEquals(0, child.exitValue(), "shard " + (i + 1) + ": "
                    + String.join("\n", Files.readAllLines(dir.resolve("shard-" + (i + 1) + ".log"))));
        }
        // no shard wrote a summary or into the study's own ledger: only the merge does
        assertTrue(!Files.exists(folder.resolve("summary.csv")) && !Files.exists(folder.resolve("trials")));
        StudyRunner.Outcome merged = StudyMerge.merge(folder, null);

        StudyRunner.Outcome reference;
        try (var store = new MlflowFileStore(dir.resolve("mlruns-reference"))) {
            reference = new StudyRunner(dir.resolve("results-reference"), store, StudyListener.NONE, 1).run(study);
        }
        SameResults.assertSame(reference, merged);
        // the merged ledger serves a resume: nothing is left to train
        assertEquals(study.trials().size(), new TrialLedger(folder.resolve("trials")).recordedResults(study.trials())
                .size());
        // one experiment in the shared store (three processes looked it up at once) with the three shards' runs
        var reader = new MlflowFileStoreReader(mlruns);
        List<MlflowFileStoreReader.Experiment> experiments = reader.experiments().stream()
                .filter(e -> e.name().equals("sharded")).toList();
        assertEquals(1, experiments.size(), "one experiment");
        assertEquals(Set.of("1/3", "2/3", "3/3"), new HashSet<>(reader.runs(experiments.get(0).experimentId())
                .stream().map(r -> r.tags().get("distill4j.shard")).filter(s -> s != null).toList()));
    }

    @Test
    void anUnfinishedOrMissingShardIsNamed(@TempDir Path dir) throws IOException {
        Path folder = dir.resolve("results").resolve("s");
        Files.createDirectories(folder.resolve("shards").resolve("shard-1-of-2").resolve("trials"));
        Files.writeString(folder.resolve("shards").resolve("shard-1-of-2").resolve("study.yaml"), STUDY);
        new TrialLedger(folder.resolve("shards").resolve("shard-1-of-2").resolve("trials"))
                .started(TrialLedger.STUDY, "1", "r");
        Distill4jException e = assertThrows(Distill4jException.class, () -> StudyMerge.merge(folder, null));
        assertTrue(e.getMessage().startsWith("shard 1/2 has not finished"), e.getMessage());
        new TrialLedger(folder.resolve("shards").resolve("shard-1-of-2").resolve("trials"))
                .studyFinished("1", "r");
        e = assertThrows(Distill4jException.class, () -> StudyMerge.merge(folder, null));
        assertTrue(e.getMessage().startsWith("shard 2/2 is missing"), e.getMessage());
    }
}
