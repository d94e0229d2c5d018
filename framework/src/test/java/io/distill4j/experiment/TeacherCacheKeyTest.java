package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.PipelineVersion;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import io.distill4j.data.KlineCsvWriter;
import io.distill4j.api.KlineSeries;
import io.distill4j.data.synthetic.SyntheticConfig;
import io.distill4j.data.synthetic.SyntheticMarket;
import io.distill4j.tracking.MlflowFileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The teacher cache key covers the data's contents, not only its path. */
class TeacherCacheKeyTest {
    @Test
    void changedDataAtTheSamePathRetrainsTheTeacher(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("klines.csv");
        KlineSeries original = SyntheticMarket.generate(new SyntheticConfig(2500, 3, 300_000L)).series();
        KlineCsvWriter.write(original, csv);
        Path study = dir.resolve("csv.yaml");
        Files.writeString(study, """
                study: csv-cache
                data:
                  source: {type: csv, path: '%s'}
                  features: {lookback: 4}
                  labels: {horizon: 3}
                teacher: {type: mlp, hidden: [8], training: {epochs: 1, patience: 0}}
                student: {type: mlp, hidden: [3]}
                distillation: {loss: {type: hinton}}
                training: {epochs: 1}
                seeds: [1]
                """.formatted(csv));
        Path results = dir.resolve("results");

        assertEquals(1, fits(study, results, dir.resolve("m1")), "first run trains the teacher");
        assertEquals(0, fits(study, results, dir.resolve("m2")), "same data: the cached teacher is reused");

        KlineSeries changed = SyntheticMarket.generate(new SyntheticConfig(2500, 4, 300_000L)).series();
        assertNotEquals(original.close()[100], changed.close()[100]);
        KlineCsvWriter.write(changed, csv);
        assertEquals(1, fits(study, results, dir.resolve("m3")), "same path, new contents: trained again");
    }

    @Test
    void theSummarySaysWhenTheTeacherCameFromTheCacheWithDateAndKey(@TempDir Path dir) throws Exception {
        Path study = dir.resolve("tiny.yaml");
        Files.writeString(study, """
                study: reuse
                data:
                  source: {type: synthetic, bars: 2500, seed: 3}
                  features: {lookback: 4}
                  labels: {horizon: 3}
                teacher: {type: mlp, hidden: [8], training: {epochs: 1, patience: 0}}
                student: {type: mlp, hidden: [3]}
                distillation: {loss: {type: hinton}}
                training: {epochs: 1}
                seeds: [1]
                """);
        Path results = dir.resolve("results");
        Path summary = results.resolve("reuse").resolve("summary.md");
        long before = System.currentTimeMillis();
        assertEquals(1, fits(study, results, dir.resolve("m1")));
        assertFalse(Files.readString(summary).contains("reused from the cache"), Files.readString(summary));

        assertEquals(0, fits(study, results, dir.resolve("m2")));
        String key;
        try (var entries = Files.list(results.resolve("cache").resolve("teachers"))) {
            key = entries.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).findFirst()
                    .orElseThrow();
        }
        String trained = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC)
                .format(Instant.ofEpochMilli(before));
        String text = Files.readString(summary);
        String line = "Teacher mlp[8]: reused from the cache (trained ";
        assertTrue(text.contains(line), text);
        String rest = text.substring(text.indexOf(line) + line.length());
        assertTrue(rest.startsWith(trained.substring(0, 10)), "trained today: " + rest);
        assertTrue(rest.contains(" UTC, key " + key.substring(0, 12) + ")"), key + " / " + rest);
    }

    @Test
    void thePipelineVersionIsPartOfTrialIdsAndOfTheTeacherCacheKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("q.yaml");
        Files.writeString(file, Files.readString(Path.of("../configs/quickstart.yaml")));
        Study study = Study.load(file, List.of());
        for (Trial t : study.trials()) {
            assertEquals(t.id(), t.id(PipelineVersion.CURRENT));
            assertNotEquals(t.id(), t.id(PipelineVersion.CURRENT + 1),
                    t.runName() + ": the id changes with the version");
        }
        assertEquals(PipelineVersion.CURRENT,
                study.base().teacherIdentity("teacher", -1).path("pipeline_version").asInt(-1),
                "the teacher identity (and so the teacher cache key) holds the pipeline version");
    }

    private static int fits(Path study, Path results, Path mlruns) {
        try (var store = new MlflowFileStore(mlruns)) {
            var runner = new StudyRunner(results, store, StudyListener.NONE, 1);
            runner.run(Study.load(study, List.of()));
            return runner.teacherCache().fitCount();
        }
    }
}
