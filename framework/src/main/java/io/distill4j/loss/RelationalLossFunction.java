package io.distill4j.loss;

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
 * costs {@code O(n^3 width)} per minibatch ({@code angle_weight: 0} skips it). See {@link BatchLossFunction}.
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
        int n = s.length;
        double[][][] us = differences(s);
        double[][][] ut = differences(t);
        double[][] ds = norms(us);
        double[][] dt = norms(ut);
        double loss = 0;
        if (distanceWeight > 0) {
            loss += distanceWeight * distance(s, ds, dt, us, gradient);
        }
        if (angleWeight > 0) {
            loss += angleWeight * angle(n, us, ds, ut, dt, gradient);
        }
        return loss;
    }

    private double distance(double[][] s, double[][] ds, double[][] dt, double[][][] us, double[][] gradient) {
        int n = s.length;
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
                        for (int k = 0; k < us[i][j].length; k++) {
                            gradient[i][k] += g * us[i][j][k];
                            gradient[j][k] -= g * us[i][j][k];
                        }
                    }
                }
            }
        }
        return loss / pairs;
    }

    private double angle(int n, double[][][] us, double[][] ds, double[][][] ut, double[][] dt, double[][] gradient) {
        double[][][] es = units(us, ds);
        double[][][] et = units(ut, dt);
        double cube = (double) n * n * n;
        double loss = 0;
        int w = us[0][0].length;
        for (int j = 0; j < n; j++) {
            double[][] c = gradient == null ? null : new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < n; k++) {
                    double x = dot(es[i][j], es[k][j]) - dot(et[i][j], et[k][j]);
                    loss += huber(x);
                    if (c != null) {
                        c[i][k] = huberSlope(x) / cube;
                    }
                }
            }
            if (c == null) {
                continue;
            }
            // dB/de_ij = sum_k (c_ik + c_ki) e_kj; e = u/|u|: dB/du = (f - e (e.f)) / |u|; u_ij = s_i - s_j
            for (int i = 0; i < n; i++) {
                if (i == j || ds[i][j] == 0) {
                    continue;
                }
                double[] f = new double[w];
                for (int k = 0; k < n; k++) {
                    double ck = c[i][k] + c[k][i];
                    if (ck != 0) {
                        for (int m = 0; m < w; m++) {
                            f[m] += ck * es[k][j][m];
                        }
                    }
                }
                double ef = dot(es[i][j], f);
                for (int m = 0; m < w; m++) {
                    double g = angleWeight * (f[m] - es[i][j][m] * ef) / ds[i][j];
                    gradient[i][m] += g;
                    gradient[j][m] -= g;
                }
            }
        }
        return loss / cube;
    }

    /** {@code u[i][j] = a_i - a_j}. */
    private static double[][][] differences(double[][] a) {
        int n = a.length;
        double[][][] u = new double[n][n][];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double[] d = new double[a[i].length];
                for (int k = 0; k < d.length; k++) {
                    d[k] = a[i][k] - a[j][k];
                }
                u[i][j] = d;
            }
        }
        return u;
    }

    private static double[][] norms(double[][][] u) {
        double[][] d = new double[u.length][u.length];
        for (int i = 0; i < u.length; i++) {
            for (int j = 0; j < u.length; j++) {
                d[i][j] = Math.sqrt(dot(u[i][j], u[i][j]));
            }
        }
        return d;
    }

    /** {@code u / |u|}, zero where {@code |u| = 0}. */
    private static double[][][] units(double[][][] u, double[][] d) {
        int n = u.length;
        double[][][] e = new double[n][n][];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double[] v = u[i][j].clone();
                for (int k = 0; k < v.length && d[i][j] > 0; k++) {
                    v[k] /= d[i][j];
                }
                if (d[i][j] == 0) {
                    java.util.Arrays.fill(v, 0);
                }
                e[i][j] = v;
            }
        }
        return e;
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
