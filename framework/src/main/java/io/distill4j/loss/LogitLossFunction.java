package io.distill4j.loss;

import java.util.Arrays;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The DL4J plumbing shared by the losses on a student's logits whose labels are the row-wise concatenation
 * {@code [y | v]} ({@code [n, 2C]}: one-hot hard label, teacher logits) for an output {@code z} of shape
 * {@code [n, C]} (the layer's activation, which should be identity): {@link HintonKdLossFunction},
 * {@link DkdLossFunction}, {@link DistLossFunction}.
 *
 * <p>A subclass writes one {@link #kernel} over the whole minibatch, on the Java heap in double precision (fast for
 * the few classes of a market label, see STACK.md); this class turns it into DL4J's score array, summed or averaged
 * score and gradient, applies the mask (rows with mask 0 score 0 and get no gradient) and the head {@code weight}
 * (default 1, at least 0, schedulable), which multiplies score and gradient. The returned gradient is that of the
 * <em>summed</em> score (DL4J divides by the minibatch size in the updater).
 */
public abstract class LogitLossFunction extends WeightedLossFunction {
    private static final long serialVersionUID = 1L;

    @JsonProperty("temperature")
    private volatile double temperature = 1.0;
    @JsonProperty("alpha")
    private volatile double alpha;

    protected LogitLossFunction() {
        super(1.0);
    }

    /** The temperature {@code T} of the distillation term. */
    public double temperature() {
        return temperature;
    }

    /** The weight of the hard-label term (the Hinton convention; the distillation term gets {@code 1 - alpha}). */
    public double alpha() {
        return alpha;
    }

    public void setTemperature(double temperature) {
        if (!(temperature > 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a positive number, got " + temperature);
        }
        this.temperature = temperature;
    }

    public void setAlpha(double alpha) {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
        }
        this.alpha = alpha;
    }

    /** A term weight: finite and >= 0. */
    static double checkTermWeight(String name, double value) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be a finite number >= 0, got " + value);
        }
        return value;
    }

    /**
     * The unweighted loss of a minibatch.
     *
     * @param z the logits, row-major {@code [n, c]}
     * @param labels row-major {@code [n, 2c]}: {@code [y | v]}
     * @param mask per row (1 or 0), or {@code null} for all rows; a batch-level loss computes its batch statistics over
     *     the rows with a non-zero mask
     * @param score filled with each row's score (may be {@code null}); their sum over unmasked rows is the summed score
     * @param grad filled with the summed score's gradient with respect to {@code z} (may be {@code null}); rows with
     *     mask 0 are zeroed afterwards by the caller
     */
    protected abstract void kernel(double[] z, double[] labels, int n, int c, double[] mask, double[] score,
            double[] grad);

    /**
     * The number of per-sample columns appended to the labels after {@code [y | v]} (0 by default): a loss with
     * per-sample settings (e.g. {@link RegimeHintonKdLossFunction}'s regime) reads labels {@code [n, 2C + k]} and gets
     * them in {@link #kernel(double[], double[], double[], int, int, double[], double[], double[])}.
     */
    protected int sampleColumns() {
        return 0;
    }

    /**
     * The kernel of a loss with {@link #sampleColumns()} {@code k > 0}: {@code labels} is {@code [y | v]} as for the
     * other kernel, {@code samples} the row-major {@code [n, k]} per-sample columns; by default the other kernel.
     */
    protected void kernel(double[] z, double[] labels, double[] samples, int n, int c, double[] mask,
            double[] score, double[] grad) {
        kernel(z, labels, n, c, mask, score, grad, null);
    }

    /**
     * Per-row multipliers of a loss's two terms, read from two extra label columns {@code [.. | s | h]} (soft term,
     * hard-label term) for a loss that {@link #acceptsTermWeights() accepts them}: e.g. {@link RecencyWeights}.
     */
    protected record TermWeights(double[] soft, double[] hard) {
        /** Row {@code i}'s multiplier of the soft (teacher) term. */
        public double soft(int i) {
            return soft[i];
        }

        /** Row {@code i}'s multiplier of the hard-label term. */
        public double hard(int i) {
            return hard[i];
        }
    }

    /**
     * Whether labels may carry two extra columns of per-row term weights ({@code [n, 2C + 2]}, see
     * {@link TermWeights}); a loss that says so overrides the kernel taking them. Default: no.
     */
    public boolean acceptsTermWeights() {
        return false;
    }

    /**
     * The kernel with per-row term weights ({@code null}: every weight 1). The default, for losses that do not
     * {@link #acceptsTermWeights() accept them}, is {@link #kernel(double[], double[], int, int, double[], double[],
     * double[])}.
     */
    protected void kernel(double[] z, double[] labels, int n, int c, double[] mask, double[] score, double[] grad,
            TermWeights rows) {
        kernel(z, labels, n, c, mask, score, grad);
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        int n = (int) preOutput.size(0);
        double[] score = StepScores.scoresFor(kept, labels, preOutput, mask);
        kept = null;
        if (score == null) {
            score = new double[n];
            run(labels, preOutput, activationFn, mask, score, null);
        }
        return scoreArray(score, preOutput);
    }

    /** Per-row scores as DL4J's score array {@code [n, 1]} in the output's data type. */
    static INDArray scoreArray(double[] score, INDArray preOutput) {
        if (preOutput.dataType() == DataType.FLOAT) { // ND4J's cast is the same rounding to nearest as Java's
            float[] rounded = new float[score.length];
            for (int i = 0; i < rounded.length; i++) {
                rounded[i] = (float) score[i];
            }
            return Nd4j.create(rounded, new long[] {score.length, 1}, 'c');
        }
        return Nd4j.create(score, new long[] {score.length, 1}, DataType.DOUBLE).castTo(preOutput.dataType());
    }

    /**
     * DL4J's score and gradient from per-row scores and the gradient {@code grad} with respect to the activation
     * (row-major, the output's shape): the summed (or averaged) score, and the gradient through the activation.
     */
    static Pair<Double, INDArray> scoreAndGradient(double[] score, double[] grad, INDArray preOutput,
            IActivation activationFn, boolean average) {
        double sum = 0;
        for (double s : score) {
            sum += s;
        }
        INDArray dLdOut = Nd4j.create(grad, preOutput.shape(), DataType.DOUBLE).castTo(preOutput.dataType());
        return new Pair<>(average ? sum / score.length : sum,
                activationFn.backprop(preOutput.dup(), dLdOut).getFirst());
    }

    /**
     * The summed score of {@code output} (logits, the identity activation, no mask) and {@code labels} over
     * consecutive minibatches of {@code batchSize} rows: the sum of {@code computeScore(labels, output, identity,
     * null, false)} over those minibatches, bit for bit (each minibatch's rows scored by the same kernel, the scores
     * rounded to the output's type and summed by ND4J as DL4J's score is), from one heap copy of each array instead
     * of ND4J copies and conversions per minibatch. A validation pass scores every epoch this way.
     */
    public double summedScore(INDArray labels, INDArray output, int batchSize) {
        checkShapes(labels, output);
        return summedScore(new HeapLabels(labels), output, batchSize);
    }

    /** {@link #summedScore(INDArray, INDArray, int)} with labels read into the heap once, for a score every epoch. */
    public double summedScore(HeapLabels labels, INDArray output, int batchSize) {
        checkShapes(labels.array(), output);
        if (batchSize < 1) {
            throw new IllegalArgumentException(name() + ": minibatches need at least one row, got " + batchSize);
        }
        int n = (int) output.size(0);
        int c = (int) output.size(1);
        int width = (int) labels.array().size(1);
        double[] z = DoubleRows.flat(output);
        double[] y = labels.values;
        double sum = 0;
        for (int from = 0; from < n; from += batchSize) {
            int rows = Math.min(n, from + batchSize) - from;
            double[] score = new double[rows];
            scoreAndGradient(Arrays.copyOfRange(z, from * c, (from + rows) * c),
                    Arrays.copyOfRange(y, from * width, (from + rows) * width), rows, c, width, null, score, null);
            INDArray rounded = scoreArray(score, output); // DL4J's score array, then ND4J's sum of it
            sum += rounded.sumNumber().doubleValue();
        }
        return sum;
    }

    /** Labels and their values as one row-major heap copy, read once (the validation labels of every epoch). */
    public static final class HeapLabels {
        private final INDArray array;
        private final double[] values;

        public HeapLabels(INDArray labels) {
            this.array = labels;
            this.values = DoubleRows.flat(labels);
        }

        public INDArray array() {
            return array;
        }
    }

    /** The scores of this thread's last gradient pass, for the score request of the same step. */
    private transient volatile StepScores.Kept kept;

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return computeGradientAndScore(labels, preOutput, activationFn, mask, false).getSecond();
    }

    /** One pass over the minibatch for both the gradient and the score. */
    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
            IActivation activationFn, INDArray mask, boolean average) {
        int n = (int) preOutput.size(0);
        int c = (int) preOutput.size(1);
        double[] score = new double[n];
        double[] grad = new double[n * c];
        run(labels, preOutput, activationFn, mask, score, grad);
        kept = StepScores.keep(labels, preOutput, mask, score);
        return scoreAndGradient(score, grad, preOutput, activationFn, average);
    }

    /** The kernel on flat copies, then mask and weight applied to both outputs. */
    private void run(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, double[] score,
            double[] grad) {
        checkShapes(labels, preOutput);
        int n = (int) preOutput.size(0);
        int c = (int) preOutput.size(1);
        double[] m = mask == null ? null : DoubleRows.flat(mask);
        double[] z = DoubleRows.flat(activationFn.getActivation(preOutput.dup(), false));
        scoreAndGradient(z, DoubleRows.flat(labels), n, c, (int) labels.size(1), m, score, grad);
    }

    /** Labels {@code [n, 2C]} (plus this loss's per-sample or term-weight columns) for an output {@code [n, C]}. */
    private void checkShapes(INDArray labels, INDArray preOutput) {
        int extra = sampleColumns();
        boolean weighted = extra == 0 && acceptsTermWeights() && labels.rank() == 2 && preOutput.rank() == 2
                && labels.size(1) == 2 * preOutput.size(1) + 2;
        if (labels.rank() != 2 || preOutput.rank() != 2 || labels.size(0) != preOutput.size(0)
                || (labels.size(1) != 2 * preOutput.size(1) + extra && !weighted)) {
            throw new IllegalArgumentException(name() + ": labels must be [n, 2C" + (extra == 0 ? "" : " + " + extra)
                    + "] = [hard one-hot | teacher logits" + (extra == 0 ? "" : " | per-sample columns") + "] "
                    + (acceptsTermWeights() ? "(or [n, 2C + 2] with per-row soft and hard term weights) " : "")
                    + "for output [n, C]; got labels " + Arrays.toString(labels.shape()) + " and output "
                    + Arrays.toString(preOutput.shape()));
        }
    }

    /**
     * The loss on heap copies: logits {@code z} (row-major {@code [n, c]}, after the activation) and labels
     * {@code flat} (row-major {@code [n, width]}, width {@code 2c} plus this loss's per-sample or term-weight
     * columns, as checked by the DL4J entry points); fills each row's weighted, masked score and the summed score's
     * gradient, like {@link #computeGradientAndScore} does. Either output may be {@code null}.
     */
    void scoreAndGradient(double[] z, double[] flat, int n, int c, int width, double[] m, double[] score,
            double[] grad) {
        int extra = sampleColumns();
        boolean weighted = extra == 0 && acceptsTermWeights() && width == 2 * c + 2;
        int tail = width - 2 * c; // per-sample columns or term weights after [y | v]
        double[] yv = flat;
        double[] tailColumns = new double[n * tail];
        if (tail > 0) {
            yv = new double[n * 2 * c];
            for (int i = 0; i < n; i++) {
                System.arraycopy(flat, i * width, yv, i * 2 * c, 2 * c);
                System.arraycopy(flat, i * width + 2 * c, tailColumns, i * tail, tail);
            }
        }
        if (extra > 0) {
            kernel(z, yv, tailColumns, n, c, m, score, grad);
        } else if (weighted) {
            double[] soft = new double[n];
            double[] hard = new double[n];
            for (int i = 0; i < n; i++) {
                soft[i] = tailColumns[2 * i];
                hard[i] = tailColumns[2 * i + 1];
            }
            kernel(z, yv, n, c, m, score, grad, new TermWeights(soft, hard));
        } else {
            kernel(z, yv, n, c, m, score, grad, null);
        }
        double w = weight();
        for (int i = 0; i < n; i++) {
            double f = w * (m == null ? 1 : m[i]);
            if (score != null) {
                score[i] *= f;
            }
            if (grad != null) {
                for (int k = 0; k < c; k++) {
                    grad[i * c + k] *= f;
                }
            }
        }
    }

    /** Row {@code i} of a row-major array of rows of {@code width}, starting at column {@code from}, into {@code out}. */
    static void row(double[] flat, int i, int width, int from, double[] out) {
        System.arraycopy(flat, i * width + from, out, 0, out.length);
    }

    /**
     * Adds the gradient of the hard-label term {@code alpha * CE(y, softmax(z))} of one row to {@code grad}, and
     * returns that term: {@code alpha * (p * sum(y) - y)}.
     *
     * @param z the row's logits; {@code y} its hard label; {@code logP} scratch of the same length
     */
    static double addHardLabel(double alpha, double[] z, double[] labels, int labelOffset, double[] logP,
            double[] grad, int gradOffset) {
        if (alpha == 0) {
            return 0;
        }
        Softmax.logSoftmax(z, logP);
        double ce = 0;
        double ySum = 0;
        for (int k = 0; k < z.length; k++) {
            ce -= labels[labelOffset + k] * logP[k];
            ySum += labels[labelOffset + k];
        }
        if (grad != null) {
            for (int k = 0; k < z.length; k++) {
                grad[gradOffset + k] += alpha * (Math.exp(logP[k]) * ySum - labels[labelOffset + k]);
            }
        }
        return alpha * ce;
    }

}
