package io.distill4j.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Metrics of a return predictor ({@code data.labels.task: regression}), optionally against a teacher's predictions.
 * {@code p} the predictions, {@code y} the targets of one split:
 *
 * <ul>
 *   <li>{@code mse}: {@code mean (p - y)^2}.</li>
 *   <li>{@code r2}: {@code 1 - sum (p - y)^2 / sum (y - mean y)^2} (the mean of the split itself: a predictor of the
 *       split's own mean scores 0; negative when worse).</li>
 *   <li>{@code ic}: the information coefficient, Spearman's rank correlation of {@code p} and {@code y} (Pearson
 *       correlation of their ranks, tied values sharing their mean rank).</li>
 *   <li>{@code ic_daily_mean}, {@code ic_daily_t}: the IC computed within each UTC day (days with fewer than 3
 *       samples or a constant rank vector are left out), their mean and its t-statistic {@code mean / (sd /
 *       sqrt(days))} (sample standard deviation; {@code NaN} with fewer than 2 days).</li>
 *   <li>{@code directional_accuracy}: among samples with {@code y != 0}, the share with {@code sign(p) = sign(y)} (a
 *       prediction of exactly 0 is wrong).</li>
 *   <li>{@code agreement}: Pearson correlation of {@code p} with the teacher's prediction (the regression meaning of
 *       agreement; {@code NaN} without a teacher).</li>
 * </ul>
 * Retention, the student's R² or IC over its teacher's, is {@link #retention}.
 */
public record RegressionMetrics(double mse, double r2, double ic, double icDailyMean, double icDailyT,
        double directionalAccuracy, double agreement) {
    private static final long DAY_MS = 86_400_000L;

    /**
     * Computes the metrics.
     *
     * @param predictions the model's predictions
     * @param targets the targets, same length
     * @param timeMs each sample's open time (Unix ms, UTC), for the per-day IC
     * @param teacher the teacher's predictions, or {@code null}
     */
    public static RegressionMetrics of(double[] predictions, double[] targets, long[] timeMs, double[] teacher) {
        int n = predictions.length;
        if (n == 0 || targets.length != n || timeMs.length != n || (teacher != null && teacher.length != n)) {
            throw new IllegalArgumentException("need the same non-zero number of predictions, targets, times and "
                    + "teacher predictions");
        }
        double mean = 0;
        for (double y : targets) {
            mean += y;
        }
        mean /= n;
        double ssRes = 0;
        double ssTot = 0;
        int moved = 0;
        int right = 0;
        for (int i = 0; i < n; i++) {
            double e = predictions[i] - targets[i];
            ssRes += e * e;
            ssTot += (targets[i] - mean) * (targets[i] - mean);
            if (targets[i] != 0) {
                moved++;
                if (Math.signum(predictions[i]) == Math.signum(targets[i])) {
                    right++;
                }
            }
        }
        double[] daily = dailyIc(predictions, targets, timeMs);
        double dailyMean = Double.NaN;
        double dailyT = Double.NaN;
        if (daily.length > 0) {
            dailyMean = Arrays.stream(daily).average().orElseThrow();
        }
        if (daily.length > 1) {
            double ss = 0;
            for (double d : daily) {
                ss += (d - dailyMean) * (d - dailyMean);
            }
            double sd = Math.sqrt(ss / (daily.length - 1));
            dailyT = dailyMean / (sd / Math.sqrt(daily.length));
        }
        return new RegressionMetrics(ssRes / n, ssTot == 0 ? Double.NaN : 1 - ssRes / ssTot,
                spearman(predictions, targets), dailyMean, dailyT, moved == 0 ? Double.NaN : (double) right / moved,
                teacher == null ? Double.NaN : pearson(predictions, teacher));
    }

    /** The metrics by their tracking names. */
    public Map<String, Double> asMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("mse", mse);
        m.put("r2", r2);
        m.put("ic", ic);
        m.put("ic_daily_mean", icDailyMean);
        m.put("ic_daily_t", icDailyT);
        m.put("directional_accuracy", directionalAccuracy);
        m.put("agreement", agreement);
        return m;
    }

    /** {@code student / teacher} when the teacher's value is positive, else {@code NaN} (a ratio to 0 or less says nothing). */
    public static double retention(double student, double teacher) {
        return teacher > 0 ? student / teacher : Double.NaN;
    }

    /** Pearson correlation; {@code NaN} when either vector is constant. */
    public static double pearson(double[] a, double[] b) {
        int n = a.length;
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < n; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= n;
        mb /= n;
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < n; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return saa == 0 || sbb == 0 ? Double.NaN : sab / Math.sqrt(saa * sbb);
    }

    /** Spearman's rank correlation: Pearson of the {@link #ranks} (ties get their mean rank). */
    public static double spearman(double[] a, double[] b) {
        return pearson(ranks(a), ranks(b));
    }

    /** Ranks 1..n in ascending order, tied values sharing the mean of the ranks they span. */
    public static double[] ranks(double[] x) {
        int n = x.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (i, j) -> Double.compare(x[i], x[j]));
        double[] r = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && x[order[j + 1]] == x[order[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                r[order[k]] = rank;
            }
            i = j + 1;
        }
        return r;
    }

    /** The Spearman IC within each UTC day, in day order, leaving out days with under 3 samples or a NaN IC. */
    public static double[] dailyIc(double[] predictions, double[] targets, long[] timeMs) {
        Map<Long, List<Integer>> days = new TreeMap<>();
        for (int i = 0; i < timeMs.length; i++) {
            days.computeIfAbsent(Math.floorDiv(timeMs[i], DAY_MS), d -> new ArrayList<>()).add(i);
        }
        List<Double> out = new ArrayList<>();
        for (List<Integer> day : days.values()) {
            if (day.size() < 3) {
                continue;
            }
            double[] p = new double[day.size()];
            double[] y = new double[day.size()];
            for (int k = 0; k < p.length; k++) {
                p[k] = predictions[day.get(k)];
                y[k] = targets[day.get(k)];
            }
            double ic = spearman(p, y);
            if (!Double.isNaN(ic)) {
                out.add(ic);
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
