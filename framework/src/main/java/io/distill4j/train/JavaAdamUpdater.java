package io.distill4j.train;

import io.distill4j.loss.DoubleRows;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * DL4J's Adam step (Kingma and Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015) as one Java pass over the
 * updater block's gradient and state, where ND4J's {@code adam_updater} operation took about a tenth of an MLP
 * teacher's training step (44,000 parameters: 0.3 ms per step; README, "Fifth sitting"). With {@code g} the gradient,
 * {@code m, v} the moments, {@code t} the iteration and {@code b1^(t+1), b2^(t+1)} taken from ND4J's own {@code pow}:
 * <pre>
 *   m = b1 m + g (1 - b1)        v = b2 v + g g (1 - b2)
 *   step = lr sqrt(1 - b2^(t+1)) / (1 - b1^(t+1))
 *   update = m step / (sqrt(v) + eps)
 * </pre>
 * in ND4J's order and precision (32-bit floats; the step's division in double, as ND4J's operation), so the
 * updates and moments are ND4J's bit for bit ({@code JavaAdamUpdaterTest}, over thousands of iterations). The powers
 * come from ND4J because Java's {@code Math.pow} rounded to float differs from the C library's {@code powf} ND4J
 * calls at some iterations (one of the first 60,000 with the default betas). A double-precision network, a state or
 * gradient that is not one contiguous float array, a zero epsilon, more than {@link #MOST_PARAMETERS} parameters,
 * or the switch {@code -Ddistill4j.adam.nd4j=true} (for measurements) take ND4J's operation.
 */
final class JavaAdamUpdater extends AdamUpdater {
    private static final boolean ON = DoubleRows.hostMemory() && !Boolean.getBoolean("distill4j.adam.nd4j");
    /**
     * The most parameters of a block this pass takes on: above it ND4J's operation, which uses every core ND4J is
     * given, can win (on 2 cores: this pass 5.0 against 6.1 ms at 10^6 parameters, 74 against 64 ms at 10^7).
     */
    static final long MOST_PARAMETERS = 1 << 20;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[3][0]);
    /** How many steps took the Java pass (for tests: the others took ND4J's operation). */
    private long javaSteps;

    private JavaAdamUpdater(Adam config) {
        super(config);
    }

    /** This updater in place of DL4J's {@code adam}, with its configuration, state arrays and reshape order. */
    static JavaAdamUpdater of(AdamUpdater dl4j) {
        JavaAdamUpdater u = new JavaAdamUpdater(dl4j.getConfig());
        u.setM(dl4j.getM());
        u.setV(dl4j.getV());
        u.setGradientReshapeOrder(dl4j.getGradientReshapeOrder());
        return u;
    }

    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        INDArray m = getM();
        INDArray v = getV();
        Adam c = getConfig();
        if (!ON || m == null || v == null || c.getEpsilon() == 0 || m.length() > MOST_PARAMETERS
                || !floats(gradient, m.length())
                || !floats(m, m.length()) || !floats(v, m.length())) {
            super.applyUpdater(gradient, iteration, epoch);
            return;
        }
        float lr = (float) c.getLearningRate(iteration, epoch);
        float beta1 = (float) c.getBeta1();
        float beta2 = (float) c.getBeta2();
        float epsilon = (float) c.getEpsilon();
        INDArray powers = Transforms.pow(Nd4j.createFromArray(beta1, beta2), (float) iteration + 1, false);
        float beta1T = powers.getFloat(0);
        float beta2T = powers.getFloat(1);
        float step = (float) (lr * (float) Math.sqrt((float) (1.0 - beta2T)) / (1.0 - beta1T));
        if (Float.isNaN(step) || step == 0 || Float.isInfinite(step)) {
            step = epsilon;
        }
        int n = (int) m.length();
        float[][] s = scratch(n);
        float[] g = s[0];
        float[] mm = s[1];
        float[] vv = s[2];
        DoubleRows.floats(gradient).get(g, 0, n);
        DoubleRows.floats(m).get(mm, 0, n);
        DoubleRows.floats(v).get(vv, 0, n);
        float keep1 = 1 - beta1;
        float keep2 = 1 - beta2;
        for (int i = 0; i < n; i++) {
            mm[i] = beta1 * mm[i] + g[i] * keep1;
            vv[i] = beta2 * vv[i] + g[i] * g[i] * keep2;
            g[i] = mm[i] * step / ((float) Math.sqrt(vv[i]) + epsilon);
        }
        DoubleRows.floats(gradient).put(g, 0, n);
        DoubleRows.floats(m).put(mm, 0, n);
        DoubleRows.floats(v).put(vv, 0, n);
        javaSteps++;
    }

    long javaSteps() {
        return javaSteps;
    }

    private static boolean floats(INDArray a, long length) {
        return a.dataType() == DataType.FLOAT && a.length() == length && DoubleRows.isRowMajorContiguous(a);
    }

    private static float[][] scratch(int n) {
        float[][] s = SCRATCH.get();
        if (s[0].length < n) {
            s = new float[][] {new float[n], new float[n], new float[n]};
            SCRATCH.set(s);
        }
        return s;
    }
}
