package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The summary from hand-made trial results of real study plans (no training): rows per baseline, the verdict's
 * tests and wording, chance baselines, class balance, the bootstrap interval and the CSV.
 */
class SummaryTest {
    private static final Path QUICKSTART = Path.of("../configs/quickstart.yaml");

    /** Test accuracy, macro-F1 and validation accuracy of one trial; {@code null} for a failed trial. */
    private record Numbers(double accuracy, double f1, double validation) {
    }

    private static Study study(String... overrides) {
        return Study.load(QUICKSTART, List.of(overrides));
    }

    private static List<TrialResult> results(Study study, Function<Trial, Numbers> numbers) {
        List<TrialResult> out = new ArrayList<>();
        for (Trial t : study.trials()) {
            Numbers n = t.role() == Trial.Role.TEACHER ? new Numbers(0.6, 0.5, 0.6) : numbers.apply(t);
            out.add(n == null
                    ? new TrialResult(t, t.id(), Map.of(), Map.of(), 0, 0, "run", "diverged", Map.of())
                    : new TrialResult(t, t.id(), Map.of("accuracy", n.accuracy(), "macro_f1", n.f1()),
                            Map.of("accuracy", n.validation()), t.role() == Trial.Role.TEACHER ? 1000 : 10, 0, "run",
                            null, Map.of()));
        }
        return out;
    }

    private static Summary.Row row(Summary s, String method) {
        return s.rows().stream().filter(r -> r.method().equals(method)).findFirst()
                .orElseThrow(() -> new AssertionError(method + " not in " + s.rows().stream().map(Summary.Row::method)
                        .toList()));
    }

    /** Seed-dependent offsets shared by a baseline and its distilled cells with the same seed. */
    private static double shared(int seed) {
        return 0.01 * (seed - 2);
    }

    @Test
    void eachDistilledCellIsComparedWithTheBaselineOfItsOwnStudent() {
        Study s = study("grid={student.hidden: [[16, 8], [32, 16]], distillation.loss.temperature: [2, 4]}",
                "seeds=[1, 2, 3]");
        double[] jitter = {0, 0.001, -0.002, 0.001};
        Summary summary = Summary.of(s, results(s, t -> {
            boolean small = t.config().student().describe().contains("[16,8]");
            double base = (small ? 0.50 : 0.60) + shared(t.seed());
            if (t.role() == Trial.Role.STUDENT_ALONE) {
                return new Numbers(base, base - 0.1, 0.5);
            }
            boolean best = small && t.cell().contains("temperature=2");
            double kd = base + (best ? 0.05 + jitter[t.seed()] : 0);
            return new Numbers(kd, kd - 0.1, best ? 0.7 : 0.6);
        }));
        Summary.Row small = row(summary, "student-alone hidden=[16,8]");
        Summary.Row large = row(summary, "student-alone hidden=[32,16]");
        assertEquals(0.50, small.metric("accuracy").mean(), 1e-12);
        assertEquals(0.60, large.metric("accuracy").mean(), 1e-12);
        assertEquals(3, small.runs());
        assertTrue(summary.rows().stream().noneMatch(r -> r.method().equals("student-alone")));
        Summary.Row cell = row(summary, "distilled hidden=[16,8],temperature=2");
        assertEquals("student-alone hidden=[16,8]", cell.comparison().baseline());
        assertEquals("student-alone hidden=[32,16]",
                row(summary, "distilled hidden=[32,16],temperature=4").comparison().baseline());
        String v = summary.verdict();
        assertTrue(v.contains("against its own baseline student-alone hidden=[16,8]"), v);
        // 0.55 against 0.50 (its own baseline), not against 0.55 (both baselines averaged)
        assertTrue(v.contains("Distillation beat the student-alone baseline on both accuracy and macro-F1"), v);
        assertTrue(v.contains("paired t-test over 3 seed(s)"), v);
    }

    @Test
    void twoSeedsAreTooFewToCallADifference() {
        // the README's old example: Welch t = 2.73 over 2 seeds, which |t| >= 2 used to count (p = 0.11 at df 2)
        Study s = study("seeds=[1, 2]");
        Summary summary = Summary.of(s, results(s, t -> {
            if (t.role() == Trial.Role.STUDENT_ALONE) {
                return new Numbers(t.seed() == 1 ? 0.5033 : 0.5047, 0.48, 0.5);
            }
            boolean best = t.cell().equals("temperature=2,alpha=0.1");
            return new Numbers(t.seed() == 1 ? 0.5059 : 0.5071, 0.49, best ? 0.7 : 0.6);
        }));
        String v = summary.verdict();
        assertTrue(v.contains("too few seeds (2) to call a difference"), v);
        assertFalse(v.contains("beat") || v.contains("Mixed") || v.contains("worse"), v);
        assertNull(row(summary, "distilled temperature=2,alpha=0.1").comparison().accuracy());
    }

    @Test
    void aLargeTWithFewDegreesOfFreedomIsNoDifference() {
        // alone {0.50, 0.51, 0.52}, distilled {0.55, 0.53, 0.54}: differences {0.05, 0.02, 0.02}, paired t = 3.00
        // with 2 df, p = 1 - 3 / sqrt(11) = 0.095 (closed form of the t CDF at 2 df); Welch's t would be 3.67 (which
        // |t| >= 2 used to count)
        Study s = study("seeds=[1, 2, 3]");
        double[] alone = {0, 0.50, 0.51, 0.52};
        double[] kd = {0, 0.55, 0.53, 0.54};
        Summary summary = Summary.of(s, results(s, t -> {
            boolean best = t.cell().equals("temperature=4,alpha=0.5");
            double a = t.role() == Trial.Role.STUDENT_ALONE ? alone[t.seed()] : kd[t.seed()];
            return new Numbers(a, a - 0.1, best ? 0.7 : 0.6);
        }));
        String v = summary.verdict();
        assertTrue(v.contains("No clear difference"), v);
        assertTrue(v.contains("accuracy t = 3.00, df = 2.0, p = 0.095"), v);
        assertTrue(v.contains("a difference counts at p < 0.05"), v);
        var acc = row(summary, "distilled temperature=4,alpha=0.5").comparison().accuracy();
        assertEquals(1 - 3 / Math.sqrt(11), acc.p(), 1e-9);
    }

    @Test
    void welchWhenTheSeedsDoNotPair() {
        // seed 4 of the best cell failed: 3 distilled seeds against 4 baseline seeds cannot be paired
        Study s = study("seeds=[1, 2, 3, 4]");
        Summary summary = Summary.of(s, results(s, t -> {
            boolean best = t.cell().equals("temperature=2,alpha=0.1");
            if (t.role() == Trial.Role.STUDENT_ALONE) {
                return new Numbers(0.50 + 0.001 * t.seed(), 0.40 + 0.001 * t.seed(), 0.5);
            }
            if (best && t.seed() == 4) {
                return null;
            }
            return new Numbers(0.40 + 0.002 * t.seed(), 0.30 + 0.002 * t.seed(), best ? 0.7 : 0.6);
        }));
        var c = row(summary, "distilled temperature=2,alpha=0.1").comparison();
        assertEquals("Welch", c.accuracy().kind());
        assertEquals(3, c.seeds());
        // s_a = 0.002, s_b = 0.001291 (n 3 and 4): df = (v_a + v_b)^2 / (v_a^2 / 2 + v_b^2 / 3), by hand 3.2347
        double va = 0.002 * 0.002 / 3;
        double vb = (0.0015 * 0.0015 * 2 + 0.0005 * 0.0005 * 2) / 3 / 4;
        assertEquals((va + vb) * (va + vb) / (va * va / 2 + vb * vb / 3), c.accuracy().df(), 1e-9);
        assertTrue(summary.verdict().contains("did worse"), summary.verdict());
        assertTrue(summary.verdict().contains("Welch t-test"), summary.verdict());
    }

    @Test
    void cellIsChosenByValidationNotTest() {
        Study s = study("seeds=[1, 2, 3]");
        Summary summary = Summary.of(s, results(s, t -> {
            if (t.role() == Trial.Role.STUDENT_ALONE) {
                return new Numbers(0.50 + shared(t.seed()), 0.40 + shared(t.seed()), 0.5);
            }
            boolean bestOnTest = t.cell().equals("temperature=2,alpha=0.1");
            boolean bestOnValidation = t.cell().equals("temperature=4,alpha=0.1");
            double a = bestOnTest ? 0.7 : bestOnValidation ? 0.3 : 0.5;
            return new Numbers(a + shared(t.seed()) + 0.001 * t.seed() * t.seed(), a - 0.1 + shared(t.seed())
                    + 0.001 * t.seed(), bestOnValidation ? 0.7 : 0.4);
        }));
        assertTrue(summary.verdict().contains("Best distilled cell by validation accuracy: distilled "
                + "temperature=4,alpha=0.1"), summary.verdict());
        assertTrue(summary.verdict().contains("did worse"), summary.verdict());
    }

    @Test
    void chanceRowsClassBalanceAndTheBootstrapInterval() {
        Study s = study("seeds=[1, 2, 3]");
        // 12 test samples; labels and persistence by hand
        int[] labels = {1, 1, 2, 0, 1, 2, 2, 1, 0, 1, 1, 2};
        int[] persistence = {1, 2, 2, 0, 0, 2, 1, 1, 0, 0, 1, 1};
        var facts = new DataFacts(6, labels, 1, persistence, Map.of("train", new double[] {0.3, 0.4, 0.3},
                "validation", new double[] {0.25, 0.5, 0.25}, "test", new double[] {1 / 6.0, 0.5, 1 / 3.0}));
        String right = TrialResult.predictionText(labels);
        String allHold = "111111111111";
        List<TrialResult> results = new ArrayList<>();
        for (Trial t : s.trials()) {
            boolean alone = t.role() == Trial.Role.STUDENT_ALONE;
            boolean best = t.cell().equals("temperature=2,alpha=0.1");
            // alone: all hold (6/12 right); the best cell: right on every sample; other cells: all hold
            String p = best && !alone ? right : allHold;
            double acc = best && !alone ? 1.0 : 0.5;
            results.add(new TrialResult(t, t.id(), Map.of("accuracy", acc + 0.001 * t.seed(), "macro_f1", acc),
                    Map.of("accuracy", best ? 0.7 : 0.5), 10, 0, "run", null, Map.of(),
                    t.role() == Trial.Role.TEACHER ? "" : p));
        }
        Summary summary = Summary.of(s, results, Map.of(DataFacts.key(s.base()), facts));
        // majority class of train is hold (1): 6 of 12 test labels; persistence right on samples 0,2,3,5,7,8,10
        Summary.Row majority = row(summary, "majority class (hold)");
        assertEquals(0.5, majority.metric("accuracy").mean(), 1e-12);
        assertEquals("0.5000 ± n/a", majority.metric("accuracy").format(4));
        // F1 hold = 2*6/(2*6+6+0) = 2/3, sell and buy 0 -> 2/9
        assertEquals(2.0 / 9, majority.metric("macro_f1").mean(), 1e-12);
        assertEquals(7.0 / 12, row(summary, "persistence").metric("accuracy").mean(), 1e-12);
        assertEquals("chance", majority.role());
        String md = summary.toMarkdown();
        assertTrue(md.contains("Class balance: train sell 0.300, hold 0.400, buy 0.300; validation sell 0.250, "
                + "hold 0.500, buy 0.250; test sell 0.167, hold 0.500, buy 0.333."), md);
        assertTrue(md.contains("Seeds vary the student's initialisation and minibatch order only"), md);
        // the interval: distilled minus alone correctness is 1 on the 6 non-hold samples, 0 elsewhere: +0.5
        var ci = row(summary, "distilled temperature=2,alpha=0.1").comparison().accuracyInterval();
        assertNotNull(ci);
        assertEquals(0.5, ci.estimate(), 1e-12);
        assertEquals(6, ci.blockLength()); // max(horizon 6, ceil(12^(1/3)) = 3)
        assertTrue(ci.lower() <= 0.5 && ci.upper() >= 0.5 && ci.upper() > ci.lower() && ci.lower() >= 0
                && ci.upper() <= 1, ci.toString());
        assertTrue(summary.verdict().contains("Test accuracy difference (distilled minus alone, mean over seeds): "
                + ci.format(4) + ", 95% moving-block bootstrap interval"), summary.verdict());
        List<String> csv = summary.toCsv().lines().toList();
        List<String> header = List.of(csv.get(0).split(","));
        String line = csv.stream().filter(l -> l.startsWith("distilled temperature=2,alpha=0.1") || l.startsWith(
                "\"distilled temperature=2,alpha=0.1\"")).findFirst().orElseThrow();
        List<String> cells = List.of(line.replace("\"distilled temperature=2,alpha=0.1\"", "X").split(",", -1));
        assertEquals(header.size(), cells.size(), line);
        assertEquals(String.format(java.util.Locale.ROOT, "%.6f", ci.lower()),
                cells.get(header.indexOf("accuracy_diff_ci_low")));
        assertEquals("paired", cells.get(header.indexOf("test")));
        assertEquals("student-alone", cells.get(header.indexOf("baseline")));
        // a single run has no spread: its std column is empty, not 0
        String chance = csv.stream().filter(l -> l.startsWith("persistence")).findFirst().orElseThrow();
        assertEquals("", List.of(chance.split(",", -1)).get(header.indexOf("accuracy_std")));
    }

    @Test
    void theSeedsSentenceFollowsWhatTheSeedsVary() {
        assertTrue(Summary.seedsVaryNote("student").contains("the teacher is the same for every seed"));
        assertTrue(Summary.seedsVaryNote("teacher_and_student").contains("includes teacher noise"));
        assertThrows(IllegalArgumentException.class, () -> Summary.seedsVaryNote("teacher"));
        assertEquals("student", Summary.seedsVary(study()));
    }

    /** A regression study: its table, retention of R² and IC, CSV columns and IC verdict; none in a classification one. */
    @Test
    void regressionStudiesGetTheirTableColumnsAndIcVerdict() {
        Study s = Study.load(Path.of("../configs/regression-kd.yaml"), List.of());
        double[] jitter = {0, 0.001, -0.002, 0.001};
        List<TrialResult> results = new ArrayList<>();
        for (Trial t : s.trials()) {
            double ic = switch (t.role()) {
                case TEACHER -> 0.30;
                case STUDENT_ALONE -> 0.20 + shared(t.seed());
                case DISTILLED -> 0.25 + shared(t.seed()) + jitter[t.seed()];
                case CHAIN_STAGE, MUTUAL -> throw new AssertionError("no chain or cohort in this study");
            };
            double r2 = ic / 10;
            Map<String, Double> test = Map.of("r2", r2, "ic", ic, "ic_daily_mean", ic, "ic_daily_t", 2.0,
                    "directional_accuracy", 0.55, "mse", 0.9, "agreement", 0.8);
            results.add(new TrialResult(t, t.id(), test, Map.of("ic", ic), 10, 0, "run", null, Map.of()));
        }
        Summary summary = Summary.of(s, results);
        Summary.Row kd = row(summary, "distilled");
        // retention = student / teacher: 0.25 / 0.30 on average over seeds (jitter and offsets sum to 0)
        assertEquals(0.25 / 0.30, kd.metric("retention_ic").mean(), 1e-12);
        assertEquals(0.025 / 0.030, kd.metric("retention_r2").mean(), 1e-12);
        assertEquals(3, kd.metric("ic").n());
        assertEquals(3, kd.metric("agreement").n(), "agreement counted once per seed");
        assertTrue(summary.verdict().contains("Distillation raised the IC over the student alone (paired t-test"),
                summary.verdict());
        assertEquals(3, summary.regressionCells().size(), "teacher, student alone, distilled");
        String icCell = summary.regressionCells().stream().filter(c -> c.get(0).equals("distilled")).findFirst()
                .orElseThrow().get(2);
        assertTrue(icCell.startsWith("0.2500 ± "), icCell);
        assertTrue(summary.toMarkdown().contains("| retention R² | retention IC|"));
        assertTrue(summary.toCsv().lines().findFirst().orElseThrow().endsWith("retention_ic_mean,retention_ic_std"));
        Study q = study();
        Summary classification = Summary.of(q, results(q, t -> new Numbers(0.5, 0.4, 0.5)));
        assertTrue(classification.regressionCells().isEmpty());
        assertFalse(classification.toCsv().contains("r2_mean"));
        assertFalse(classification.toMarkdown().contains("Regression metrics"));
    }

    /**
     * CPU vs KD: per seed, a row's training-thread CPU seconds over the same seed's plain Hinton-KD row (KD + logit
     * standardisation, listed first here, is not the reference); mean ± std over the seeds, by hand.
     */
    @Test
    void trainCpuSecondsAgainstThePlainKdRowPerSeed() {
        Study s = Study.load(Path.of("../configs/feature-distillation.yaml"), List.of("grid.distillation=["
                + "{loss: {type: hinton, temperature: 4, alpha: 0.5, standardize: true}},"
                + "{loss: {type: hinton, temperature: 4, alpha: 0.5}},"
                + "{loss: {type: hinton, temperature: 4, alpha: 0.5}, heads: {hint: {type: hint, student_layer: hidden_0,"
                + " teacher_layer: hidden_1, weight: 0.5}}}]"));
        double[] kd = {1.0, 2.0, 4.0}; // seeds 1, 2, 3
        double[] hint = {1.5, 4.0, 6.0}; // ratios 1.5, 2, 1.5
        double[] ls = {3.0, 2.0, 4.0}; // ratios 3, 1, 1
        double[] alone = {0.5, 1.0, 2.0}; // ratios 0.5 each
        List<TrialResult> results = new ArrayList<>();
        for (Trial t : s.trials()) {
            String cell = t.method();
            double[] cpu = t.role() == Trial.Role.STUDENT_ALONE ? alone : cell.contains("\"hint\"") ? hint
                    : cell.contains("standardize") ? ls : kd;
            Map<String, Double> facts = t.role() == Trial.Role.TEACHER ? Map.of(Summary.TRAIN_SECONDS, 9.0)
                    : Map.of(Summary.TRAIN_SECONDS, 9.0, Summary.TRAIN_CPU_SECONDS, cpu[t.seed() - 1]);
            results.add(new TrialResult(t, t.id(), Map.of("accuracy", 0.5, "macro_f1", 0.5),
                    Map.of("accuracy", 0.5), 10, 0, "run", null, facts));
        }
        Summary summary = Summary.of(s, results);
        Function<String, Summary.Row> distilled = part -> summary.rows().stream()
                .filter(r -> r.role().equals("distilled") && r.method().contains(part)
                        && (part.contains("heads") || !r.method().contains("heads"))
                        && (part.contains("standardize") || !r.method().contains("standardize")))
                .findFirst().orElseThrow();
        Summary.Row hintRow = distilled.apply("heads");
        assertEquals((1.5 + 2 + 1.5) / 3, hintRow.metric(Summary.CPU_VS_KD).mean(), 1e-12);
        assertEquals(Math.sqrt(1.0 / 12), hintRow.metric(Summary.CPU_VS_KD).std(), 1e-12);
        assertEquals((1.5 + 4 + 6) / 3, hintRow.metric(Summary.TRAIN_CPU_SECONDS).mean(), 1e-12);
        assertEquals(5.0 / 3, distilled.apply("standardize").metric(Summary.CPU_VS_KD).mean(), 1e-12);
        Summary.Row kdRow = distilled.apply("hinton");
        assertEquals(1.0, kdRow.metric(Summary.CPU_VS_KD).mean(), 0.0);
        assertEquals(0.5, row(summary, "student-alone").metric(Summary.CPU_VS_KD).mean(), 1e-12);
        assertEquals(0, row(summary, "teacher mlp[128,64]").metric(Summary.CPU_VS_KD).n());
        assertEquals("1.67x ± 0.29", Summary.ratio(hintRow.metric(Summary.CPU_VS_KD)));
        String md = summary.toMarkdown();
        assertTrue(md.contains("| 3.83 ± 2.25 | 1.67x ± 0.29|"), md);
        List<String> header = List.of(summary.toCsv().lines().findFirst().orElseThrow().split(","));
        assertTrue(header.containsAll(List.of("train_cpu_seconds_mean", "train_cpu_vs_kd_mean", "train_cpu_vs_kd_std")),
                header.toString());
    }
}
