package io.distill4j.tracking;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A study's runs as an aligned text table: run name, status, role, seed, key metrics (latest value), parameter
 * count (the param {@value #PARAMETERS_PARAM}) and duration,
 * sorted by a metric (runs without it last), for {@code distill4j runs}.
 */
public final class RunsTable {
    /** Metrics shown by default, besides the sort metric. */
    public static final List<String> KEY_METRICS = List.of("test_accuracy", "test_macro_f1", "test_log_loss",
            "test_agreement", "val_accuracy");
    /** The param holding a trial's parameter count, shown in the last column but one. */
    public static final String PARAMETERS_PARAM = "result.parameters";

    private RunsTable() {
    }

    /** Latest value of {@code metric}, NaN if absent. */
    static double latest(MlflowFileStoreReader.Run r, String metric) {
        var points = r.metrics().get(metric);
        return points == null || points.isEmpty() ? Double.NaN : points.get(points.size() - 1).value();
    }

    /**
     * Renders {@code runs}.
     *
     * @param sortMetric metric to sort by, or null for start time
     * @param descending sort high to low
     * @param limit at most this many rows (0: all)
     */
    public static String render(List<MlflowFileStoreReader.Run> runs, String sortMetric, boolean descending,
            int limit) {
        List<MlflowFileStoreReader.Run> sorted = new ArrayList<>(runs);
        if (sortMetric != null) {
            Comparator<MlflowFileStoreReader.Run> byValue = Comparator.comparingDouble(r -> latest(r, sortMetric));
            if (descending) {
                byValue = byValue.reversed();
            }
            Comparator<MlflowFileStoreReader.Run> c = Comparator.comparing(r -> Double.isNaN(latest(r, sortMetric)));
            sorted.sort(c.thenComparing(byValue).thenComparing(MlflowFileStoreReader.Run::runName,
                    Comparator.nullsLast(Comparator.naturalOrder())));
        } else {
            sorted.sort(Comparator.comparingLong(MlflowFileStoreReader.Run::startTime));
        }
        if (limit > 0 && sorted.size() > limit) {
            sorted = sorted.subList(0, limit);
        }
        List<String> metrics = new ArrayList<>();
        if (sortMetric != null) {
            metrics.add(sortMetric);
        }
        KEY_METRICS.stream().filter(m -> !metrics.contains(m)).forEach(metrics::add);
        List<String> header = new ArrayList<>(List.of("run", "status", "role", "seed"));
        header.addAll(metrics);
        header.add("parameters");
        header.add("duration");
        List<List<String>> rows = new ArrayList<>();
        rows.add(header);
        for (MlflowFileStoreReader.Run r : sorted) {
            List<String> row = new ArrayList<>();
            row.add(String.valueOf(r.runName()));
            row.add(r.status().name());
            row.add(r.tags().getOrDefault("distill4j.role", "-"));
            row.add(r.tags().getOrDefault("distill4j.seed", "-"));
            for (String m : metrics) {
                double v = latest(r, m);
                row.add(Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v));
            }
            row.add(r.params().getOrDefault(PARAMETERS_PARAM, "-"));
            row.add(r.endTime() == null ? "-" : String.format(Locale.ROOT, "%.1fs",
                    (r.endTime() - r.startTime()) / 1000.0));
            rows.add(row);
        }
        int[] widths = new int[header.size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                boolean left = i == 0 || i == 1 || i == 2;
                line.append(left ? String.format("%-" + widths[i] + "s", cell) : String.format("%" + widths[i] + "s",
                        cell));
                if (i < row.size() - 1) {
                    line.append("  ");
                }
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
