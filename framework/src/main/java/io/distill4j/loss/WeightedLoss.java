package io.distill4j.loss;

/** A loss function with the schedulable {@code weight} that multiplies its score and gradient. */
public interface WeightedLoss {
    /** The current weight (>= 0). */
    double weight();

    /** Sets the weight; takes effect from the next minibatch. */
    void setWeight(double weight);
}
