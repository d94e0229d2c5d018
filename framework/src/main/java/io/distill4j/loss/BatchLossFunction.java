package io.distill4j.loss;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * A DL4J loss whose value is a function of the whole minibatch (relations between examples), not a sum of per-example
 * terms: similarity-preserving, relational and contrastive distillation. DL4J hands a loss layer the whole minibatch,
 * so such a loss {@code B(S, T)} of the minibatch's outputs {@code S} and labels {@code T} is exact, with this
 * convention: the minibatch score is {@code weight * B}, every example's score is that same value (so their mean is
 * the score), and the gradient returned is {@code n * weight * dB/dS} (DL4J divides by the minibatch size {@code n}
 * in the updater). A minibatch of one example scores 0. The arithmetic runs in double precision (outputs are small);
 * masks are not supported (no sequence masks reach feature heads). A score of the same output and label values as
 * the last gradient (DL4J scores every training minibatch right after its gradient) reuses the loss computed with that
 * gradient, told by comparing the values on the heap (two bulk copies, no ND4J operation), so a training step computes
 * the batch loss once.
 *
 * <p><b>Relation groups</b> ({@link #setGroupSize group size} {@code g}, the head key {@code group_size}; 0, the
 * default, is the whole minibatch): the minibatch's {@code n} rows are split into consecutive groups of {@code g}
 * rows, the last group holding the remainder {@code n mod g} when it has at least 2 rows (a remainder of 1 row joins
 * the group before it, which then has {@code g + 1}); a minibatch of at most {@code g} rows is one group. The loss is
 * computed within each group and the batch loss is the size-weighted mean of the groups' losses,
 *
 * <pre>
 *   B_grouped = sum_k (n_k / n) * B(S_k, T_k),    dB_grouped/dS_k = (n_k / n) * dB/dS_k(S_k, T_k)
 * </pre>
 *
 * with {@code S_k}, {@code T_k} the rows of group {@code k} and {@code n_k} their count; the gradient is the groups'
 * gradients concatenated in row order. Training minibatches are reshuffled every epoch, so the groups are random
 * subsets of the training set; a pair (or triplet) term then costs {@code n g} (or {@code n g^2}) instead of
 * {@code n^2} (or {@code n^3}). With one group (g = 0 or g at least n) the result is exactly the ungrouped one.
 * Several groups are computed by {@link #batchLoss} on slices of the minibatch's rows when the subclass says so
 * ({@link #groupsInRows}), else by {@link #batch} on each group's rows; {@link #beforeGradient} runs once per
 * training minibatch, whatever the groups.
 */
public abstract class BatchLossFunction extends WeightedLossFunction {
    private static final long serialVersionUID = 1L;

    // the last gradient's outputs and labels (row-major values) and its batch loss, for DL4J's score of the same step
    private transient double[] lastOutputs;
    private transient double[] lastLabels;
    private transient double lastLoss;
    // the label side of scored minibatches (validation: the same minibatches every epoch), by the labels' values
    private transient Map<Labels, Object> scoredLabels;
    // how many label sides scoredLabels keeps: SCORED_LABELS minibatches of as many groups as the last one had
    private transient int scoredLabelsCapacity = SCORED_LABELS;
    @JsonProperty("groupSize")
    private volatile int groupSize;

    /** Labels by value: shape and row-major values, with the hash computed once. */
    private record Labels(long[] shape, double[] values, int hash) {
        static Labels of(INDArray a) {
            double[] values = DoubleRows.flat(a);
            return new Labels(a.shape(), values, 31 * Arrays.hashCode(a.shape()) + Arrays.hashCode(values));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Labels l && hash == l.hash && Arrays.equals(shape, l.shape)
                    && Arrays.equals(values, l.values);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    protected BatchLossFunction(double weight) {
        super(weight);
    }

    /** The relation group size g (0: the whole minibatch is one group). */
    public final int groupSize() {
        return groupSize;
    }

    /**
     * Sets the relation group size: 0 (the whole minibatch, the default) or at least 2 (see the class comment);
     * takes effect from the next minibatch.
     */
    public final void setGroupSize(int groupSize) {
        if (groupSize < 0 || groupSize == 1) {
            throw new IllegalArgumentException("group size must be 0 (the whole minibatch) or >= 2, got " + groupSize);
        }
        this.groupSize = groupSize;
        forget();
    }

    /**
     * The first row of each group of an {@code n}-row minibatch in groups of {@code g} rows, then {@code n}: group
     * {@code k} is rows {@code [bounds[k], bounds[k + 1])}. One group when {@code g} is 0 or at least {@code n}; a
     * last group of one row joins the group before it.
     */
    static int[] groupBounds(int n, int g) {
        if (g == 0 || g >= n) {
            return new int[] {0, n};
        }
        int groups = n / g + (n % g >= 2 ? 1 : 0);
        int[] bounds = new int[groups + 1];
        for (int k = 0; k < groups; k++) {
            bounds[k] = k * g;
        }
        bounds[groups] = n;
        return bounds;
    }

    /**
     * The batch loss over the relation groups: {@link #batch} of each group's rows, weighted by its share of the
     * rows, the gradient the groups' gradients (weighted the same) in row order. One group: {@link #batch} itself.
     */
    private Batch grouped(INDArray s, INDArray t, boolean withGradient) {
        int n = (int) s.size(0);
        int[] bounds = groupBounds(n, groupSize);
        int groups = bounds.length - 1;
        scoredLabelsCapacity = SCORED_LABELS * groups;
        if (groups == 1) {
            return batch(s, t, withGradient);
        }
        if (groupsInRows()) {
            return groupedInRows(s, t, withGradient, bounds);
        }
        double loss = 0;
        INDArray[] gradients = withGradient ? new INDArray[groups] : null;
        for (int k = 0; k < groups; k++) {
            INDArrayIndex rows = NDArrayIndex.interval(bounds[k], bounds[k + 1]);
            double share = (double) (bounds[k + 1] - bounds[k]) / n;
            Batch b = batch(s.get(rows, NDArrayIndex.all()).dup(), t.get(rows, NDArrayIndex.all()).dup(),
                    withGradient);
            loss += share * b.loss();
            if (withGradient) {
                gradients[k] = b.gradient().muli(share);
            }
        }
        return new Batch(loss, withGradient ? Nd4j.vstack(gradients) : null);
    }

    /** {@link #grouped} by {@link #batchLoss} on slices of the minibatch's rows (see {@link #groupsInRows}). */
    private Batch groupedInRows(INDArray s, INDArray t, boolean withGradient, int[] bounds) {
        double[][] rows = DoubleRows.of(s);
        double[][] labels = DoubleRows.of(t);
        int n = rows.length;
        double[][] gradient = withGradient ? new double[n][rows[0].length] : null;
        double loss = 0;
        for (int k = 0; k + 1 < bounds.length; k++) {
            int from = bounds[k];
            int to = bounds[k + 1];
            double share = (double) (to - from) / n;
            double[][] g = gradient == null ? null : Arrays.copyOfRange(gradient, from, to); // the same row arrays
            loss += share * batchLoss(Arrays.copyOfRange(rows, from, to), Arrays.copyOfRange(labels, from, to), g);
            if (g != null) {
                for (double[] row : g) {
                    for (int j = 0; j < row.length; j++) {
                        row[j] *= share;
                    }
                }
            }
        }
        return new Batch(loss, gradient == null ? null : DoubleRows.matrix(gradient, s.dataType()));
    }

    /**
     * Called once per training minibatch, before its loss and gradient (of every relation group) are computed: where
     * a subclass updates state that must change per minibatch, not per group (the contrastive memory bank).
     */
    protected void beforeGradient() {
    }

    /** A batch loss and, when asked for, its gradient {@code dB/dS} ({@code [n, width]}, the outputs' data type). */
    protected record Batch(double loss, INDArray gradient) {
    }

    /**
     * The unweighted batch loss {@code B}, and when {@code gradient} is not null its gradient {@code dB/dS} added into
     * it ({@code [n][width]}, zero on entry). A subclass implements this or overrides {@link #batch}.
     *
     * @param s the outputs, one row per example
     * @param t the labels, one row per example
     */
    protected double batchLoss(double[][] s, double[][] t, double[][] gradient) {
        throw new UnsupportedOperationException(kind() + " overrides batch(INDArray, INDArray, boolean)");
    }

    /**
     * The unweighted batch loss {@code B} of outputs {@code s} and labels {@code t} ({@code [n, width]}, {@code n >= 2},
     * after the activation), with {@code dB/dS} if {@code withGradient}. By default the arrays are copied to the
     * Java heap in double precision and {@link #batchLoss} does the work; a subclass working in ND4J ops (in the
     * outputs' data type, without copies) overrides this instead.
     */
    protected Batch batch(INDArray s, INDArray t, boolean withGradient) {
        double[][] rows = DoubleRows.of(s);
        double[][] g = withGradient ? new double[rows.length][rows[0].length] : null;
        double loss = batchLoss(rows, DoubleRows.of(t), g);
        return new Batch(loss, g == null ? null : DoubleRows.matrix(g, s.dataType()));
    }

    /**
     * Whether the relation groups of a minibatch are computed by {@link #batchLoss} on slices of the minibatch's
     * rows (copied to the Java heap once per minibatch; a group's rows are a slice of that array, so a group costs no
     * ND4J operation) rather than by {@link #batch} on each group's rows. Per-group ND4J operations (a few microseconds
     * each) cost more than the arithmetic of a small group; a subclass whose {@link #batchLoss} works says so here.
     */
    protected boolean groupsInRows() {
        return false;
    }

    /**
     * What a subclass derives from the labels alone (e.g. the teacher's Gram matrix or pair distances): computed by
     * {@code derive}, or, when {@code scoring} (a score without a gradient: the validation minibatches, which are the
     * same every epoch), taken from the last {@value #SCORED_LABELS} scored minibatches with exactly these label
     * values. The result must not be modified by the caller.
     */
    @SuppressWarnings("unchecked")
    protected final <T> T labelSide(INDArray labels, boolean scoring, Function<INDArray, T> derive) {
        if (!scoring) {
            return derive.apply(labels);
        }
        if (scoredLabels == null) {
            scoredLabels = new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Labels, Object> eldest) {
                    return size() > scoredLabelsCapacity;
                }
            };
        }
        return (T) scoredLabels.computeIfAbsent(Labels.of(labels), k -> derive.apply(labels));
    }

    /** How many scored minibatches' label sides {@link #labelSide} keeps (the validation split in 256-row minibatches:
     * 16 on the feature-distillation study); with relation groups, that many minibatches' groups. */
    public static final int SCORED_LABELS = 32;

    /** A short name for error messages and {@link #name()}. */
    protected abstract String kind();

    /** The activated outputs (a copy, since an activation works in place; the identity's are the outputs themselves). */
    private INDArray activated(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        if (mask != null) {
            throw new IllegalArgumentException(kind() + ": masks are not supported");
        }
        if (labels.rank() != 2 || preOutput.rank() != 2 || labels.size(0) != preOutput.size(0)) {
            throw new IllegalArgumentException(kind() + " needs outputs and labels [n, width] with the same n; got "
                    + "labels " + Arrays.toString(labels.shape()) + " and output " + Arrays.toString(preOutput.shape()));
        }
        // the identity (every feature head's) leaves the outputs as they are: no copy to protect them
        return activationFn instanceof ActivationIdentity ? preOutput : activationFn.getActivation(preOutput.dup(), true);
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
            boolean average) {
        long n = preOutput.size(0);
        double loss;
        if (lastOutputs != null && Arrays.equals(lastOutputs, DoubleRows.flat(preOutput))
                && Arrays.equals(lastLabels, DoubleRows.flat(labels))) {
            loss = lastLoss;
        } else {
            INDArray out = activated(labels, preOutput, activationFn, mask);
            loss = n < 2 ? 0 : grouped(out, labels.castTo(out.dataType()), false).loss();
        }
        double b = weight() * loss;
        return average ? b : b * n;
    }

    /**
     * Forgets the loss remembered from the last gradient: a subclass calls it when a setting of the loss changes
     * (the weight is applied outside {@link #batch} and needs no call).
     */
    protected final void forget() {
        lastOutputs = null;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        double score = computeScore(labels, preOutput, activationFn, mask, true);
        return Nd4j.valueArrayOf(new long[] {preOutput.size(0), 1}, score, preOutput.dataType());
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray out = activated(labels, preOutput, activationFn, mask);
        long n = out.size(0);
        INDArray dLdOut;
        if (n >= 2) {
            beforeGradient();
            Batch b = grouped(out, labels.castTo(out.dataType()), true);
            remember(labels, preOutput, b.loss());
            dLdOut = b.gradient().muli(n * weight());
        } else {
            remember(labels, preOutput, 0);
            dLdOut = preOutput.like().assign(0);
        }
        return activationFn instanceof ActivationIdentity ? dLdOut
                : activationFn.backprop(preOutput.dup(), dLdOut).getFirst();
    }

    /**
     * Keeps a gradient's batch loss with its arrays' values (two bulk copies to the heap, no ND4J operation): the score
     * of the same values reuses it, and arrays changed in place since are computed afresh.
     */
    private void remember(INDArray labels, INDArray preOutput, double loss) {
        lastOutputs = DoubleRows.flat(preOutput);
        lastLabels = DoubleRows.flat(labels);
        lastLoss = loss;
    }

    @Override
    public String name() {
        return kind() + "(weight=" + weight() + (groupSize == 0 ? "" : ",group=" + groupSize) + ")";
    }

    /**
     * The Gram matrix {@code a a^T} of the rows of {@code a} ({@code [n, width]}) in double precision, by one ND4J
     * (BLAS) product: for a teacher layer of width 64 on a 256-row minibatch that is 4.2 million multiply-adds,
     * which plain Java loops did several times slower.
     */
    static double[][] gram(INDArray a) {
        INDArray d = a.castTo(DataType.DOUBLE);
        return DoubleRows.of(d.mmul(d.transpose()));
    }

    /**
     * The Gram matrix {@code a a^T} of rows on the Java heap, in plain Java (for a small group, where an ND4J product
     * costs more in overhead than in arithmetic).
     */
    static double[][] gram(double[][] a) {
        int n = a.length;
        double[][] g = new double[n][n];
        for (int i = 0; i < n; i++) {
            double[] ai = a[i];
            for (int j = i; j < n; j++) {
                double[] aj = a[j];
                double sum = 0;
                for (int k = 0; k < ai.length; k++) {
                    sum += ai[k] * aj[k];
                }
                g[i][j] = sum;
                g[j][i] = sum;
            }
        }
        return g;
    }

    /**
     * A {@link #batchLoss} whose gradient is {@code dB/dS = K S} with {@code K} an {@code n x n} matrix: {@code loss}
     * returns {@code B} and, given a zero {@code K} (null without a gradient), adds into it; the product is added into
     * {@code gradient} in plain Java.
     */
    static double viaPairMatrix(double[][] s, double[][] gradient, ToDoubleFunction<double[][]> loss) {
        double[][] k = gradient == null ? null : new double[s.length][s.length];
        double b = loss.applyAsDouble(k);
        if (k != null) {
            addProduct(k, s, gradient);
        }
        return b;
    }

    /** Adds the product {@code k a} of an {@code n x n} matrix and rows {@code a} into {@code into}, in plain Java. */
    static void addProduct(double[][] k, double[][] a, double[][] into) {
        for (int i = 0; i < k.length; i++) {
            double[] ki = k[i];
            double[] out = into[i];
            for (int j = 0; j < ki.length; j++) {
                double c = ki[j];
                if (c != 0) {
                    double[] aj = a[j];
                    for (int m = 0; m < out.length; m++) {
                        out[m] += c * aj[m];
                    }
                }
            }
        }
    }

    /**
     * The product {@code k a} of an {@code n x n} matrix on the Java heap and the rows {@code a} ({@code [n, width]}),
     * by one ND4J (BLAS) product in double precision, returned in {@code a}'s data type: how a batch loss written in
     * terms of pair matrices maps {@code dB/dG} (or a pair-weighted sum of row differences) back to the rows.
     */
    static INDArray product(double[][] k, INDArray a) {
        return DoubleRows.matrix(k, DataType.DOUBLE).mmul(a.castTo(DataType.DOUBLE)).castTo(a.dataType());
    }

    /** Row norms {@code [n]} as a column {@code [n, 1]} with zeros replaced by 1: a zero row divided by it stays zero. */
    static INDArray nonZero(INDArray norms) {
        INDArray safe = norms.dup().reshape(norms.length(), 1);
        BooleanIndexing.replaceWhere(safe, 1.0, Conditions.equals(0));
        return safe;
    }

    /** 1 / norm for the non-zero row norms {@code [n]}, 0 for the zero ones, as a column {@code [n, 1]}. */
    static INDArray inverseNonZero(INDArray norms) {
        return norms.gt(0).castTo(norms.dataType()).reshape(norms.length(), 1).divi(nonZero(norms));
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
