package io.distill4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.distill4j.data.KlineCsvCorpusTest;
import io.distill4j.data.KlineCsvWriter;
import io.distill4j.api.KlineSeries;
import io.distill4j.data.synthetic.SyntheticConfig;
import io.distill4j.data.synthetic.SyntheticMarket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data quality of a kline file (gaps, missing bars, zero-volume bars) on the console of a dry run and a run. */
class DataQualityCliTest {
    @TempDir
    Path dir;
    Path csv;
    Path yaml;

    /** 1200 synthetic 5m bars with two gaps (bars 400..402 and 800 removed) and one zero-volume bar. */
    @BeforeEach
    void gappedFile() throws IOException {
        KlineSeries s = SyntheticMarket.generate(new SyntheticConfig(1200, 5, 300_000)).series();
        KlineSeries gapped = concat(s.slice(0, 400), s.slice(403, 800), s.slice(801, 1200));
        gapped.volume()[10] = 0;
        csv = dir.resolve("gapped.csv");
        KlineCsvWriter.write(gapped, csv);
        yaml = dir.resolve("study.yaml");
        Files.writeString(yaml, KlineCsvCorpusTest.studyFor(csv));
    }

    private static KlineSeries concat(KlineSeries... parts) {
        int n = 0;
        for (KlineSeries p : parts) {
            n += p.size();
        }
        long[] t = new long[n];
        double[][] c = new double[6][n];
        int at = 0;
        for (KlineSeries p : parts) {
            System.arraycopy(p.timeMs(), 0, t, at, p.size());
            double[][] cols = {p.open(), p.high(), p.low(), p.close(), p.volume(), p.turnover()};
            for (int k = 0; k < 6; k++) {
                System.arraycopy(cols[k], 0, c[k], at, p.size());
            }
            at += p.size();
        }
        return new KlineSeries("test", t, c[0], c[1], c[2], c[3], c[4], c[5]);
    }

    private String expectedLine() {
        return "data " + csv.toAbsolutePath().normalize()
                + ": 1196 bars of 5m: 2 gaps (4 missing bars, largest 20m), 1 zero-volume bar";
    }

    @Test
    void dryRunReadsTheFileAndPrintsItsQuality() {
        String[] r = MalformedInputCliTest.run("run", yaml.toString(), "--dry-run");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].lines().anyMatch(expectedLine()::equals), r[1]);
    }

    /** The tests run in {@code experiments/}: a relative kline path starts at the study file's folder, not there. */
    @Test
    void aRelativeDataPathStartsAtTheStudyFilesFolder() throws IOException {
        Path configs = Files.createDirectories(dir.resolve("configs"));
        Path study = configs.resolve("relative.yaml");
        Files.writeString(study, Files.readString(yaml).replace("'" + csv.toAbsolutePath() + "'", "../gapped.csv"));
        String[] r = MalformedInputCliTest.run("run", study.toString(), "--dry-run");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].lines().anyMatch(expectedLine()::equals), r[1]);
    }

    /** The shipped real-data study finds {@code ../shared/data} from any working directory (skipped without it). */
    @Test
    void btcStudyDryRunsFromAnotherFolder() {
        Path config = Path.of("../configs/btc-5m.yaml");
        Path data = config.toAbsolutePath().getParent().resolve("../../shared/data/klines/bybit-linear/BTCUSDT-5m.csv");
        assumeTrue(Files.isRegularFile(data), "real data " + data.normalize() + " absent; skipping");
        String[] r = MalformedInputCliTest.run("run", config.toString(), "--dry-run");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("\ndata " + data.normalize() + ": "), r[1]);
    }

    @Test
    void runPrintsTheQualityBeforeTraining() {
        String[] r = MalformedInputCliTest.run("run", yaml.toString(), "--results", dir.resolve("results").toString());
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].lines().anyMatch(expectedLine()::equals), r[1]);
        assertTrue(r[1].indexOf(expectedLine()) < r[1].indexOf("summary: "), r[1]);
    }
}
