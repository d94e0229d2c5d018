package io.distill4j.loss;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Relational knowledge distillation (Park, Kim, Lu, Cho, "Relational Knowledge Distillation", CVPR 2019): the student
 * keeps the teacher's distances and angles between the examples of a minibatch. With rows {@code s_i} of the
 * student's activations and {@code t_i} of the teacher's (widths may differ), {@code h} the smooth-L1 penalty
 * ({@link #huber}, threshold 1):
 *
 * <pre>
 *   distance:  psi_D(i,j) = ||s_i - s_j|| / mu,  mu = mean of ||s_i - s_j|| over the n(n-1) pairs i != j
 *              L_D = 1/(n(n-1)) * sum_{i != j} h(psi_D^S(i,j) - psi_D^T(i,j))
 *   angle:     e_ij = (s_i - s_j) / ||s_i - s_j||  (e_jj = 0),  psi_A(i,j,k) = e_ij . e_kj
 *              L_A = 1/n^3 * sum_{i,j,k} h(psi_A^S(i,j,k) - psi_A^T(i,j,k))
 *   B = distance_weight * L_D + angle_weight * L_A
 * </pre>
 *
 * The head's score is {@code weight * B}. The paper weighs the terms 25 and 50 (its lambda_D, lambda_A); here their
 * ratio is the default ({@code distance_weight: 1, angle_weight: 2}) and {@code weight} scales both. The angle term
 * averages over all {@code n^3} triples including degenerate ones (zero on both sides), as the authors' code does; it
 * costs {@code O(n^3)} per minibatch, done in ND4J from the Gram matrices ({@code angle_weight: 0} skips it). See
 * {@link BatchLossFunction}.
 */
public final class RelationalLossFunction extends BatchLossFunction {
    private static final long serialVersionUID = 1L;

    @JsonProperty("distanceWeight")
    private final double distanceWeight;
    @JsonProperty("angleWeight")
    private final double angleWeight;

    @JsonCreator
    public RelationalLossFunction(@JsonProperty("weight") double weight,
            @JsonProperty("distanceWeight") double distanceWeight, @JsonProperty("angleWeight") double angleWeight) {
        super(weight);
        this.distanceWeight = Weights.check(distanceWeight);
        this.angleWeight = Weights.check(angleWeight);
    }

    public double distanceWeight() {
        return distanceWeight;
    }

    public double angleWeight() {
        return angleWeight;
    }

    @Override
    protected String kind() {
        return "Relational";
    }

    @Override
    protected double batchLoss(double[][] s, double[][] t, double[][] gradient) {
        double loss = 0;
        if (distanceWeight > 0) {
            loss += distanceWeight * distance(s, t, gradient);
        }
        if (angleWeight > 0) {
            loss += angleWeight * angle(s, t, gradient);
        }
        return loss;
    }

    private double distance(double[][] s, double[][] t, double[][] gradient) {
        int n = s.length;
        double[][] ds = distances(s);
        double[][] dt = distances(t);
        double pairs = (double) n * (n - 1);
        double muS = sumOffDiagonal(ds) / pairs;
        double muT = sumOffDiagonal(dt) / pairs;
        if (!(muS > 0) || !(muT > 0)) {
            return 0;
        }
        double loss = 0;
        double[][] c = new double[n][n];
        double cd = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    double x = ds[i][j] / muS - dt[i][j] / muT;
                    loss += huber(x);
                    c[i][j] = huberSlope(x) / pairs;
                    cd += c[i][j] * ds[i][j];
                }
            }
        }
        if (gradient != null) {
            // dB/dd_ij = c_ij / mu - (sum_kl c_kl d_kl / mu^2) / (n(n-1)), through d_ij = ||s_i - s_j||
            double shared = cd / (muS * muS) / pairs;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (i != j && ds[i][j] > 0) {
                        double g = (c[i][j] / muS - shared) * distanceWeight / ds[i][j];
                        for (int k = 0; k < s[i].length; k++) {
                            double u = g * (s[i][k] - s[j][k]);
                            gradient[i][k] += u;
                            gradient[j][k] -= u;
                        }
                    }
                }
            }
        }
        return loss / pairs;
    }

    /**
     * The angle term, anchors {@code j} in blocks of {@value #ANCHOR_BLOCK}. The cosines come from the Gram matrix
     * {@code G = A A^T} (computed once): {@code (a_i - a_j) . (a_k - a_j) = G_ik - G_ij - G_jk + G_jj}, divided by
     * both distances, so the {@code O(n^3)} part is element-wise ND4J work without the width factor (the teacher's
     * layer may be wide); the gradient's {@code f_ij = sum_k (c_ik + c_ki) e_kj} is one batched matrix product over
     * the student's width.
     */
    private double angle(double[][] s, double[][] t, double[][] gradient) {
        int n = s.length;
        int w = s[0].length;
        double cube = (double) n * n * n;
        INDArray sa = Nd4j.createFromArray(s);
        INDArray gs = sa.mmul(sa.transpose());
        INDArray ta = Nd4j.createFromArray(t);
        INDArray gt = ta.mmul(ta.transpose());
        double[][] invS = inverseDistances(s);
        double[][] invT = inverseDistances(t);
        double loss = 0;
        for (int from = 0; from < n; from += ANCHOR_BLOCK) {
            int b = Math.min(ANCHOR_BLOCK, n - from);
            INDArray inverse = block(invS, from, b);
            INDArray x = cosines(gs, inverse, from, b).subi(cosines(gt, block(invT, from, b), from, b));
            INDArray a = Transforms.abs(x, true);
            INDArray q = Transforms.min(a, 1.0, true);
            // h(x) = q (|x| - q/2) with q = min(|x|, 1): x^2/2 inside [-1, 1], |x| - 1/2 outside
            loss += q.mul(a.subi(q.mul(0.5))).sumNumber().doubleValue();
            if (gradient == null) {
                continue;
            }
            INDArray es = units(s, from, b, inverse);
            INDArray c = Transforms.max(Transforms.min(x, 1.0, true), -1.0, false).divi(cube);
            INDArray f = Nd4j.matmul(c.add(c.permute(0, 2, 1)), es);
            INDArray ef = es.mul(f).sum(2).reshape(b, n, 1);
            INDArray g = f.subi(es.mul(ef.broadcast(b, n, w))).muli(inverse.reshape(b, n, 1).broadcast(b, n, w))
                    .muli(angleWeight);
            double[] flat = DoubleRows.flat(g);
            for (int jj = 0; jj < b; jj++) {
                int j = from + jj;
                for (int i = 0; i < n; i++) {
                    int at = (jj * n + i) * w;
                    for (int m = 0; m < w; m++) {
                        gradient[i][m] += flat[at + m];
                        gradient[j][m] -= flat[at + m];
                    }
                }
            }
        }
        return loss / cube;
    }

    /** Anchors handled at once: [b, n, n] arrays stay small (b = 32, n = 256: 2M doubles). */
    private static final int ANCHOR_BLOCK = 32;

    /**
     * {@code cos[jj][i][k] = e_ij . e_kj} for anchors {@code j = from + jj}, from the Gram matrix and the inverse
     * distances {@code inverse[jj][i] = 1 / ||a_i - a_j||} (0 where the distance is 0, so degenerate cosines are 0).
     */
    private static INDArray cosines(INDArray gram, INDArray inverse, int from, int b) {
        int n = (int) gram.size(0);
        INDArray rows = gram.get(NDArrayIndex.interval(from, from + b), NDArrayIndex.all()); // G_ji
        INDArray self = Nd4j.createUninitialized(DataType.DOUBLE, b);
        for (int jj = 0; jj < b; jj++) {
            self.putScalar(jj, gram.getDouble(from + jj, from + jj));
        }
        INDArray dots = gram.reshape(1, n, n).broadcast(b, n, n)
                .sub(rows.reshape(b, n, 1).broadcast(b, n, n))
                .subi(rows.reshape(b, 1, n).broadcast(b, n, n))
                .addi(self.reshape(b, 1, 1).broadcast(b, n, n));
        return dots.muli(inverse.reshape(b, n, 1).broadcast(b, n, n)).muli(inverse.reshape(b, 1, n)
                .broadcast(b, n, n));
    }

    /** Rows {@code [from, from + b)} of a matrix as {@code [b, n]}. */
    private static INDArray block(double[][] m, int from, int b) {
        return Nd4j.createFromArray(java.util.Arrays.copyOfRange(m, from, from + b));
    }

    /** {@code 1 / ||a_i - a_j||}, 0 where the distance is 0. */
    private static double[][] inverseDistances(double[][] a) {
        double[][] d = distances(a);
        for (double[] row : d) {
            for (int k = 0; k < row.length; k++) {
                row[k] = row[k] > 0 ? 1 / row[k] : 0;
            }
        }
        return d;
    }

    /** {@code e_ij = (a_i - a_j) * inverse[jj][i]} for anchors {@code j = from + jj} as {@code [b, n, width]}. */
    private static INDArray units(double[][] a, int from, int b, INDArray inverse) {
        int n = a.length;
        int w = a[0].length;
        double[] inv = DoubleRows.flat(inverse);
        double[] e = new double[b * n * w];
        for (int jj = 0; jj < b; jj++) {
            double[] anchor = a[from + jj];
            for (int i = 0; i < n; i++) {
                int at = (jj * n + i) * w;
                for (int m = 0; m < w; m++) {
                    e[at + m] = (a[i][m] - anchor[m]) * inv[jj * n + i];
                }
            }
        }
        return Nd4j.create(e, new long[] {b, n, w}, DataType.DOUBLE);
    }

    /** {@code d[i][j] = ||a_i - a_j||}. */
    private static double[][] distances(double[][] a) {
        int n = a.length;
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double sum = 0;
                for (int k = 0; k < a[i].length; k++) {
                    double x = a[i][k] - a[j][k];
                    sum += x * x;
                }
                d[i][j] = Math.sqrt(sum);
                d[j][i] = d[i][j];
            }
        }
        return d;
    }

    private static double sumOffDiagonal(double[][] d) {
        double sum = 0;
        for (int i = 0; i < d.length; i++) {
            for (int j = 0; j < d.length; j++) {
                if (i != j) {
                    sum += d[i][j];
                }
            }
        }
        return sum;
    }

    static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int k = 0; k < a.length; k++) {
            sum += a[k] * b[k];
        }
        return sum;
    }
}
