package io.distill4j.loss;

import java.util.Arrays;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A DL4J loss whose value is a function of the whole minibatch (relations between examples), not a sum of per-example
 * terms: similarity-preserving, relational and contrastive distillation. DL4J hands a loss layer the whole minibatch,
 * so such a loss {@code B(S, T)} of the minibatch's outputs {@code S} and labels {@code T} is exact, with this
 * convention: the minibatch score is {@code weight * B}, every example's score is that same value (so their mean is
 * the score), and the gradient returned is {@code n * weight * dB/dS} (DL4J divides by the minibatch size {@code n}
 * in the updater). A minibatch of one example scores 0. The arithmetic runs in double precision (outputs are small);
 * masks are not supported (no sequence masks reach feature heads). A score of exactly the outputs and labels of the
 * last gradient reuses the loss computed with that gradient (DL4J scores every training minibatch after its
 * gradient), so a training step computes the batch loss once.
 */
public abstract class BatchLossFunction extends WeightedLossFunction {
    private static final long serialVersionUID = 1L;

    // DL4J scores a training minibatch right after its gradient, with the same outputs and labels: the loss computed
    // with the gradient is remembered for that score instead of computing the batch loss twice
    private transient double[][][] lastGradientInputs;
    private transient double lastGradientLoss;

    protected BatchLossFunction(double weight) {
        super(weight);
    }

    /**
     * The unweighted batch loss {@code B}, and when {@code gradient} is not null its gradient {@code dB/dS} added into
     * it ({@code [n][width]}, zero on entry).
     *
     * @param s the outputs, one row per example
     * @param t the labels, one row per example
     */
    protected abstract double batchLoss(double[][] s, double[][] t, double[][] gradient);

    /** A short name for error messages and {@link #name()}. */
    protected abstract String kind();

    private double[][][] arrays(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        if (mask != null) {
            throw new IllegalArgumentException(kind() + ": masks are not supported");
        }
        if (labels.rank() != 2 || preOutput.rank() != 2 || labels.size(0) != preOutput.size(0)) {
            throw new IllegalArgumentException(kind() + " needs outputs and labels [n, width] with the same n; got "
                    + "labels " + Arrays.toString(labels.shape()) + " and output " + Arrays.toString(preOutput.shape()));
        }
        INDArray out = activationFn.getActivation(preOutput.dup(), true);
        return new double[][][] {DoubleRows.of(out), DoubleRows.of(labels)};
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
            boolean average) {
        double[][][] a = arrays(labels, preOutput, activationFn, mask);
        int n = a[0].length;
        double b = n < 2 ? 0 : weight() * (Arrays.deepEquals(a, lastGradientInputs) ? lastGradientLoss
                : batchLoss(a[0], a[1], null));
        return average ? b : b * n;
    }

    /**
     * Forgets the loss remembered from the last gradient: a subclass calls it when a setting of the loss changes
     * (the weight is applied outside {@link #batchLoss} and needs no call).
     */
    protected final void forget() {
        lastGradientInputs = null;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        double score = computeScore(labels, preOutput, activationFn, mask, true);
        return Nd4j.valueArrayOf(new long[] {preOutput.size(0), 1}, score, preOutput.dataType());
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        double[][][] a = arrays(labels, preOutput, activationFn, mask);
        int n = a[0].length;
        double[][] g = new double[n][a[0].length == 0 ? 0 : a[0][0].length];
        if (n >= 2) {
            lastGradientLoss = batchLoss(a[0], a[1], g);
            lastGradientInputs = a;
        }
        double scale = n * weight();
        for (double[] row : g) {
            for (int k = 0; k < row.length; k++) {
                row[k] *= scale;
            }
        }
        INDArray dLdOut = n == 0 ? preOutput.like() : Nd4j.createFromArray(g).castTo(preOutput.dataType());
        return activationFn.backprop(preOutput.dup(), dLdOut).getFirst();
    }

    @Override
    public String name() {
        return kind() + "(weight=" + weight() + ")";
    }

    /** The smooth-L1 (Huber, threshold 1) penalty of Park et al.: {@code x^2/2} for {@code |x| <= 1}, else {@code |x| - 1/2}. */
    static double huber(double x) {
        double a = Math.abs(x);
        return a <= 1 ? 0.5 * x * x : a - 0.5;
    }

    /** The derivative of {@link #huber}. */
    static double huberSlope(double x) {
        return Math.max(-1, Math.min(1, x));
    }
}
