package io.distill4j.loss;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
 * costs {@code O(n^3)} per minibatch, done in plain Java from the Gram matrices ({@code angle_weight: 0} skips it).
 *
 * <p><b>Anchors</b> ({@code angle_anchors: k}, 0 by default: exact): the angle term over {@code k} anchors only, the
 * examples {@code j = floor(a n / k)}, {@code a = 0..k-1}, evenly spaced in the minibatch, as the vertex of the
 * angles: {@code L_A ~ 1/(k n^2) * sum_{j in anchors} sum_{i,k} h(...)}, {@code O(k n^2)} per minibatch. Over the
 * shuffled training minibatches the anchors are a uniformly random sample of the examples, so this is an unbiased
 * estimate of {@code L_A} (a sampled-anchor variant, not the paper's exact term); a minibatch of at most {@code k}
 * examples gets the exact term. See {@link BatchLossFunction}.
 */
public final class RelationalLossFunction extends BatchLossFunction {
    private static final long serialVersionUID = 1L;

    @JsonProperty("distanceWeight")
    private final double distanceWeight;
    @JsonProperty("angleWeight")
    private final double angleWeight;
    @JsonProperty("angleAnchors")
    private final int angleAnchors;

    /** The exact angle term (every example an anchor). */
    public RelationalLossFunction(double weight, double distanceWeight, double angleWeight) {
        this(weight, distanceWeight, angleWeight, 0);
    }

    /**
     * @param angleAnchors k: the angle term over k evenly spaced anchors of each minibatch (0, or k at least the
     *     minibatch size: every example, the exact term)
     */
    @JsonCreator
    public RelationalLossFunction(@JsonProperty("weight") double weight,
            @JsonProperty("distanceWeight") double distanceWeight, @JsonProperty("angleWeight") double angleWeight,
            @JsonProperty("angleAnchors") int angleAnchors) {
        super(weight);
        this.distanceWeight = Weights.check(distanceWeight);
        this.angleWeight = Weights.check(angleWeight);
        if (angleAnchors < 0) {
            throw new IllegalArgumentException("angle anchors must be >= 0, got " + angleAnchors);
        }
        this.angleAnchors = angleAnchors;
    }

    public double distanceWeight() {
        return distanceWeight;
    }

    public double angleWeight() {
        return angleWeight;
    }

    /** k, the angle term's anchors per minibatch (0: every example). */
    public int angleAnchors() {
        return angleAnchors;
    }

    @Override
    protected String kind() {
        return "Relational";
    }

    /**
     * The rows in double precision, their Gram matrices by one ND4J product each, and the pair distances from the
     * Gram matrices; then the terms in plain Java over the pairs (and triples), each collecting its gradient as an
     * {@code n x n} matrix {@code K} with {@code dB/dS = K S}, mapped to the rows by one product at the end.
     */
    @Override
    protected Batch batch(INDArray out, INDArray labels, boolean withGradient) {
        Side s = Side.of(out);
        Side t = labelSide(labels, !withGradient, Side::of); // a validation minibatch's: once per trial
        int n = s.rows.length;
        double[][] toRows = withGradient ? new double[n][n] : null; // dB/dS = toRows S
        double loss = terms(s, t, toRows);
        return new Batch(loss, toRows == null ? null : product(toRows, out));
    }

    /** The same in plain Java (Gram matrices and the final product too), for the small relation groups. */
    @Override
    protected double batchLoss(double[][] s, double[][] t, double[][] gradient) {
        return viaPairMatrix(s, gradient, k -> terms(new Side(s, gram(s)), new Side(t, gram(t)), k));
    }

    @Override
    protected boolean groupsInRows() {
        return true;
    }

    /** {@code B}, with {@code dB/dS = toRows S} added into {@code toRows} when it is not null. */
    private double terms(Side s, Side t, double[][] toRows) {
        double loss = 0;
        if (distanceWeight > 0) {
            loss += distanceWeight * distance(s, t, toRows);
        }
        if (angleWeight > 0) {
            loss += angleWeight * angle(s, t, toRows);
        }
        return loss;
    }

    /**
     * One side's rows {@code a}, Gram matrix {@code G = a a^T} and pair distances
     * {@code ||a_i - a_j|| = sqrt(G_ii + G_jj - 2 G_ij)}; where that difference is within {@code 1e-9 (G_ii + G_jj)}
     * of zero (coinciding or nearly coinciding rows, where it cancels) the distance is summed from the rows
     * themselves, so coinciding rows are exactly 0 apart.
     */
    private static final class Side {
        final double[][] rows;
        final double[][] gram;
        final double[][] distance;

        /** Rows and Gram matrix of an array, the Gram matrix by one ND4J (BLAS) product. */
        static Side of(INDArray a) {
            return new Side(DoubleRows.of(a), gram(a));
        }

        Side(double[][] rows, double[][] gram) {
            this.rows = rows;
            this.gram = gram;
            distance = symmetric(rows.length, false, (i, j) -> {
                double sum = gram[i][i] + gram[j][j];
                double squared = sum - 2 * gram[i][j];
                return squared > 1e-9 * sum ? Math.sqrt(squared) : Math.sqrt(squaredDistance(rows[i], rows[j]));
            });
        }
    }

    private static double squaredDistance(double[] a, double[] b) {
        double sum = 0;
        for (int k = 0; k < a.length; k++) {
            double x = a[k] - b[k];
            sum += x * x;
        }
        return sum;
    }

    private double distance(Side side, Side teacher, double[][] toRows) {
        double[][] s = side.rows;
        int n = s.length;
        double[][] ds = side.distance;
        double[][] dt = teacher.distance;
        double pairs = (double) n * (n - 1);
        double muS = sumOffDiagonal(ds) / pairs;
        double muT = sumOffDiagonal(dt) / pairs;
        if (!(muS > 0) || !(muT > 0)) {
            return 0;
        }
        double loss = 0;
        double[][] c = new double[n][n]; // dB/dpsi_ij / (n(n-1)) for i < j (psi is symmetric: (j, i) is the same)
        double cd = 0;
        for (int i = 0; i < n; i++) {
            double[] dsi = ds[i];
            double[] dti = dt[i];
            double[] ci = c[i];
            for (int j = i + 1; j < n; j++) {
                double x = dsi[j] / muS - dti[j] / muT;
                loss += 2 * huber(x);
                ci[j] = huberSlope(x) / pairs;
                cd += 2 * ci[j] * dsi[j];
            }
        }
        if (toRows != null) {
            // dB/dd_ij = c_ij / mu - (sum_kl c_kl d_kl / mu^2) / (n(n-1)), through d_ij = ||s_i - s_j||: row i gets
            // sum_j (g_ij + g_ji) (s_i - s_j) with g_ij = dB/dd_ij / d_ij, i.e. K += the Laplacian of g + g^T
            double shared = cd / (muS * muS) / pairs;
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    if (ds[i][j] > 0) {
                        double g = 2 * (c[i][j] / muS - shared) * distanceWeight / ds[i][j];
                        toRows[i][j] -= g;
                        toRows[j][i] -= g;
                        toRows[i][i] += g;
                        toRows[j][j] += g;
                    }
                }
            }
        }
        return loss / pairs;
    }

    /**
     * The angle term in plain Java over the rows (no ND4J temporaries, so memory stays {@code O(n^2)}). The cosines
     * come from the Gram matrix {@code G = A A^T}: {@code e_ij . e_kj = D_ijk u_ij u_kj} with
     * {@code D_ijk = G_ik - G_ij - G_jk + G_jj} and {@code u_ij = 1 / ||a_i - a_j||} (0 where the distance is 0, so
     * degenerate cosines are 0), so the {@code O(n^3)} loop has no factor of either width. The gradient is collected
     * as {@code dB/dG} (directly and through {@code u_ij = (G_ii + G_jj - G_ij - G_ji)^(-1/2)}) and mapped to the
     * student's rows by one product, {@code dB/dS = (dB/dG + dB/dG^T) S}: {@code O(n^3 + n^2 w)} per minibatch.
     */
    private double angle(Side side, Side teacher, double[][] toRows) {
        double[][] s = side.rows;
        int n = s.length;
        int anchors = angleAnchors == 0 ? n : Math.min(n, angleAnchors);
        // the mean over the anchors' n^2 triples each
        double cube = (double) anchors * n * n;
        double[][] gs = side.gram;
        double[][] gt = teacher.gram;
        double[][] us = inverse(side.distance);
        double[][] ut = inverse(teacher.distance);
        double[][] dG = toRows == null ? null : new double[n][n];
        double[][] dU = toRows == null ? null : new double[n][n];
        double scale = angleWeight / cube;
        double loss = 0;
        for (int a = 0; a < anchors; a++) {
            int j = (int) ((long) a * n / anchors); // evenly spaced; every example when anchors = n
            double[] gsj = gs[j];
            double[] gtj = gt[j];
            double[] usj = us[j]; // u_kj = us[j][k] (symmetric)
            double[] utj = ut[j];
            double gsjj = gsj[j];
            double gtjj = gtj[j];
            for (int i = 0; i < n; i++) {
                double uij = usj[i];
                double vij = utj[i];
                if (uij == 0 && vij == 0) {
                    continue; // every cosine of this (i, j) is 0 on both sides
                }
                double[] gsi = gs[i];
                double[] gti = gt[i];
                double bs = gsjj - gsi[j];
                double bt = gtjj - gti[j];
                // psi_A(i,j,k) = psi_A(k,j,i): the pairs k > i count twice (m = 2), k = i once
                if (dG == null) {
                    double m = 1;
                    for (int k = i; k < n; k++) {
                        double x = (gsi[k] - gsj[k] + bs) * uij * usj[k] - (gti[k] - gtj[k] + bt) * vij * utj[k];
                        loss += m * huber(x);
                        m = 2;
                    }
                    continue;
                }
                // where u_ij or u_kj is 0 the products below are 0 or land on entries addGramGradient skips; the
                // ordered pair (k, i) adds the transposes of (i, k)'s entries, which the symmetric use of dG and dU
                // makes the same entries
                double[] dGi = dG[i];
                double[] dGj = dG[j];
                double[] dUj = dU[j];
                double sumP = 0;
                double sumU = 0;
                double m = 1;
                for (int k = i; k < n; k++) {
                    double ukj = usj[k];
                    double ds = gsi[k] - gsj[k] + bs;
                    double x = ds * uij * ukj - (gti[k] - gtj[k] + bt) * vij * utj[k];
                    loss += m * huber(x);
                    double c = m * huberSlope(x) * scale;
                    m = 2;
                    double p = c * uij * ukj;
                    dGi[k] += p;
                    dGj[k] -= p;
                    sumP += p;
                    double cd = c * ds;
                    sumU += cd * ukj;
                    dUj[k] += cd * uij;
                }
                dGi[j] -= sumP;
                dGj[j] += sumP;
                dU[i][j] += sumU;
            }
        }
        if (dG != null) {
            addGramGradient(us, dG, dU, toRows);
        }
        return loss / cube;
    }

    /**
     * Adds {@code dB/dG + dB/dG^T} to {@code k} (so that {@code k A} is the rows' gradient), after adding into
     * {@code dG} what flows through the inverse distances: {@code u_pq = (G_pp + G_qq - G_pq - G_qp)^(-1/2)}, so
     * {@code du_pq/dG_pp = du_pq/dG_qq = -u^3/2} and {@code du_pq/dG_pq = du_pq/dG_qp = u^3/2} (the symmetric
     * {@code u} lets {@code dU} hold either ordered pair).
     */
    private static void addGramGradient(double[][] u, double[][] dG, double[][] dU, double[][] k) {
        int n = u.length;
        for (int p = 0; p < n; p++) {
            for (int q = 0; q < n; q++) {
                double upq = u[p][q];
                if (upq != 0 && dU[p][q] != 0) {
                    double h = dU[p][q] * upq * upq * upq * 0.5;
                    dG[p][p] -= h;
                    dG[q][q] -= h;
                    dG[p][q] += h;
                    dG[q][p] += h;
                }
            }
        }
        for (int p = 0; p < n; p++) {
            for (int q = 0; q < n; q++) {
                k[p][q] += dG[p][q] + dG[q][p];
            }
        }
    }

    /** {@code 1 / d_ij}, 0 where the distance is 0 (the diagonal included). */
    private static double[][] inverse(double[][] d) {
        return symmetric(d.length, false, (i, j) -> d[i][j] > 0 ? 1 / d[i][j] : 0);
    }

    private interface PairValue {
        double at(int i, int j);
    }

    /** The symmetric {@code n x n} matrix of {@code value(i, j)} for {@code i < j} (and {@code i = j} if asked; else 0). */
    private static double[][] symmetric(int n, boolean diagonal, PairValue value) {
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = diagonal ? i : i + 1; j < n; j++) {
                m[i][j] = value.at(i, j);
                m[j][i] = m[i][j];
            }
        }
        return m;
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
}
