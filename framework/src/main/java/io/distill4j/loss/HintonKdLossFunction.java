package io.distill4j.loss;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Hinton knowledge distillation as a DL4J loss function (Hinton, Vinyals, Dean, "Distilling the Knowledge in a
 * Neural Network", 2015):
 *
 * <pre>
 *   L = alpha * CE(y, softmax(z)) + (1 - alpha) * T^2 * KL( softmax(v / T) || softmax(z / T) )
 * </pre>
 *
 * where {@code z} are the student's logits, {@code v} the teacher's logits, {@code y} the one-hot hard label and
 * {@code T} the temperature, all multiplied by a head {@code weight} (1 by default, at least 0, schedulable; several weighted heads
 * on one student sum to a weighted loss, e.g. one hard-label head and one soft head per teacher). <b>Convention:</b> {@code alpha} weighs the hard-label term; {@code alpha = 1} is plain
 * cross-entropy training, {@code alpha = 0} pure distillation (the {@code T^2} factor is kept in both cases, so the
 * soft term's gradient scale does not change with {@code T}).
 *
 * <p>Labels are the row-wise concatenation {@code [y | v]} of shape {@code [n, 2C]} for {@code C} classes; the
 * network output ({@code preOutput} after the layer's activation, which should be identity) has shape {@code [n, C]}.
 * The gradient with respect to the logits is {@code alpha * (p - y) + (1 - alpha) * T * (p_T - q_T)} per example
 * (DL4J divides by the minibatch size in the updater). Temperature, alpha and weight are mutable so that a
 * {@link io.distill4j.api.Schedule} can change them between epochs without rebuilding the graph.
 */
public final class HintonKdLossFunction implements ILossFunction {
    private static final long serialVersionUID = 1L;

    @JsonProperty("temperature")
    private volatile double temperature;
    @JsonProperty("alpha")
    private volatile double alpha;
    @JsonProperty("weight")
    private volatile double weight;

    public HintonKdLossFunction(double temperature, double alpha) {
        this(temperature, alpha, 1.0);
    }

    /**
     * A loss whose value and gradient are multiplied by {@code weight} (>= 0). Also the JSON creator, so that a saved
     * graph with a KD head restores with DL4J's {@code ModelSerializer}.
     */
    @JsonCreator
    public HintonKdLossFunction(@JsonProperty("temperature") double temperature, @JsonProperty("alpha") double alpha,
            @JsonProperty("weight") double weight) {
        setTemperature(temperature);
        setAlpha(alpha);
        setWeight(weight);
    }

    public double weight() {
        return weight;
    }

    public void setWeight(double weight) {
        this.weight = Weights.check(weight);
    }

    public double temperature() {
        return temperature;
    }

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

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
            boolean average) {
        INDArray perExample = computeScoreArray(labels, preOutput, activationFn, mask);
        double sum = perExample.sumNumber().doubleValue();
        return average ? sum / perExample.size(0) : sum;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        int n = (int) preOutput.size(0);
        double[] score = new double[n];
        evaluate(labels, preOutput, activationFn, score, null, null);
        INDArray out = Nd4j.create(score, new long[] {n, 1}, DataType.DOUBLE).castTo(preOutput.dataType());
        return mask == null ? out : out.muli(mask.reshape(n, 1).castTo(out.dataType()));
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return gradient(labels, preOutput, activationFn, mask, null);
    }

    /** One pass over the rows for both the gradient and the score. */
    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
            IActivation activationFn, INDArray mask, boolean average) {
        int n = (int) preOutput.size(0);
        double[] score = new double[n];
        INDArray gradient = gradient(labels, preOutput, activationFn, mask, score);
        double[] mk = mask == null ? null : flat(mask);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += mk == null ? score[i] : score[i] * mk[i];
        }
        return new Pair<>(average ? sum / n : sum, gradient);
    }

    /** The gradient with respect to the pre-activation output; fills {@code score} per example when given. */
    private INDArray gradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
            double[] score) {
        int n = (int) preOutput.size(0);
        int c = (int) preOutput.size(1);
        double[] grad = new double[n * c];
        evaluate(labels, preOutput, activationFn, score, grad, mask == null ? null : flat(mask));
        INDArray dLdOut = Nd4j.create(grad, new long[] {n, c}, DataType.DOUBLE).castTo(preOutput.dataType());
        return activationFn.backprop(preOutput.dup(), dLdOut).getFirst();
    }

    /**
     * The per-row kernel: for each example, the log-softmaxes of {@code z}, {@code z/T} and {@code v/T}, then the
     * unmasked score into {@code score} and the masked gradient with respect to the logits into {@code grad} (either
     * may be {@code null}).
     */
    private void evaluate(INDArray labels, INDArray preOutput, IActivation activationFn, double[] score,
            double[] grad, double[] mask) {
        check(labels, preOutput);
        int n = (int) preOutput.size(0);
        int c = (int) preOutput.size(1);
        double[] z = logits(preOutput, activationFn);
        double[] lab = flat(labels);
        double t = temperature;
        double a = alpha;
        double[] logP = new double[c];
        double[] logPt = new double[c];
        double[] logQt = new double[c];
        double[] zi = new double[c];
        double[] zt = new double[c];
        double[] vt = new double[c];
        for (int i = 0; i < n; i++) {
            int zo = i * c;
            int lo = i * 2 * c;
            for (int k = 0; k < c; k++) {
                zi[k] = z[zo + k];
                zt[k] = zi[k] / t;
                vt[k] = lab[lo + c + k] / t;
            }
            Softmax.logSoftmax(zi, logP);
            Softmax.logSoftmax(zt, logPt);
            Softmax.logSoftmax(vt, logQt);
            if (score != null) {
                double ce = 0;
                double kl = 0;
                for (int k = 0; k < c; k++) {
                    ce -= lab[lo + k] * logP[k];
                    kl += Math.exp(logQt[k]) * (logQt[k] - logPt[k]);
                }
                score[i] = weight * (a * ce + (1 - a) * t * t * kl);
            }
            if (grad != null) {
                double ySum = 0;
                for (int k = 0; k < c; k++) {
                    ySum += lab[lo + k];
                }
                double m = mask == null ? 1 : mask[i];
                for (int k = 0; k < c; k++) {
                    double p = Math.exp(logP[k]);
                    double pt = Math.exp(logPt[k]);
                    double qt = Math.exp(logQt[k]);
                    grad[zo + k] = weight * m * (a * (p * ySum - lab[lo + k]) + (1 - a) * t * (pt - qt));
                }
            }
        }
    }

    @Override
    public String name() {
        return "HintonKD(T=" + temperature + ", alpha=" + alpha + (weight == 1 ? "" : ", weight=" + weight) + ")";
    }

    @Override
    public String toString() {
        return name();
    }

    /** The layer's output (logits) as a flat row-major array. */
    private static double[] logits(INDArray preOutput, IActivation activationFn) {
        return flat(activationFn.getActivation(preOutput.dup(), false));
    }

    /** A row-major copy of any array (views included) as doubles; fast, unlike per-element access. */
    private static double[] flat(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    private static void check(INDArray labels, INDArray output) {
        if (labels.rank() != 2 || output.rank() != 2 || labels.size(0) != output.size(0)
                || labels.size(1) != 2 * output.size(1)) {
            throw new IllegalArgumentException("Hinton KD labels must be [n, 2C] = [hard one-hot | teacher logits] "
                    + "for output [n, C]; got labels " + java.util.Arrays.toString(labels.shape()) + " and output "
                    + java.util.Arrays.toString(output.shape()));
        }
    }
}
