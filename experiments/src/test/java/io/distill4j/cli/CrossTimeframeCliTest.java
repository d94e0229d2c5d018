package io.distill4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cross-timeframe study's dry run reads both sources, aligns them and says what it kept; a mismatch fails it. */
class CrossTimeframeCliTest {
    private static final String STUDY = """
            study: xtf-cli
            data:
              source: {type: synthetic, bars: 12000, seed: 5, interval: 1m, resample: 5m}
              features: {lookback: 8}
              labels: {horizon: 6}
            teacher_data:
              source: {type: synthetic, bars: 12000, seed: %d, interval: 1m}
              features: {lookback: 16}
              labels: {horizon: 30}
            teacher: {type: mlp, hidden: [8], training: {epochs: 1}}
            student: {type: mlp, hidden: [4]}
            distillation: {loss: {type: hinton}}
            training: {epochs: 1}
            seeds: [1]
            """;

    @Test
    void dryRunPrintsTheTeachersDataAndTheAlignedSampleCounts(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("xtf.yaml");
        Files.writeString(yaml, STUDY.formatted(5));
        String[] r = MalformedInputCliTest.run("run", yaml.toString(), "--dry-run");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].lines().anyMatch(l -> l.startsWith("data for the teachers synthetic(seed=5,bars=12000,"
                + "intervalMs=60000): 12000 bars of 1m") && l.contains("cross-timeframe: teacher on 1m bars")
                && l.contains("student on 5m bars; student samples with an aligned teacher output "
                        + "train/validation/test = ")), r[1]);
    }

    @Test
    void anotherMarketFailsTheDryRun(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("xtf.yaml");
        Files.writeString(yaml, STUDY.formatted(6));
        String[] r = MalformedInputCliTest.run("run", yaml.toString(), "--dry-run");
        assertEquals("2", r[0], r[1] + r[2]);
        assertTrue(r[2].contains("do not look like the same market"), r[2]);
    }
}
