package io.distill4j.loss;

import java.util.Arrays;
import java.util.List;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * The loss of N students trained side by side as one wider network (horizontally fused training, Wang et al.,
 * "Horizontally Fused Training Array", MLSys 2021): the output {@code z} is {@code [n, N*C]}, block {@code b}'s
 * logits in columns {@code [b*C, (b+1)*C)}, and the labels {@code [n, N*2C]} hold each block's {@code [y_b | v_b]}
 * in columns {@code [b*2C, (b+1)*2C)}. The loss is the sum of the blocks' own losses,
 *
 * <pre>
 *   L = sum_b L_b(z_b; y_b, v_b)
 * </pre>
 *
 * each {@code L_b} a {@link LogitLossFunction} with its own parameters (e.g. {@link HintonKdLossFunction}: Hinton,
 * Vinyals, Dean 2015, {@code alpha_b * CE + (1 - alpha_b) * T_b^2 * KL}, or plain cross-entropy with
 * {@code alpha = 1}), so {@code dL/dz_b = dL_b/dz_b}: no block's gradient depends on another block. The block losses
 * stay live: a schedule that sets a block's temperature or alpha between epochs acts on the next minibatch.
 *
 * <p>All of it runs on one heap copy of the output and labels and writes one gradient array, so the fused loss costs
 * two ND4J copies per call whatever N is. A block can be switched off ({@link #setActive}): it then scores 0 and gets
 * no gradient. Each block's summed (weighted, unaveraged) score of the last call is kept for the per-block training
 * loss ({@link #lastScores}). Not thread-safe: one fused network, one thread. It is never serialised (the fused
 * network is not saved; each block is copied into its own student graph after training).
 */
public final class FusedLogitLossFunction implements ILossFunction {
    private static final long serialVersionUID = 1L;

    private final transient List<LogitLossFunction> blocks;
    private final int classes;
    private final boolean[] active;
    private final double[] lastScores;
    /** The scores of this thread's last gradient pass, for the score request of the same step. */
    private transient volatile StepScores.Kept kept;

    /** The fused loss of {@code blocks}, in column order, each over {@code classes} logits. */
    public FusedLogitLossFunction(List<LogitLossFunction> blocks, int classes) {
        if (blocks.isEmpty() || classes < 1) {
            throw new IllegalArgumentException("a fused loss needs at least one block and one class");
        }
        this.blocks = List.copyOf(blocks);
        this.classes = classes;
        this.active = new boolean[blocks.size()];
        Arrays.fill(active, true);
        this.lastScores = new double[blocks.size()];
    }

    /** Switches block {@code b} on or off (off: score 0, gradient 0). */
    public void setActive(int b, boolean on) {
        active[b] = on;
    }

    /** Each block's summed score over the rows of the last call (0 for a block switched off). */
    public double[] lastScores() {
        return lastScores.clone();
    }

    /** Per-row fused scores; fills {@code grad} ({@code [n * N*C]}, may be null) with the summed score's gradient. */
    private double[] run(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
            double[] grad) {
        int blockCount = blocks.size();
        int c = classes;
        int w = 2 * c;
        if (labels.rank() != 2 || preOutput.rank() != 2 || labels.size(0) != preOutput.size(0)
                || preOutput.size(1) != (long) blockCount * c || labels.size(1) != (long) blockCount * w) {
            throw new IllegalArgumentException(name() + ": expected output [n, " + blockCount * c + "] and labels [n, "
                    + blockCount * w + "], got " + Arrays.toString(preOutput.shape()) + " and "
                    + Arrays.toString(labels.shape()));
        }
        int n = (int) preOutput.size(0);
        int zWidth = blockCount * c;
        int lWidth = blockCount * w;
        double[] z = DoubleRows.flat(activationFn.getActivation(preOutput.dup(), false));
        double[] lab = DoubleRows.flat(labels);
        double[] m = mask == null ? null : DoubleRows.flat(mask);
        double[] rows = new double[n];
        double[] zb = new double[n * c];
        double[] lb = new double[n * w];
        double[] sb = new double[n];
        double[] gb = grad == null ? null : new double[n * c];
        for (int b = 0; b < blockCount; b++) {
            lastScores[b] = 0;
            if (!active[b]) {
                continue;
            }
            for (int i = 0; i < n; i++) {
                System.arraycopy(z, i * zWidth + b * c, zb, i * c, c);
                System.arraycopy(lab, i * lWidth + b * w, lb, i * w, w);
            }
            Arrays.fill(sb, 0);
            if (gb != null) {
                Arrays.fill(gb, 0);
            }
            blocks.get(b).scoreAndGradient(zb, lb, n, c, w, m, sb, gb);
            double sum = 0;
            for (int i = 0; i < n; i++) {
                rows[i] += sb[i];
                sum += sb[i];
                if (gb != null) {
                    System.arraycopy(gb, i * c, grad, i * zWidth + b * c, c);
                }
            }
            lastScores[b] = sum;
        }
        return rows;
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
            boolean average) {
        double sum = 0;
        for (double s : scores(labels, preOutput, activationFn, mask)) {
            sum += s;
        }
        return average ? sum / preOutput.size(0) : sum;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return LogitLossFunction.scoreArray(scores(labels, preOutput, activationFn, mask), preOutput);
    }

    /** Per-row scores: those the gradient pass of the same step computed when these are its arrays, else afresh. */
    private double[] scores(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        double[] rows = StepScores.scoresFor(kept, labels, preOutput, mask);
        kept = null;
        return rows != null ? rows : run(labels, preOutput, activationFn, mask, null);
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return computeGradientAndScore(labels, preOutput, activationFn, mask, false).getSecond();
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
            IActivation activationFn, INDArray mask, boolean average) {
        double[] grad = new double[(int) preOutput.length()];
        double[] rows = run(labels, preOutput, activationFn, mask, grad);
        kept = StepScores.keep(labels, preOutput, mask, rows);
        return LogitLossFunction.scoreAndGradient(rows, grad, preOutput, activationFn, average);
    }

    @Override
    public String name() {
        return "Fused(" + blocks.size() + " blocks x " + classes + " classes)";
    }

    @Override
    public String toString() {
        return name();
    }
}
