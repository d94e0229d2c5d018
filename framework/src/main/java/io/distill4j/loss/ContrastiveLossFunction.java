package io.distill4j.loss;

import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
 * the bank. Bank entries are constants: no gradient flows into them.
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

    // the bank's state belongs to the trial's live loss function (not configuration, not serialised)
    private transient double[][] bank;
    private transient int filled;
    private transient int next;
    private transient double[][] pending;

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

    @Override
    protected synchronized double batchLoss(double[][] p, double[][] t, double[][] gradient) {
        int n = p.length;
        if (p[0].length != t[0].length) {
            throw new IllegalArgumentException("contrastive: the projected student width " + p[0].length
                    + " differs from the teacher layer's width " + t[0].length);
        }
        if (gradient != null) {
            remember(); // the previous training minibatch joins the bank before this step
        }
        if (filled > 0 && bank[0].length != t[0].length) {
            throw new IllegalArgumentException("contrastive: the memory bank holds embeddings of width "
                    + bank[0].length + ", this minibatch's teacher layer has width " + t[0].length);
        }
        double tau = temperature;
        double[] np = new double[n];
        double[][] z = new double[n][];
        // keys: the minibatch's teacher embeddings u_j, then the filled bank slots
        double[][] keys = new double[n + filled][];
        for (int i = 0; i < n; i++) {
            np[i] = Math.sqrt(RelationalLossFunction.dot(p[i], p[i]));
            z[i] = scaled(p[i], np[i]);
            keys[i] = scaled(t[i], Math.sqrt(RelationalLossFunction.dot(t[i], t[i])));
        }
        System.arraycopy(bank == null ? new double[0][] : bank, 0, keys, n, filled);
        // l = z keys^T / tau as one matrix product; B = mean_i (logsumexp_j l_ij - l_ii)
        INDArray k = Nd4j.createFromArray(keys);
        INDArray l = Nd4j.createFromArray(z).mmul(k.transpose()).divi(tau);
        INDArray max = l.max(1);
        INDArray e = Transforms.exp(l.subColumnVector(max), false);
        INDArray sums = e.sum(1);
        double loss = max.sumNumber().doubleValue() + Transforms.log(sums, true).sumNumber().doubleValue();
        for (int i = 0; i < n; i++) {
            loss -= l.getDouble(i, i);
        }
        if (gradient != null) {
            // dB/dl_ij = (softmax_j - [i == j]) / n; dB/dz_i = sum_j dB/dl_ij key_j / tau; then through z = p/|p|
            INDArray c = e.diviColumnVector(sums);
            for (int i = 0; i < n; i++) {
                c.putScalar(i, i, c.getDouble(i, i) - 1);
            }
            double[][] g = DoubleRows.of(c.mmul(k).divi(n * tau));
            for (int i = 0; i < n; i++) {
                if (np[i] > 0) {
                    double zg = RelationalLossFunction.dot(z[i], g[i]);
                    for (int d = 0; d < g[i].length; d++) {
                        gradient[i][d] += (g[i][d] - z[i][d] * zg) / np[i];
                    }
                }
            }
            if (bankSize > 0) {
                pending = java.util.Arrays.copyOf(keys, n);
            }
        }
        return loss / n;
    }

    /** Writes the last training minibatch's teacher embeddings into the bank's ring slots. */
    private void remember() {
        if (pending == null) {
            return;
        }
        if (bank == null) {
            bank = new double[bankSize][];
        }
        for (double[] u : pending) {
            if (bank[next] == null || bankUpdate == BankUpdate.FIFO) {
                bank[next] = u;
            } else {
                double[] m = new double[u.length];
                for (int d = 0; d < m.length; d++) {
                    m[d] = bankMomentum * bank[next][d] + (1 - bankMomentum) * u[d];
                }
                bank[next] = scaled(m, Math.sqrt(RelationalLossFunction.dot(m, m)));
            }
            next = (next + 1) % bankSize;
            filled = Math.min(bankSize, filled + 1);
        }
        pending = null;
    }

    /** The bank's settings for descriptions, e.g. {@code ,bank=4096 fifo}; empty without a bank. */
    String describeBank() {
        return bankSize == 0 ? "" : ",bank=" + bankSize + " " + bankUpdate.name().toLowerCase(Locale.ROOT)
                + (bankUpdate == BankUpdate.MOMENTUM ? " " + HintonKd.fmt(bankMomentum) : "");
    }

    private static double[] scaled(double[] a, double norm) {
        double[] v = new double[a.length];
        for (int k = 0; k < a.length && norm > 0; k++) {
            v[k] = a[k] / norm;
        }
        return v;
    }
}
