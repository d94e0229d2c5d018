package io.distill4j.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A DL4J SameDiff layer computed without SameDiff where the subclass can ({@link #applies}), else by DL4J's SameDiff
 * path: the forward pass is the subclass's {@link #forward}, and the backward pass its {@link #backward} when it
 * follows the subclass's own training-mode forward pass on the same input, else DL4J's (which computes the forward
 * pass again itself).
 */
abstract class DirectSameDiffLayer extends SameDiffLayer {
    private static final long serialVersionUID = 1L;
    /**
     * The factor DL4J 1.0.0-M2.1's SameDiff layers put on the gradients they return, for their parameters and their
     * input (README, "Model types"); the direct layers return the same, so that replacing DL4J's changes no training.
     */
    static final float SAMEDIFF_GRADIENT_FACTOR = 2f;

    private final transient KeptPass kept = new KeptPass();

    DirectSameDiffLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** Whether the subclass computes the layer for the current input and mask. */
    abstract boolean applies();

    /** The forward pass of the current input, in the workspace's activation memory. */
    abstract INDArray forward(boolean training, LayerWorkspaceMgr workspaceMgr);

    /** The backward pass of the kept training-mode forward pass: parameter gradients and the input's gradient. */
    abstract Pair<Gradient, INDArray> backward(INDArray epsilon, LayerWorkspaceMgr workspaceMgr);

    @Override
    public final INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        kept.forget();
        if (!applies()) {
            return super.activate(training, workspaceMgr);
        }
        INDArray output = forward(training, workspaceMgr);
        kept.computed(training, input);
        return output;
    }

    @Override
    public final Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!kept.takeFor(input, maskArray)) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        return backward(epsilon, workspaceMgr);
    }

    /** How many forward passes this layer computed itself (for tests). */
    long passes() {
        return kept.passes();
    }
}
