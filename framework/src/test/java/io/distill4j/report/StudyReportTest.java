package io.distill4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.experiment.Study;
import io.distill4j.experiment.StudyListener;
import io.distill4j.experiment.StudyRunner;
import io.distill4j.tracking.MlflowFileStore;
import io.distill4j.tracking.MlflowFileStoreReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny study run with the report hook, then its report regenerated from the saved results. */
class StudyReportTest {
    private static final String STUDY = """
            study: tiny-report
            seed: 3
            data:
              source: {type: synthetic, bars: 2500, seed: 11, interval: 5m}
              features: {lookback: 4}
              labels: {horizon: 3}
            teacher:
              type: mlp
              hidden: [16]
              training: {epochs: 2, batch_size: 128, patience: 0}
            student: {type: mlp, hidden: [4]}
            distillation:
              loss: {type: hinton, temperature: 3, alpha: 0.5}
            training: {epochs: 2, batch_size: 128}
            backtest: {sizing: margin, fee_bps: 1, slippage_bps: 0.5}
            grid:
              distillation.loss.alpha: [0.2, 0.8]
              distillation.loss.temperature: [2, 4]
            seeds: [1]
            """;

    @TempDir
    static Path dir;
    static StudyRunner.Outcome outcome;
    static String html;

    @BeforeAll
    static void runOnce() throws Exception {
        Path file = dir.resolve("tiny.yaml");
        Files.writeString(file, STUDY);
        Path results = dir.resolve("results");
        try (var store = new MlflowFileStore(results.resolve("mlruns"))) {
            outcome = new StudyRunner(results, store, StudyListener.NONE, 1)
                    .withReporter(StudyReport.reporter(results)).run(Study.load(file, List.of()));
        }
        html = Files.readString(outcome.folder().resolve("report.html"));
    }

    @Test
    void thePageIsSelfContainedAndEveryChartIsANonBlankPng() throws Exception {
        assertFalse(html.contains("http://") || html.contains("https://") || html.contains("<script")
                || html.contains("<link"), "no network resource, no script");
        Matcher m = Pattern.compile("<img id=\"([^\"]+)\"[^>]*src=\"data:image/png;base64,([^\"]+)\"").matcher(html);
        List<String> names = new ArrayList<>();
        while (m.find()) {
            names.add(m.group(1));
            byte[] png = Base64.getDecoder().decode(m.group(2));
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
            assertEquals(Charts.WIDTH, img.getWidth());
            assertEquals(Charts.HEIGHT, img.getHeight());
            assertTrue(distinctColours(img) > 8, m.group(1) + " is not blank");
            assertEquals(List.of(), diff(png, Files.readAllBytes(outcome.folder().resolve("report/" + m.group(1)
                    + ".png"))), "the saved PNG is the embedded one");
        }
        assertEquals(List.of("grid_accuracy", "grid_retention_accuracy", "grid_sharpe", "accuracy_vs_parameters",
                "equity", "reliability", "training", "cka_distilled", "cka_student_alone"), names);
        assertTrue(html.contains("Known optimum"), "the synthetic optimum is reported");
        assertTrue(html.contains("margin positions, fee 1.0 bps + slippage 0.5 bps"), "the study's backtest");
    }

    @Test
    void thePageAndChartsAreLoggedAsArtifactsOfTheParentRun() {
        var reader = new MlflowFileStoreReader(dir.resolve("results/mlruns"));
        var experiment = reader.experiments().stream().filter(e -> e.name().equals("tiny-report")).findFirst()
                .orElseThrow();
        var parent = reader.run(experiment.experimentId(), outcome.parentRunId());
        assertTrue(parent.artifacts().contains("report.html"), parent.artifacts().toString());
        assertTrue(parent.artifacts().contains("report/equity.png"), parent.artifacts().toString());
    }

    @Test
    void regeneratingFromSavedResultsGivesTheSamePage() throws Exception {
        Path page = outcome.folder().resolve("report.html");
        Files.delete(page);
        List<Path> written = StudyReport.regenerate(outcome.folder());
        assertEquals(page, written.get(0));
        // the same page, charts included, but for the header naming the file the study was read from
        String original = dir.resolve("tiny.yaml").toString();
        String saved = outcome.folder().resolve(StudyRunner.STUDY_FILE).toString();
        assertTrue(html.contains("(" + original + ")"));
        assertEquals(html.replace("(" + original + ")", "(" + saved + ")"), Files.readString(page));
    }

    /** A bench section in summary.md (as {@code distill4j bench} writes it) adds latency bars on regeneration. */
    @Test
    void aBenchSectionInTheSummaryAddsLatencyBars() throws Exception {
        Path summary = outcome.folder().resolve("summary.md");
        String before = Files.readString(summary);
        try {
            Files.writeString(summary, before + "\n" + BenchSectionTest.SECTION);
            StudyReport.regenerate(outcome.folder());
            String page = Files.readString(outcome.folder().resolve("report.html"));
            assertTrue(page.contains("<img id=\"latency\""), "latency bars drawn");
            BufferedImage img = ImageIO.read(outcome.folder().resolve("report/latency.png").toFile());
            assertEquals(Charts.WIDTH, img.getWidth());
            assertTrue(distinctColours(img) > 8, "latency bars are not blank");
            assertFalse(html.contains("<img id=\"latency\""), "no bench, no latency bars");
        } finally {
            Files.writeString(summary, before);
            Files.deleteIfExists(outcome.folder().resolve("report/latency.png"));
            StudyReport.regenerate(outcome.folder());
        }
    }

    /** The CKA heat map shows the matrix the run saved for the featured distilled trial. */
    @Test
    void theCkaHeatMapsComeFromTheSavedMatrices() throws Exception {
        try (var files = Files.list(outcome.folder().resolve("cka"))) {
            assertTrue(files.findAny().isPresent(), "the run saved CKA matrices");
        }
        assertTrue(Files.isRegularFile(outcome.folder().resolve("report/cka_distilled.png")));
        assertTrue(Files.isRegularFile(outcome.folder().resolve("report/cka_student_alone.png")));
    }

    @Test
    void aFolderWithoutAStudyIsAUserError() {
        var e = assertThrows(IllegalArgumentException.class, () -> StudyReport.regenerate(dir));
        assertTrue(e.getMessage().contains("study.yaml"), e.getMessage());
    }

    private static List<Integer> diff(byte[] a, byte[] b) {
        return java.util.Arrays.equals(a, b) ? List.of() : List.of(a.length, b.length);
    }

    private static int distinctColours(BufferedImage img) {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                seen.add(img.getRGB(x, y));
            }
        }
        return seen.size();
    }
}
