package io.distill4j.data.features;

/**
 * Per-feature standardisation {@code (x - mean) / std}, fitted on training rows only and applied to every row.
 *
 * @param mean per-feature mean over the fitted rows
 * @param std per-feature population standard deviation over the fitted rows ({@code 1} where it is 0)
 */
public record Standardiser(double[] mean, double[] std) {

    /** Fits on {@code rows[idx[k]]} for every {@code k}. */
    public static Standardiser fit(double[][] rows, int[] idx) {
        if (idx.length == 0) {
            throw new IllegalArgumentException("cannot fit a standardiser on no rows");
        }
        int d = rows[idx[0]].length;
        double[] mean = new double[d];
        double[] std = new double[d];
        for (int i : idx) {
            for (int j = 0; j < d; j++) {
                mean[j] += rows[i][j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= idx.length;
        }
        for (int i : idx) {
            for (int j = 0; j < d; j++) {
                double x = rows[i][j] - mean[j];
                std[j] += x * x;
            }
        }
        for (int j = 0; j < d; j++) {
            std[j] = Math.sqrt(std[j] / idx.length);
            if (!(std[j] > 0)) {
                std[j] = 1;
            }
        }
        return new Standardiser(mean, std);
    }

    /** The standardised copy of {@code row} as floats. */
    public float[] apply(double[] row) {
        float[] out = new float[row.length];
        for (int j = 0; j < row.length; j++) {
            out[j] = (float) ((row[j] - mean[j]) / std[j]);
        }
        return out;
    }
}
