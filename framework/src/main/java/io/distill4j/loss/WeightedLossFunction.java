package io.distill4j.loss;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * A hand-written DL4J loss with the schedulable {@code weight} (>= 0) that multiplies its score and gradient. The
 * minibatch score is the sum (or, averaged, the mean) of {@link #computeScoreArray}; DL4J divides the gradient by the
 * minibatch size in the updater.
 */
public abstract class WeightedLossFunction implements ILossFunction {
    private static final long serialVersionUID = 1L;

    @JsonProperty("weight")
    private volatile double weight;

    protected WeightedLossFunction(double weight) {
        setWeight(weight);
    }

    /** The current weight (>= 0). */
    public final double weight() {
        return weight;
    }

    /** Sets the weight; takes effect from the next minibatch. */
    public final void setWeight(double weight) {
        this.weight = Weights.check(weight);
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
            boolean average) {
        INDArray perExample = computeScoreArray(labels, preOutput, activationFn, mask);
        double sum = perExample.sumNumber().doubleValue();
        return average ? sum / perExample.size(0) : sum;
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
            IActivation activationFn, INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    @Override
    public final String toString() {
        return name();
    }
}
