package io.distill4j.eval;

import io.distill4j.loss.DoubleRows;
import io.distill4j.loss.Softmax;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Test-split metrics of a classifier, optionally against a teacher.
 *
 * <ul>
 *   <li>{@code accuracy}: share of samples whose argmax equals the label.</li>
 *   <li>{@code macro_f1}: unweighted mean over classes of {@code 2 TP / (2 TP + FP + FN)} (0 for a class with no
 *       true positives).</li>
 *   <li>{@code log_loss}: mean {@code -ln p(label)}, probabilities clipped to {@code [1e-15, 1]}.</li>
 *   <li>{@code agreement}: share of samples where the argmax equals the teacher's argmax.</li>
 *   <li>{@code kl_teacher}: mean {@code KL(teacher || model) = sum_k q_k ln(q_k / p_k)} at temperature 1.</li>
 * </ul>
 * Without a teacher, agreement and KL are {@code NaN}.
 */
public record ClassificationMetrics(double accuracy, double macroF1, double logLoss, double agreement,
        double klTeacher) {

    /** Computes the metrics from logits ({@code [n, C]}), integer labels and optional teacher logits. */
    public static ClassificationMetrics of(INDArray logits, int[] labels, INDArray teacherLogits) {
        return against(DoubleRows.of(logits), labels, TeacherPredictions.of(teacherLogits));
    }

    /** Computes the metrics from logits, integer labels and optional teacher logits. */
    public static ClassificationMetrics of(double[][] logits, int[] labels, double[][] teacherLogits) {
        return against(logits, labels, teacherLogits == null ? null : TeacherPredictions.of(teacherLogits));
    }

    /**
     * Computes the metrics from logits, integer labels and optionally a teacher's predictions computed once (metrics
     * taken every epoch against the same teacher: the same values as {@link #of}).
     */
    public static ClassificationMetrics against(double[][] logits, int[] labels, TeacherPredictions teacher) {
        double[][] teacherLogits = teacher == null ? null : teacher.probabilities();
        int n = logits.length;
        if (n == 0 || labels.length != n || (teacherLogits != null && teacherLogits.length != n)) {
            throw new IllegalArgumentException("need the same non-zero number of logits, labels and teacher rows");
        }
        int c = logits[0].length;
        long[] tp = new long[c];
        long[] fp = new long[c];
        long[] fn = new long[c];
        long correct = 0;
        long agree = 0;
        double logLoss = 0;
        double kl = 0;
        for (int i = 0; i < n; i++) {
            double[] p = Softmax.probabilities(logits[i]);
            int predicted = argmax(p);
            int y = labels[i];
            if (y < 0 || y >= c) {
                throw new IllegalArgumentException("label " + y + " outside [0, " + c + ")");
            }
            if (predicted == y) {
                correct++;
                tp[y]++;
            } else {
                fp[predicted]++;
                fn[y]++;
            }
            logLoss -= Math.log(Math.max(1e-15, p[y]));
            if (teacher != null) {
                double[] q = teacher.probabilities()[i];
                double[] logQ = teacher.logProbabilities()[i];
                if (teacher.classes()[i] == predicted) {
                    agree++;
                }
                for (int k = 0; k < c; k++) {
                    if (q[k] > 0) {
                        kl += q[k] * (logQ[k] - Math.log(Math.max(1e-300, p[k])));
                    }
                }
            }
        }
        double f1 = 0;
        for (int k = 0; k < c; k++) {
            long denominator = 2 * tp[k] + fp[k] + fn[k];
            f1 += denominator == 0 ? 0 : 2.0 * tp[k] / denominator;
        }
        return new ClassificationMetrics((double) correct / n, f1 / c, logLoss / n,
                teacher == null ? Double.NaN : (double) agree / n,
                teacher == null ? Double.NaN : kl / n);
    }

    /**
     * A teacher's softmax probabilities, their logarithms and its predicted classes on a split, row by row: what
     * agreement and KL need from the teacher, computed once where a student is measured against it every epoch.
     */
    public record TeacherPredictions(double[][] probabilities, double[][] logProbabilities, int[] classes) {
        /** The predictions of logits {@code [n, C]}. */
        public static TeacherPredictions of(double[][] logits) {
            int n = logits.length;
            double[][] q = new double[n][];
            double[][] logQ = new double[n][];
            int[] classes = new int[n];
            for (int i = 0; i < n; i++) {
                q[i] = Softmax.probabilities(logits[i]);
                logQ[i] = new double[q[i].length];
                for (int k = 0; k < q[i].length; k++) {
                    logQ[i][k] = Math.log(q[i][k]);
                }
                classes[i] = argmax(q[i]);
            }
            return new TeacherPredictions(q, logQ, classes);
        }

        /** The predictions of logits {@code [n, C]}, or null for null logits. */
        public static TeacherPredictions of(INDArray logits) {
            return logits == null ? null : of(DoubleRows.of(logits));
        }
    }

    /** The metrics by their tracking names. */
    public Map<String, Double> asMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", accuracy);
        m.put("macro_f1", macroF1);
        m.put("log_loss", logLoss);
        m.put("agreement", agreement);
        m.put("kl_teacher", klTeacher);
        return m;
    }

    static int argmax(double[] p) {
        int best = 0;
        for (int k = 1; k < p.length; k++) {
            if (p[k] > p[best]) {
                best = k;
            }
        }
        return best;
    }
}
