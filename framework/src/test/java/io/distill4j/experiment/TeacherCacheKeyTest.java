package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

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

    private static int fits(Path study, Path results, Path mlruns) {
        try (var store = new MlflowFileStore(mlruns)) {
            var runner = new StudyRunner(results, store, StudyListener.NONE, 1);
            runner.run(Study.load(study, List.of()));
            return runner.teacherCache().fitCount();
        }
    }
}
