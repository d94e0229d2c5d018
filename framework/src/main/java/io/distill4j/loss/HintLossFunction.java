package io.distill4j.loss;

import java.util.Arrays;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The FitNets hint loss as a DL4J loss function (Romero, Ballas, Kahou, Chassang, Gatta, Bengio, "FitNets: Hints for
 * Thin Deep Nets", ICLR 2015, eq. 3), per example:
 *
 * <pre>
 *   L = weight * 1/2 * || r - h ||^2 = weight * 1/2 * sum_k (r_k - h_k)^2
 * </pre>
 *
 * where {@code r} is the network output (the regressor's output: the student's guided layer projected to the hint
 * layer's width) and {@code h} the label (the teacher's hint-layer activation), both {@code [n, width]}. The gradient
 * with respect to {@code r} is {@code weight * (r - h)} (DL4J divides by the minibatch size in the updater).
 * {@code weight} (default 1, >= 0) is mutable so that a schedule can change it between epochs.
 */
public final class HintLossFunction implements ILossFunction {
    private static final long serialVersionUID = 1L;

    @JsonProperty("weight")
    private volatile double weight;

    /** Also the JSON creator, so that a saved graph with a hint head restores with {@code ModelSerializer}. */
    @JsonCreator
    public HintLossFunction(@JsonProperty("weight") double weight) {
        setWeight(weight);
    }

    public double weight() {
        return weight;
    }

    public void setWeight(double weight) {
        this.weight = Weights.check(weight);
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
            boolean average) {
        return LogitLossFunction.total(computeScoreArray(labels, preOutput, activationFn, mask), average);
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray diff = difference(labels, preOutput, activationFn);
        INDArray perExample = diff.muli(diff).sum(true, 1).muli(weight / 2);
        return mask == null ? perExample : perExample.muli(mask.reshape(perExample.size(0), 1)
                .castTo(perExample.dataType()));
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray dLdOut = difference(labels, preOutput, activationFn).muli(weight);
        if (mask != null) {
            dLdOut.muliColumnVector(mask.reshape(dLdOut.size(0), 1).castTo(dLdOut.dataType()));
        }
        return activationFn.backprop(preOutput.dup(), dLdOut).getFirst();
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
            IActivation activationFn, INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    /** {@code r - h}: the output after the layer's activation minus the label, as a new array. */
    private static INDArray difference(INDArray labels, INDArray preOutput, IActivation activationFn) {
        if (labels.rank() != 2 || preOutput.rank() != 2 || !Arrays.equals(labels.shape(), preOutput.shape())) {
            throw new IllegalArgumentException("hint labels must have the output's shape [n, width]; got labels "
                    + Arrays.toString(labels.shape()) + " and output " + Arrays.toString(preOutput.shape()));
        }
        INDArray out = activationFn.getActivation(preOutput.dup(), true);
        return out.subi(labels.castTo(out.dataType()));
    }

    @Override
    public String name() {
        return "Hint(weight=" + weight + ")";
    }

    @Override
    public String toString() {
        return name();
    }
}
