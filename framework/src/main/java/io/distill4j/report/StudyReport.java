package io.distill4j.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.distill4j.eval.Backtest;
import io.distill4j.eval.TradingMetrics;
import io.distill4j.experiment.DataFacts;
import io.distill4j.experiment.Study;
import io.distill4j.experiment.Summary;
import io.distill4j.experiment.Trial;
import io.distill4j.experiment.TrialResult;
import io.distill4j.tracking.MlflowFileStoreReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A study's report: {@code <study folder>/report.html}, one self-contained page (every chart a PNG embedded as a
 * {@code data:} URI, no script, no network), with the same charts also saved as {@code report/<name>.png}.
 *
 * <p>Sections, each drawn only when its data exists: the summary tables and verdict; grid heat maps of test accuracy,
 * accuracy retention and Sharpe over two numeric grid axes (a line per metric for one axis); accuracy against
 * parameters; equity curves on the test split (teacher, best distilled cell by validation accuracy, its student-alone
 * baseline and buy-and-hold, first seed, argmax positions); reliability curves (same models); training curves (train
 * and validation loss per epoch, read from the MLflow file store {@code <results>/mlruns} when the study tracked
 * there); CKA heat maps of the same distilled cell and student alone against the teacher (from {@code cka/*.csv});
 * latency bars (p50, p99) when {@code distill4j bench} wrote its section into {@code summary.md} (see
 * {@link BenchSection}). Everything comes from saved results (the trial ledger, the CKA matrices, the summary), the
 * data facts (re-prepared data, no training) and the file store.
 */
public final class StudyReport {
    private final Study study;
    private final List<TrialResult> results;
    private final Map<String, DataFacts> data;
    private final Summary summary;
    private final Optional<MlflowFileStoreReader.Experiment> experiment;
    private final MlflowFileStoreReader store;
    /** The charts' PNG files by name, in page order, each drawn on {@link #drawing} (see {@link #draw}). */
    private final Map<String, java.util.concurrent.Future<byte[]>> charts = new LinkedHashMap<>();
    private java.util.concurrent.ExecutorService drawing;
    private final List<String> notes = new ArrayList<>();

    /**
     * @param mlruns the MLflow file store the study tracked to, when it did
     * @param experimentId the study's experiment in it
     */
    public StudyReport(Study study, List<TrialResult> results, Map<String, DataFacts> data, Path mlruns,
            String experimentId) {
        this.study = study;
        this.results = List.copyOf(results);
        this.data = Map.copyOf(data);
        this.summary = Summary.of(study, results, data);
        this.store = mlruns != null && Files.isDirectory(mlruns) ? new MlflowFileStoreReader(mlruns) : null;
        this.experiment = store == null || experimentId == null ? Optional.empty()
                : store.experiments().stream().filter(e -> e.experimentId().equals(experimentId)).findFirst();
    }

    /**
     * Draws the charts and writes {@code report.html} and {@code report/*.png} into {@code folder}.
     *
     * @return the files written, the page first
     */
    public List<Path> write(Path folder) {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        drawing = java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "distill4j-report");
            t.setDaemon(true);
            return t;
        });
        try {
            gridCharts();
            accuracyVsParameters();
            equityAndReliability();
            trainingCurves();
            ckaHeatMaps(folder);
            latencyBars(folder);
            return writeFiles(folder);
        } finally {
            drawing.shutdownNow();
        }
    }

    /**
     * Queues a chart: its PNG is rendered on one of the report's threads (one per core; JFreeChart draws separate
     * charts independently), while the data of the next charts is gathered.
     */
    private void draw(String name, java.util.function.Supplier<byte[]> png) {
        charts.put(name, drawing.submit(png::get));
    }

    /** A queued chart's PNG (rendering failures are rethrown as they were). */
    private byte[] png(String name) {
        try {
            return charts.get(name).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while drawing the chart " + name, e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    private List<Path> writeFiles(Path folder) {
        try {
            Path pngs = folder.resolve("report");
            Files.createDirectories(pngs);
            List<Path> written = new ArrayList<>();
            Path page = folder.resolve("report.html");
            Files.writeString(page, html(), StandardCharsets.UTF_8);
            written.add(page);
            for (String name : charts.keySet()) {
                Path png = pngs.resolve(name + ".png");
                Files.write(png, png(name));
                written.add(png);
            }
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report into " + folder + ": " + e.getMessage(), e);
        }
    }

    /** The chart names drawn so far, in page order. */
    public List<String> chartNames() {
        return List.copyOf(charts.keySet());
    }

    /** The hook that writes this report after every study run under {@code resultsDir}. */
    public static io.distill4j.experiment.StudyReporter reporter(Path resultsDir) {
        return (study, results, data, folder, experimentId) -> new StudyReport(study, results, data,
                resultsDir.resolve("mlruns"), experimentId).write(folder);
    }

    /**
     * Regenerates the report of a study folder ({@code <results>/<study>}) from what its run saved, without
     * training: the study as run ({@value io.distill4j.experiment.StudyRunner#STUDY_FILE}), the trial ledger
     * ({@code trials/}), the data facts (the data prepared again from the study's data section) and the MLflow file
     * store {@code <results>/mlruns} next to it.
     *
     * @return the files written, the page first
     * @throws IllegalArgumentException when the folder holds no study or no recorded trial
     */
    public static List<Path> regenerate(Path studyFolder) {
        Path file = studyFolder.resolve(io.distill4j.experiment.StudyRunner.STUDY_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(studyFolder + " holds no " + io.distill4j.experiment.StudyRunner.STUDY_FILE
                    + ": expected the results folder of a study run by this version of distill4j (results/<study>)");
        }
        Study study = Study.load(file, List.of());
        var ledger = new io.distill4j.experiment.TrialLedger(studyFolder.resolve("trials"));
        List<TrialResult> results = ledger.recordedResults(study.trials());
        if (results.isEmpty()) {
            throw new IllegalArgumentException(studyFolder.resolve("trials") + " records no finished trial of study '"
                    + study.name() + "'");
        }
        Map<String, DataFacts> data = new LinkedHashMap<>();
        for (var cell : study.cells()) {
            var config = io.distill4j.experiment.StudyConfig.parse(study.file(), cell.resolved());
            data.computeIfAbsent(DataFacts.key(config), k -> DataFacts.of(
                    io.distill4j.data.features.DatasetPreparer.prepare(config.data())));
        }
        Path mlruns = studyFolder.toAbsolutePath().normalize().getParent().resolve("mlruns");
        return new StudyReport(study, results, data, mlruns, ledger.studyExperimentId().orElse(null))
                .write(studyFolder);
    }

    // ---- charts ---------------------------------------------------------------------------------

    private List<TrialResult> ok(Trial.Role role) {
        return results.stream().filter(r -> !r.failed() && r.trial().role() == role).toList();
    }

    /** Mean of a metric (from the summary row) per distilled cell, laid out over the grid's first two axes. */
    private void gridCharts() {
        List<String> axes = new ArrayList<>(study.cells().get(0).assignments().keySet());
        if (axes.isEmpty()) {
            return;
        }
        Map<String, Summary.Row> rows = new LinkedHashMap<>();
        summary.rows().forEach(r -> rows.put(r.method(), r));
        List<String> xs = values(axes.get(0));
        List<String> ys = axes.size() > 1 ? values(axes.get(1)) : List.of("");
        for (String metric : List.of("accuracy", "retention_accuracy", "sharpe")) {
            double[][] z = new double[ys.size()][xs.size()];
            for (double[] row : z) {
                java.util.Arrays.fill(row, Double.NaN);
            }
            for (TrialResult r : ok(Trial.Role.DISTILLED)) {
                Map<String, JsonNode> a = r.trial().assignments();
                int x = xs.indexOf(a.get(axes.get(0)).toString());
                int y = axes.size() > 1 ? ys.indexOf(a.get(axes.get(1)).toString()) : 0;
                Summary.Row row = rows.get(r.trial().method());
                if (x >= 0 && y >= 0 && row != null) {
                    z[y][x] = row.metric(metric).mean();
                }
            }
            String label = metric.replace('_', ' ');
            draw("grid_" + metric, () -> Charts.heatMap("Test " + label + " over the grid (mean over seeds)",
                    axes.get(0), xs, axes.size() > 1 ? axes.get(1) : "", ys, z, label));
        }
        if (axes.size() > 2) {
            notes.add("The grid heat maps show the first two grid axes (" + axes.get(0) + ", " + axes.get(1)
                    + "); cells differing in the other axes overwrite each other there: read the tables.");
        }
    }

    private List<String> values(String axis) {
        List<String> out = new ArrayList<>();
        study.cells().forEach(c -> {
            String v = c.assignments().get(axis).toString();
            if (!out.contains(v)) {
                out.add(v);
            }
        });
        return out;
    }

    private void accuracyVsParameters() {
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (Summary.Row r : summary.rows()) {
            if (r.parameters() > 0 && r.metric("accuracy").n() > 0) {
                String kind = r.role().startsWith("teacher") ? "teachers" : r.role().equals("distilled")
                        ? "distilled students" : "students alone";
                series.computeIfAbsent(kind, k -> new ArrayList<>())
                        .add(new double[] {r.parameters(), r.metric("accuracy").mean()});
            }
        }
        data.values().stream().findFirst().flatMap(DataFacts::optimum).ifPresent(o -> {
            double max = series.values().stream().flatMap(List::stream).mapToDouble(p -> p[0]).max().orElse(1);
            series.put(String.format(Locale.ROOT, "optimum %.4f", o.accuracy()),
                    List.of(new double[] {1, o.accuracy()}, new double[] {max, o.accuracy()}));
        });
        if (!series.isEmpty()) {
            draw("accuracy_vs_parameters", () -> Charts.scatterLogX("Test accuracy against parameters (mean over "
                    + "seeds)", "parameters (log scale)", "test accuracy", series));
        }
    }

    /** The models drawn one by one: the first teacher, the best distilled cell and its baseline, first seed each. */
    private Map<String, TrialResult> featured() {
        Map<String, TrialResult> out = new LinkedHashMap<>();
        ok(Trial.Role.TEACHER).stream().findFirst().ifPresent(t -> out.put("teacher", t));
        Summary.Row best = summary.rows().stream().filter(r -> r.role().equals("distilled")
                && r.validationAccuracy().n() > 0).max(Comparator.comparingDouble(r -> r.validationAccuracy().mean()))
                .orElse(null);
        if (best != null) {
            TrialResult first = ok(Trial.Role.DISTILLED).stream().filter(r -> r.trial().method().equals(best.method()))
                    .min(Comparator.comparingInt(r -> r.trial().seed())).orElse(null);
            if (first != null) {
                out.put(best.method() + " seed=" + first.trial().seed(), first);
                ok(Trial.Role.STUDENT_ALONE).stream().filter(r -> r.trial().seed() == first.trial().seed())
                        .findFirst().ifPresent(a -> out.put("student-alone seed=" + a.trial().seed(), a));
            }
        }
        return out;
    }

    private void equityAndReliability() {
        DataFacts facts = data.values().stream().findFirst().orElse(null);
        Backtest.Costs costs = study.base().backtest().costs();
        Map<String, List<double[]>> equity = new LinkedHashMap<>();
        Map<String, List<double[]>> reliability = new LinkedHashMap<>();
        featured().forEach((name, r) -> {
            if (facts != null && !r.testPredictions().isEmpty()) {
                double[] positions = new double[r.testPredictions().length()];
                for (int i = 0; i < positions.length; i++) {
                    positions[i] = r.testPredictions().charAt(i) - '0' - 1;
                }
                facts.backtest(positions, costs).ifPresent(b -> equity.put(name, curve(b.equity())));
            }
            List<double[]> points = new ArrayList<>();
            new TreeMap<>(r.facts()).forEach((k, v) -> {
                if (k.startsWith(TradingMetrics.RELIABILITY) && k.endsWith(".confidence")) {
                    String bin = k.substring(0, k.length() - "confidence".length());
                    points.add(new double[] {v, r.facts().get(bin + "accuracy")});
                }
            });
            points.sort(Comparator.comparingDouble(p -> p[0]));
            if (!points.isEmpty()) {
                reliability.put(name, points);
            }
        });
        if (facts != null) {
            facts.buyAndHold(costs).ifPresent(b -> equity.put("buy-and-hold", curve(b.equity())));
        }
        if (equity.size() > 1) {
            draw("equity", () -> Charts.linesLogY("Equity on the test split (" + study.base().backtest().describe()
                    .replace("class positions", "argmax positions") + ")", "test sample", "equity (start 1)", equity));
        }
        if (!reliability.isEmpty()) {
            draw("reliability", () -> Charts.lines("Reliability on the test split (top-label confidence, 10 bins)",
                    "mean confidence", "accuracy", reliability, true, true));
        }
    }

    private static List<double[]> curve(double[] equity) {
        List<double[]> out = new ArrayList<>(equity.length);
        for (int i = 0; i < equity.length; i++) {
            out.add(new double[] {i, equity[i]});
        }
        return out;
    }

    private void trainingCurves() {
        if (experiment.isEmpty()) {
            notes.add("No training curves: the study did not track to the MLflow file store under the results "
                    + "folder.");
            return;
        }
        Map<String, List<double[]>> curves = new LinkedHashMap<>();
        featured().forEach((name, r) -> {
            if (r.runId() == null) {
                return;
            }
            MlflowFileStoreReader.Run run;
            try {
                run = store.run(experiment.get().experimentId(), r.runId());
            } catch (RuntimeException e) {
                return;
            }
            run.metrics().forEach((key, history) -> {
                // the label-based validation cross-entropy is comparable across roles; each loss term's validation
                // value shows which term dominates a distilled run
                if (key.equals(io.distill4j.api.EpochReport.VAL_CROSS_ENTROPY)
                        || key.startsWith(io.distill4j.api.EpochReport.OBJECTIVE_VAL + ".")) {
                    List<double[]> points = new ArrayList<>();
                    history.forEach(m -> points.add(new double[] {m.step(), m.value()}));
                    curves.put(name + " " + key, points);
                }
            });
        });
        if (!curves.isEmpty()) {
            draw("training", () -> Charts.lines("Validation cross-entropy and loss terms per epoch", "epoch", "loss", curves, true,
                    false));
        }
    }

    /**
     * CKA heat maps of the best distilled cell and its student alone (first seed each) against the teacher, from the
     * matrices the run saved in {@code cka/<trial-id>.csv}.
     */
    private void ckaHeatMaps(Path folder) {
        featured().forEach((name, r) -> {
            Trial.Role role = r.trial().role();
            if (role == Trial.Role.TEACHER) {
                return;
            }
            Path csv = folder.resolve("cka").resolve(r.trial().id() + ".csv");
            if (!Files.isRegularFile(csv)) {
                return;
            }
            List<String> lines;
            try {
                lines = Files.readAllLines(csv, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + csv + ": " + e.getMessage(), e);
            }
            if (lines.size() < 2) {
                return;
            }
            String[] header = lines.get(0).split(",", -1);
            List<String> studentLayers = List.of(header).subList(1, header.length);
            List<String> teacherLayers = new ArrayList<>();
            double[][] z = new double[lines.size() - 1][studentLayers.size()];
            for (int i = 1; i < lines.size(); i++) {
                String[] cells = lines.get(i).split(",", -1);
                teacherLayers.add(cells[0]);
                for (int j = 0; j < studentLayers.size(); j++) {
                    z[i - 1][j] = j + 1 < cells.length && !cells[j + 1].isEmpty() ? Double.parseDouble(cells[j + 1])
                            : Double.NaN;
                }
            }
            String chart = role == Trial.Role.DISTILLED ? "cka_distilled" : "cka_student_alone";
            draw(chart, () -> Charts.heatMap("Linear CKA against the teacher on the test split: " + name,
                    "student layer", studentLayers, "teacher layer", teacherLayers, z, "CKA"));
        });
    }

    /** Latency bars (p50 and p99 per model and call path) from the bench section of {@code summary.md}. */
    private void latencyBars(Path folder) {
        Path summaryFile = folder.resolve("summary.md");
        if (!Files.isRegularFile(summaryFile)) {
            return;
        }
        List<BenchSection.Latency> rows;
        try {
            rows = BenchSection.latency(Files.readString(summaryFile, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + summaryFile + ": " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            return;
        }
        Map<String, Map<String, Double>> values = new LinkedHashMap<>();
        for (BenchSection.Latency r : rows) {
            String category = r.model() + ": " + r.path();
            values.computeIfAbsent("p50", k -> new LinkedHashMap<>()).put(category, r.p50Us());
            values.computeIfAbsent("p99", k -> new LinkedHashMap<>()).put(category, r.p99Us());
        }
        draw("latency", () -> Charts.barsLog("Latency of one call (distill4j bench)", "model: call path",
                "microseconds (log scale)", values));
    }

    // ---- page -----------------------------------------------------------------------------------

    private String html() {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(escape(study.name())).append(" - distill4j report</title>\n<style>body{font-family:sans-serif;"
                        + "margin:2em;max-width:1200px}table{border-collapse:collapse;font-size:13px;margin:1em 0}"
                        + "td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}td:first-child,th:first-child"
                        + "{text-align:left}img{display:block;margin:1em 0;border:1px solid #eee}</style></head><body>\n");
        b.append("<h1>").append(escape(study.name())).append("</h1>\n<p>").append(escape(summary.header()))
                .append(".</p>\n");
        b.append("<h2>Verdict</h2>\n<p>").append(escape(summary.verdict())).append("</p>\n");
        b.append("<h2>Summary (test split, mean ± std over seeds)</h2>\n");
        table(b, Summary.TABLE_HEADERS, summary.tableCells());
        b.append("<h3>Trading and calibration</h3>\n");
        table(b, Summary.TRADING_HEADERS, summary.tradingCells());
        if (!summary.regressionCells().isEmpty()) { // a regression study (data.labels.task: regression)
            b.append("<h3>Regression (R², IC, direction; agreement = correlation with the teacher)</h3>\n");
            table(b, Summary.REGRESSION_HEADERS, summary.regressionCells());
        }
        for (String n : summary.dataNotes()) {
            b.append("<p>").append(escape(n)).append("</p>\n");
        }
        section(b, "Grid", List.of("grid_accuracy", "grid_retention_accuracy", "grid_sharpe"));
        section(b, "Accuracy against parameters", List.of("accuracy_vs_parameters"));
        section(b, "Equity curves", List.of("equity"));
        section(b, "Calibration", List.of("reliability"));
        section(b, "Training curves", List.of("training"));
        section(b, "Feature similarity (CKA)", List.of("cka_distilled", "cka_student_alone"));
        section(b, "Latency", List.of("latency"));
        for (String n : notes) {
            b.append("<p><em>").append(escape(n)).append("</em></p>\n");
        }
        b.append("</body></html>\n");
        return b.toString();
    }

    private void section(StringBuilder b, String title, List<String> names) {
        List<String> present = names.stream().filter(charts::containsKey).toList();
        if (present.isEmpty()) {
            return;
        }
        b.append("<h2>").append(escape(title)).append("</h2>\n");
        for (String name : present) {
            b.append("<img id=\"").append(name).append("\" alt=\"").append(name).append("\" width=\"")
                    .append(Charts.WIDTH).append("\" height=\"").append(Charts.HEIGHT)
                    .append("\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(png(name))).append("\">\n");
        }
    }

    private static void table(StringBuilder b, List<String> headers, List<List<String>> rows) {
        b.append("<table><tr>");
        headers.forEach(h -> b.append("<th>").append(escape(h)).append("</th>"));
        b.append("</tr>\n");
        for (List<String> row : rows) {
            b.append("<tr>");
            row.forEach(c -> b.append("<td>").append(escape(c)).append("</td>"));
            b.append("</tr>\n");
        }
        b.append("</table>\n");
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
