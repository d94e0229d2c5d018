package io.distill4j.runtime;

/**
 * The runtime's one matrix-vector kernel, written for the JIT: four rows at a time, so each input element is loaded
 * once per four rows and four independent sums are in flight (a single running sum waits on the previous addition
 * at every step). Each row's sum still adds its terms in column order, so the results are those of the plain loop,
 * bit for bit.
 */
final class MatVec {
    private MatVec() {
    }

    /**
     * {@code acc[accOff + r] += sum_c w[r * cols + c] * x[xOff + c]} for {@code r < rows}, each sum starting from the
     * accumulator's value and adding in column order.
     */
    static void multiplyAdd(float[] w, int rows, int cols, float[] x, int xOff, float[] acc, int accOff) {
        int r = 0;
        for (; r + 3 < rows; r += 4) {
            int w0 = r * cols;
            int w1 = w0 + cols;
            int w2 = w1 + cols;
            int w3 = w2 + cols;
            float s0 = acc[accOff + r];
            float s1 = acc[accOff + r + 1];
            float s2 = acc[accOff + r + 2];
            float s3 = acc[accOff + r + 3];
            for (int c = 0; c < cols; c++) {
                float v = x[xOff + c];
                s0 += w[w0 + c] * v;
                s1 += w[w1 + c] * v;
                s2 += w[w2 + c] * v;
                s3 += w[w3 + c] * v;
            }
            acc[accOff + r] = s0;
            acc[accOff + r + 1] = s1;
            acc[accOff + r + 2] = s2;
            acc[accOff + r + 3] = s3;
        }
        for (; r < rows; r++) {
            int w0 = r * cols;
            float s = acc[accOff + r];
            for (int c = 0; c < cols; c++) {
                s += w[w0 + c] * x[xOff + c];
            }
            acc[accOff + r] = s;
        }
    }
}
