package io.distill4j.loss;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Contrastive representation distillation in its InfoNCE form (after Tian, Krishnan, Isola, "Contrastive
 * Representation Distillation", ICLR 2020): the student's projected embedding of an example must pick out the
 * teacher's embedding of the same example among the teacher's embeddings of the whole minibatch and, optionally, of a
 * memory bank of past samples. With {@code p_i} the student's projected activation, {@code t_i} the teacher's, of the
 * same width, and {@code m_k} the bank's {@code K} entries (unit vectors),
 *
 * <pre>
 *   z_i = p_i / ||p_i||,  u_j = t_j / ||t_j||,  l_ij = z_i . u_j / tau,  b_ik = z_i . m_k / tau
 *   B = -1/n * sum_i log( exp(l_ii) / (sum_j exp(l_ij) + sum_k exp(b_ik)) )
 * </pre>
 *
 * The head's score is {@code weight * B}; {@code tau} ({@code temperature}, default 0.1) is schedulable.
 *
 * <p><b>Memory bank</b> ({@code bank_size} K above 0): the teacher embeddings {@code u_j} of past training minibatches
 * kept as extra negatives, the paper's device for many more negatives than a minibatch holds. A minibatch enters the
 * bank after it has trained (at the next training step, so that a step's score and gradient see the same bank), row
 * by row into K ring slots: {@code fifo} overwrites the oldest slot (a queue of the last K teacher embeddings);
 * {@code momentum} blends the slot with the new embedding, {@code m <- normalise(mu * m + (1 - mu) * u)} (the paper's
 * update rule with momentum {@code mu}, default 0.5, applied per ring slot since the cached teacher embeddings here are
 * fixed targets, not a trained encoder). An empty slot takes the embedding as it is. Scoring (validation) only reads
 * the bank. Bank entries are constants: no gradient flows into them. With relation groups
 * ({@link BatchLossFunction}) each group's softmax runs over its own rows' teacher embeddings plus the whole bank, so
 * the bank's cost, {@code 2 n K width} multiply-adds per step, does not shrink with the group size; the whole
 * minibatch joins the bank after its step, as without groups.
 *
 * <p>Departures from the paper, which trains a projection on both sides and indexes its memory by sample with an NCE
 * objective: only the student side is projected (the teacher's cached activations are the fixed targets), the
 * negatives are the other examples of the minibatch (n - 1 of them) plus the bank, and the objective is the InfoNCE
 * softmax. See {@link BatchLossFunction}.
 */
public final class ContrastiveLossFunction extends BatchLossFunction {
    private static final long serialVersionUID = 1L;

    /** How bank slots take new teacher embeddings. */
    public enum BankUpdate { FIFO, MOMENTUM }

    @JsonProperty("temperature")
    private volatile double temperature;
    @JsonProperty("bankSize")
    private final int bankSize;
    @JsonProperty("bankUpdate")
    private final BankUpdate bankUpdate;
    @JsonProperty("bankMomentum")
    private final double bankMomentum;

    // the bank's state belongs to the trial's live loss function (not configuration, not serialised): K ring slots
    // [K, width], of which the first `filled` hold an embedding (slots fill in order), `next` the slot written next
    private transient INDArray bank;
    private transient int filled;
    private transient int next;
    // the teacher embeddings of the last training minibatch, one array per relation group, in row order
    private transient List<INDArray> pending;

    /** In-batch negatives only. */
    public ContrastiveLossFunction(double weight, double temperature) {
        this(weight, temperature, 0, BankUpdate.FIFO, 0.5);
    }

    /**
     * @param bankSize K, the memory bank's entries (0: in-batch negatives only)
     * @param bankMomentum mu in [0, 1) for {@link BankUpdate#MOMENTUM}
     */
    @JsonCreator
    public ContrastiveLossFunction(@JsonProperty("weight") double weight,
            @JsonProperty("temperature") double temperature, @JsonProperty("bankSize") int bankSize,
            @JsonProperty("bankUpdate") BankUpdate bankUpdate, @JsonProperty("bankMomentum") double bankMomentum) {
        super(weight);
        setTemperature(temperature);
        if (bankSize < 0) {
            throw new IllegalArgumentException("bank_size must be >= 0, got " + bankSize);
        }
        if (!(bankMomentum >= 0 && bankMomentum < 1)) {
            throw new IllegalArgumentException("bank momentum must be in [0, 1), got " + bankMomentum);
        }
        this.bankSize = bankSize;
        this.bankUpdate = bankUpdate == null ? BankUpdate.FIFO : bankUpdate;
        this.bankMomentum = bankMomentum;
    }

    public double temperature() {
        return temperature;
    }

    public void setTemperature(double temperature) {
        if (!(temperature >= 0.001 && temperature <= 100)) {
            throw new IllegalArgumentException("temperature must be in [0.001, 100], got " + temperature);
        }
        this.temperature = temperature;
        forget();
    }

    /** K, the bank's size (0: none). */
    public int bankSize() {
        return bankSize;
    }

    public BankUpdate bankUpdate() {
        return bankUpdate;
    }

    public double bankMomentum() {
        return bankMomentum;
    }

    /** How many bank slots hold an embedding. */
    public synchronized int bankFilled() {
        return filled;
    }

    @Override
    protected String kind() {
        return "Contrastive";
    }

    /**
     * In ND4J ops in the outputs' data type (float in training, double in the gradient checks): the logits are one
     * matrix product with the minibatch's teacher embeddings and the bank's, the gradient another.
     */
    @Override
    protected synchronized Batch batch(INDArray p, INDArray t, boolean withGradient) {
        long n = p.size(0);
        checkWidths(p.size(1), t.size(1));
        if (filled > 0 && bank.size(1) != t.size(1)) {
            throw new IllegalArgumentException("contrastive: the memory bank holds embeddings of width "
                    + bank.size(1) + ", this minibatch's teacher layer has width " + t.size(1));
        }
        double tau = temperature;
        INDArray np = p.norm2(1);
        INDArray safe = nonZero(np);
        INDArray z = p.divColumnVector(safe);
        INDArray u = t.divColumnVector(nonZero(t.norm2(1)));
        // keys: the minibatch's teacher embeddings u_j, then the filled bank slots
        INDArray keys = filled == 0 ? u
                : Nd4j.vstack(u, bank.get(NDArrayIndex.interval(0, filled), NDArrayIndex.all()).castTo(u.dataType()));
        // l = z keys^T / tau; B = mean_i (logsumexp_j l_ij - l_ii), l_ii = z_i . u_i / tau
        INDArray l = z.mmul(keys.transpose()).divi(tau);
        INDArray max = l.max(1);
        INDArray e = Transforms.exp(l.subiColumnVector(max), false);
        INDArray sums = e.sum(1);
        double loss = max.sumNumber().doubleValue() + Transforms.log(sums, true).sumNumber().doubleValue()
                - z.mul(u).sum(1).sumNumber().doubleValue() / tau;
        INDArray gradient = null;
        if (withGradient) {
            // dB/dl_ij = (softmax_j - [i == j]) / n; dB/dz_i = sum_j dB/dl_ij key_j / tau; then through z = p/|p|
            INDArray c = e.diviColumnVector(sums);
            c.get(NDArrayIndex.all(), NDArrayIndex.interval(0, n)).subi(Nd4j.eye(n).castTo(c.dataType()));
            INDArray g = c.mmul(keys).divi(n * tau);
            INDArray zg = z.mul(g).sum(true, 1);
            // rows with p_i = 0 have z_i = 0 and no gradient
            gradient = g.subi(z.mulColumnVector(zg)).muliColumnVector(inverseNonZero(np));
            if (bankSize > 0) {
                if (pending == null) {
                    pending = new ArrayList<>();
                }
                pending.add(u.detach()); // outlives the layer's workspace
            }
        }
        return new Batch(loss / n, gradient);
    }

    /**
     * In-batch negatives in plain Java, for the small relation groups ({@link BatchLossFunction}): the same loss and
     * gradient as {@link #batch} without a bank. With a bank the groups are computed by {@link #batch}.
     */
    @Override
    protected double batchLoss(double[][] p, double[][] t, double[][] gradient) {
        checkWidths(p[0].length, t[0].length);
        int n = p.length;
        double tau = temperature;
        double[] norms = new double[n];
        double[][] z = new double[n][];
        double[][] u = new double[n][];
        for (int i = 0; i < n; i++) {
            norms[i] = Math.sqrt(dot(p[i], p[i]));
            z[i] = unit(p[i], norms[i]);
            u[i] = unit(t[i], Math.sqrt(dot(t[i], t[i])));
        }
        double loss = 0;
        double[] l = new double[n];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                l[j] = dot(z[i], u[j]) / tau;
                max = Math.max(max, l[j]);
            }
            double sum = 0;
            for (int j = 0; j < n; j++) {
                l[j] = Math.exp(l[j] - max);
                sum += l[j];
            }
            loss += max + Math.log(sum) - dot(z[i], u[i]) / tau;
            if (gradient != null && norms[i] > 0) {
                // dB/dz_i = sum_j (softmax_ij - [i == j]) u_j / (n tau); then through z_i = p_i / |p_i|
                double[] g = new double[p[i].length];
                for (int j = 0; j < n; j++) {
                    double c = (l[j] / sum - (i == j ? 1 : 0)) / (n * tau);
                    for (int m = 0; m < g.length; m++) {
                        g[m] += c * u[j][m];
                    }
                }
                double zg = dot(z[i], g);
                for (int m = 0; m < g.length; m++) {
                    gradient[i][m] += (g[m] - z[i][m] * zg) / norms[i];
                }
            }
        }
        return loss / n;
    }

    /** Groups in plain Java without a bank (each group's softmax would also run over the whole bank). */
    @Override
    protected boolean groupsInRows() {
        return bankSize == 0;
    }

    private static void checkWidths(long student, long teacher) {
        if (student != teacher) {
            throw new IllegalArgumentException("contrastive: the projected student width " + student
                    + " differs from the teacher layer's width " + teacher);
        }
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int m = 0; m < a.length; m++) {
            sum += a[m] * b[m];
        }
        return sum;
    }

    /** {@code a / norm}, zero for a zero norm. */
    private static double[] unit(double[] a, double norm) {
        double[] e = new double[a.length];
        if (norm > 0) {
            for (int m = 0; m < a.length; m++) {
                e[m] = a[m] / norm;
            }
        }
        return e;
    }

    /** The previous training minibatch (all its relation groups) joins the bank before this step. */
    @Override
    protected synchronized void beforeGradient() {
        if (pending != null) {
            for (INDArray u : pending) {
                remember(u);
            }
            pending = null;
        }
    }

    /** Writes teacher embeddings {@code [rows, width]} into the bank's ring slots, in order. */
    private void remember(INDArray embeddings) {
        if (bank == null) {
            try (MemoryWorkspace none = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                bank = Nd4j.create(embeddings.dataType(), bankSize, embeddings.size(1));
            }
        }
        INDArray u = embeddings.castTo(bank.dataType());
        long rows = u.size(0);
        // in runs of consecutive slots: slots fill in order, so a run is all empty (the ring not yet full) or all full
        for (long from = 0; from < rows;) {
            long run = Math.min(rows - from, bankSize - next);
            INDArray slots = bank.get(NDArrayIndex.interval(next, next + run), NDArrayIndex.all());
            INDArray incoming = u.get(NDArrayIndex.interval(from, from + run), NDArrayIndex.all());
            if (filled < bankSize || bankUpdate == BankUpdate.FIFO) {
                slots.assign(incoming);
            } else {
                INDArray m = slots.mul(bankMomentum).addi(incoming.mul(1 - bankMomentum));
                slots.assign(m.divColumnVector(nonZero(m.norm2(1))));
            }
            next = (int) ((next + run) % bankSize);
            filled = (int) Math.min(bankSize, filled + run);
            from += run;
        }
    }

    /** The bank's settings for descriptions, e.g. {@code ,bank=4096 fifo}; empty without a bank. */
    String describeBank() {
        return bankSize == 0 ? "" : ",bank=" + bankSize + " " + bankUpdate.name().toLowerCase(Locale.ROOT)
                + (bankUpdate == BankUpdate.MOMENTUM ? " " + HintonKd.fmt(bankMomentum) : "");
    }
}
