package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.data.features.PreparedData;
import io.distill4j.regime.MarketRegime;
import io.distill4j.regime.RegimeLabeller;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A study with {@code data.regimes}: per-regime test metrics for every model, in the summary's Markdown and CSV. */
class RegimeStudyTest {
    /** The executor test's tiny study, with market regimes. */
    static final String STUDY = TrialExecutorTest.STUDY.replace("study: executor", "study: regimes")
            .replace("labels: {horizon: 3}\n", "labels: {horizon: 3}\n  regimes: {window: 12, vol_quantile: 0.7, "
                    + "trend_quantile: 0.6}\n");

    @TempDir
    Path dir;

    static List<TrialResult> runAll(Study study, Path cache) {
        TrialExecutor executor = new TrialExecutor(TrialContext.at(cache, EvaluationScope.VALIDATION_AND_TEST, "cpu"));
        List<TrialResult> results = new ArrayList<>();
        for (Trial t : study.trials()) {
            TrialResult r = executor.execute(t, TrialListener.NONE);
            assertFalse(r.failed(), r.failure());
            results.add(r);
        }
        return results;
    }

    private Path writeStudy(String text) throws java.io.IOException {
        Path file = Files.createTempFile(dir, "study", ".yaml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void everyModelGetsPerRegimeMetricsThatAddUpToItsOwn() throws Exception {
        Path file = dir.resolve("regimes.yaml");
        Files.writeString(file, STUDY);
        Study study = Study.load(file, List.of());
        List<TrialResult> results = runAll(study, dir.resolve("cache"));
        PreparedData prepared = new TrialContext(null, EvaluationScope.VALIDATION_AND_TEST, "cpu")
                .data(study.trials().get(0).config());
        RegimeLabeller labeller = RegimeLabeller.fit(prepared.series(), prepared.train().barIndices(),
                study.base().regimes().orElseThrow());
        int[] regimes = labeller.label(prepared.series(), prepared.test().barIndices());
        int[] labels = prepared.test().labels();
        assertEquals(3, results.size()); // teacher, student alone, distilled
        for (TrialResult r : results) {
            double shares = 0;
            double weighted = 0;
            for (MarketRegime g : MarketRegime.values()) {
                double share = r.test("regime." + g.key() + ".share");
                // recount from the trial's own test predictions, the labels and the regimes
                int n = 0;
                int right = 0;
                for (int k = 0; k < labels.length; k++) {
                    if (regimes[k] == g.ordinal()) {
                        n++;
                        right += r.testPredictions().charAt(k) - '0' == labels[k] ? 1 : 0;
                    }
                }
                assertTrue(n > 0, g + " has test samples");
                assertEquals((double) n / labels.length, share, 1e-12, r.trial().description() + " " + g);
                assertEquals((double) right / n, r.test("regime." + g.key() + ".accuracy"), 1e-12);
                assertTrue(r.test("regime." + g.key() + ".macro_f1") >= 0);
                shares += share;
                weighted += share * r.test("regime." + g.key() + ".accuracy");
            }
            assertEquals(1, shares, 1e-12);
            assertEquals(r.test("accuracy"), weighted, 1e-12);
        }
        assertTrue(results.get(0).facts().get("regime_vol_threshold") > 0);
        Summary summary = Summary.of(study, results);
        String md = summary.toMarkdown();
        assertTrue(md.contains("Per market regime on the test split"), md);
        assertTrue(md.contains("| high_vol share | high_vol accuracy | high_vol macro_f1 | trend share"), md);
        String csv = summary.toCsv();
        String header = csv.lines().findFirst().orElseThrow();
        assertTrue(header.endsWith(",regime.mean_reversion.macro_f1_mean,regime.mean_reversion.macro_f1_std"),
                header);
        // every line has as many cells as the header (the chance rows have empty regime cells)
        int columns = header.split(",", -1).length;
        csv.lines().skip(1).forEach(l -> assertEquals(columns, l.split(",", -1).length, l));
        // a study without regimes: no per-regime columns
        Study plain = Study.load(writeStudy(TrialExecutorTest.STUDY), List.of());
        String plainHeader = Summary.of(plain, List.of()).toCsv().lines().findFirst().orElseThrow();
        assertTrue(plainHeader.endsWith(",train_cpu_vs_kd_mean,train_cpu_vs_kd_std"), plainHeader);
    }

    @Test
    void aRegressionStudyGetsTheRegressionMetricsPerRegime() throws Exception {
        Path file = dir.resolve("regimes-regression.yaml");
        Files.writeString(file, STUDY.replace("labels: {horizon: 3}",
                "labels: {horizon: 3, task: regression, scale: volatility}").replace(
                "loss: {type: hinton, temperature: 3, alpha: 0.5}", "loss: {type: regression_kd, alpha: 0.5}"));
        Study study = Study.load(file, List.of());
        List<TrialResult> results = runAll(study, dir.resolve("cache"));
        for (TrialResult r : results) {
            for (MarketRegime g : MarketRegime.values()) {
                for (String m : List.of("share", "r2", "ic", "directional_accuracy", "mse")) {
                    assertTrue(Double.isFinite(r.test("regime." + g.key() + "." + m)), r.trial() + " " + g + m);
                }
            }
            assertTrue(Double.isNaN(r.test("regime.trend.accuracy")));
        }
        String md = Summary.of(study, results).toMarkdown();
        assertTrue(md.contains("| high_vol share | high_vol r2 | high_vol ic | high_vol directional_accuracy"), md);
    }

    /**
     * {@code distillation.regimes} reaches the student's loss: with alpha 1 in every regime the distilled student
     * trains on the labels alone, as the student alone does (same initial weights and minibatches).
     */
    @Test
    void perRegimeAlphaAndTemperatureReachTheStudentsLoss() throws Exception {
        String allLabels = STUDY.replace("loss: {type: hinton, temperature: 3, alpha: 0.5}",
                "loss: {type: hinton, temperature: 3, alpha: 0.5}\n  regimes: {high_vol: {alpha: 1}, trend: {alpha: 1},"
                        + " mean_reversion: {alpha: 1, temperature: 7}}");
        Path file = dir.resolve("regimes-kd.yaml");
        Files.writeString(file, allLabels);
        Study study = Study.load(file, List.of());
        StudyConfig c = study.trials().stream().filter(t -> t.role() == Trial.Role.DISTILLED).findFirst()
                .orElseThrow().config();
        var loss = (io.distill4j.loss.RegimeHintonKd) TrialRegimes.conditional(c, c.newLosses()).get(0);
        assertEquals(1, loss.function().alpha(MarketRegime.TREND.ordinal()), 0.0);
        assertEquals(3, loss.function().temperature(MarketRegime.TREND.ordinal()), 0.0);
        assertEquals(7, loss.function().temperature(MarketRegime.MEAN_REVERSION.ordinal()), 0.0);
        List<TrialResult> results = runAll(study, dir.resolve("cache"));
        TrialResult alone = results.stream().filter(r -> r.trial().role() == Trial.Role.STUDENT_ALONE).findFirst()
                .orElseThrow();
        TrialResult labelsOnly = results.stream().filter(r -> r.trial().role() == Trial.Role.DISTILLED).findFirst()
                .orElseThrow();
        assertEquals(alone.test("log_loss"), labelsOnly.test("log_loss"), 1e-4);
        assertEquals(alone.testPredictions(), labelsOnly.testPredictions());
        // the plain hinton loss (alpha 0.5 everywhere) trains another student
        Path plainFile = dir.resolve("plain-kd.yaml");
        Files.writeString(plainFile, STUDY);
        List<TrialResult> plain = runAll(Study.load(plainFile, List.of()), dir.resolve("cache"));
        TrialResult kd = plain.stream().filter(r -> r.trial().role() == Trial.Role.DISTILLED).findFirst()
                .orElseThrow();
        assertTrue(Math.abs(kd.test("log_loss") - labelsOnly.test("log_loss")) > 1e-3,
                kd.test("log_loss") + " vs " + labelsOnly.test("log_loss"));
    }
}
