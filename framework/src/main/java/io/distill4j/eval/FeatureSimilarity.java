package io.distill4j.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How similar a trained student's representations are to its teacher's on one split: linear {@link Cka} between
 * every teacher layer and every student layer (a matrix, teacher layers as rows), and for each head that projects a
 * student layer onto a teacher layer (e.g. a FitNets hint) the mean cosine similarity between the projection and
 * that teacher layer.
 *
 * @param teacherLayers the rows, in order
 * @param studentLayers the columns, in order
 * @param cka {@code cka[i][j]} between teacher layer {@code i} and student layer {@code j}
 * @param projectedCosine by head name
 */
public record FeatureSimilarity(List<String> teacherLayers, List<String> studentLayers, double[][] cka,
        Map<String, Double> projectedCosine) {
    /** The prefix of the CKA metrics: {@code cka.<teacher layer>.<student layer>}. */
    public static final String CKA = "cka.";
    /** The prefix of the projection metrics: {@code cosine.<head>}. */
    public static final String COSINE = "cosine.";

    public FeatureSimilarity {
        teacherLayers = List.copyOf(teacherLayers);
        studentLayers = List.copyOf(studentLayers);
        projectedCosine = Map.copyOf(projectedCosine);
        if (cka.length != teacherLayers.size()) {
            throw new IllegalArgumentException(cka.length + " rows for " + teacherLayers.size() + " teacher layers");
        }
        for (double[] row : cka) {
            if (row.length != studentLayers.size()) {
                throw new IllegalArgumentException(row.length + " columns for " + studentLayers.size()
                        + " student layers");
            }
        }
    }

    /** Every value as a metric: {@code cka.<teacher layer>.<student layer>} and {@code cosine.<head>}. */
    public Map<String, Double> metrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < teacherLayers.size(); i++) {
            for (int j = 0; j < studentLayers.size(); j++) {
                out.put(CKA + teacherLayers.get(i) + "." + studentLayers.get(j), cka[i][j]);
            }
        }
        projectedCosine.forEach((head, v) -> out.put(COSINE + head, v));
        return out;
    }

    /** The CKA matrix as CSV: a header {@code teacher_layer,<student layers>}, then one row per teacher layer. */
    public String ckaCsv() {
        StringBuilder b = new StringBuilder("teacher_layer");
        studentLayers.forEach(s -> b.append(',').append(s));
        b.append('\n');
        for (int i = 0; i < teacherLayers.size(); i++) {
            b.append(teacherLayers.get(i));
            for (double v : cka[i]) {
                b.append(',').append(Double.isFinite(v) ? String.format(Locale.ROOT, "%.6f", v) : "");
            }
            b.append('\n');
        }
        return b.toString();
    }
}
