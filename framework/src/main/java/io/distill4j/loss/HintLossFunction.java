package io.distill4j.loss;

import java.util.Arrays;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
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
 * or, for activation matching ({@code mean = true}), the same squared error normalised by the feature size {@code D}:
 * {@code L = weight * 1/D * sum_k (r_k - h_k)^2} (so the loss does not grow with the layer's width; gradient
 * {@code weight * 2/D * (r - h)}).
 *
 * where {@code r} is the network output (the regressor's output: the student's guided layer projected to the hint
 * layer's width) and {@code h} the label (the teacher's hint-layer activation), both {@code [n, width]}. The gradient
 * with respect to {@code r} is {@code weight * (r - h)} (DL4J divides by the minibatch size in the updater).
 * {@code weight} (default 1, >= 0) is mutable so that a schedule can change it between epochs.
 */
public final class HintLossFunction extends WeightedLossFunction {
    private static final long serialVersionUID = 1L;

    @JsonProperty("mean")
    private final boolean mean;

    /** The FitNets form, {@code weight * 1/2 * ||r - h||^2}. */
    public HintLossFunction(double weight) {
        this(weight, false);
    }

    /** Also the JSON creator, so that a saved graph with a hint head restores with {@code ModelSerializer}. */
    @JsonCreator
    public HintLossFunction(@JsonProperty("weight") double weight, @JsonProperty("mean") boolean mean) {
        super(weight);
        this.mean = mean;
    }

    /** The factor of the summed squared error for rows of {@code width}: 1/2, or 1/width for the mean form. */
    private double scale(long width) {
        return mean ? 1.0 / width : 0.5;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray diff = difference(labels, preOutput, activationFn);
        INDArray perExample = diff.muli(diff).sum(true, 1).muli(weight() * scale(diff.size(1)));
        return mask == null ? perExample : perExample.muli(mask.reshape(perExample.size(0), 1)
                .castTo(perExample.dataType()));
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray diff = difference(labels, preOutput, activationFn);
        INDArray dLdOut = diff.muli(weight() * 2 * scale(diff.size(1)));
        if (mask != null) {
            dLdOut.muliColumnVector(mask.reshape(dLdOut.size(0), 1).castTo(dLdOut.dataType()));
        }
        return activationFn.backprop(preOutput.dup(), dLdOut).getFirst();
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
        return (mean ? "ActivationMse" : "Hint") + "(weight=" + weight() + ")";
    }
}
