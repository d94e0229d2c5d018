package io.distill4j.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's dense layer with a backward pass that reads the activation its forward pass produced, instead of computing
 * the layer's pre-activation {@code z = x W + b} a second time: DL4J's {@code BaseLayer.backpropGradient} always
 * recomputes it (a matrix product, a copy of the product's column-major result into a row-major array, a bias
 * addition), about a sixth of an MLP teacher's training step by the profile in the README's performance notes.
 *
 * <p>The activation is enough for the two activations distill4j's MLPs train with: ReLU's derivative masks the
 * upstream gradient where {@code z > 0}, and {@code z > 0} exactly where {@code relu(z) > 0} (the same
 * {@code RectifiedLinearDerivative} op runs on the activation instead of on {@code z}); the identity's derivative
 * needs neither. Every value is the one DL4J computes, bit for bit ({@code ActivationReusingDenseLayerTest}). Any other
 * case (another activation, a ReLU with a cap, threshold or slope, layer normalisation, weight noise, a mask, or a
 * backward pass that does not follow this layer's last training-mode forward pass on the same input) takes DL4J's own
 * path.
 *
 * <p>DL4J's {@code Dropout} with a fixed retain probability is one Java pass that draws the masks ND4J's operation
 * draws, from the same generator, and leaves the generator where DL4J leaves it
 * ({@link DenseElementwise#invertedDropout}); any other dropout is DL4J's.
 *
 * <p>Its forward pass writes the product straight into the row-major result: one OpenBLAS call on the arrays' memory
 * ({@link DirectGemm}), else ND4J's {@code z^T = W^T x^T}, where DL4J's {@code x W} goes through a column-major
 * temporary and a copy; the bias and ReLU, and in the backward pass ReLU's gradient and the bias gradient, are one
 * Java pass each on small arrays ({@link DenseElementwise}). Both are checked bit for bit against ND4J's operations,
 * and the parameters against DL4J's layer ({@code ActivationReusingDenseLayerTest}); every metric, prediction and
 * cached teacher output of the quickstart came out identical (README, "Second sitting" and "Third sitting").
 *
 * <p>Only training graphs use it ({@link TrainingLayers}); a clone, a saved model and the deployable graph are built
 * from the configuration and hold DL4J's plain dense layer.
 */
public final class ActivationReusingDenseLayer extends org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer {
    private static final long serialVersionUID = 1L;

    /** The last training-mode activation and the (dropped-out) input it was computed from; null when not reusable. */
    private transient INDArray output;
    private transient INDArray outputInput;
    /** How many backward passes read the activation (for tests: the other ones took DL4J's path). */
    private transient long reusedBackwards;
    /** The mask of this layer's own dropout pass ({@link #applyDropOutIfNecessary}), until its backward pass. */
    private transient INDArray dropoutMask;
    /** How many forward passes applied dropout in one Java pass (for tests: the other ones took DL4J's path). */
    private transient long ownDropouts;

    ActivationReusingDenseLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** DL4J's pre-activation {@code x W + b} by {@link #product}; DL4J's own where this layer's paths do not apply. */
    @Override
    protected Pair<INDArray, INDArray> preOutputWithPreNorm(boolean training, boolean forBackprop,
            LayerWorkspaceMgr workspaceMgr) {
        INDArray z = product(training, forBackprop, workspaceMgr, false);
        return z == null ? super.preOutputWithPreNorm(training, forBackprop, workspaceMgr) : new Pair<>(z, z);
    }

    /**
     * {@code x W + b}, then ReLU when {@code relu}: the product straight into the row-major result (OpenBLAS on the
     * arrays' memory, {@link DirectGemm}, else ND4J's {@code z^T = W^T x^T}), the bias and ReLU in one pass
     * ({@link DenseElementwise}, else ND4J's operations); null where DL4J's path applies (see the class comment).
     */
    private INDArray product(boolean training, boolean forBackprop, LayerWorkspaceMgr workspaceMgr, boolean relu) {
        if (!plain() || input == null || input.rank() != 2) {
            return null;
        }
        assertInputSet(forBackprop);
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray w = getParamWithNoise(DefaultParamInitializer.WEIGHT_KEY, training, workspaceMgr);
        INDArray b = hasBias() ? getParamWithNoise(DefaultParamInitializer.BIAS_KEY, training, workspaceMgr) : null;
        INDArray x = input.castTo(dataType);
        if (x.columns() != w.rows()) {
            return null; // DL4J's error message
        }
        INDArray ret = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, w.dataType(), x.size(0), w.size(1));
        x = x.castTo(ret.dataType()); // as DL4J's layer does: the weights' type, if the layer's differs
        if (!DirectGemm.multiply(x, false, w, false, ret)) {
            Nd4j.gemm(w, x, ret.transpose(), true, true, 1.0, 0.0);
        }
        if (!DenseElementwise.addBiasThenRelu(ret, b, relu)) {
            if (b != null) {
                ret.addiRowVector(b);
            }
            if (relu) {
                layerConf().getActivationFn().getActivation(ret, training);
            }
        }
        return ret;
    }

    /**
     * DL4J's {@code Dropout} with a fixed retain probability as one Java pass
     * ({@link DenseElementwise#invertedDropout}: the same mask, output and generator state as DL4J's three
     * operations); DL4J's own for any other dropout.
     */
    @Override
    protected void applyDropOutIfNecessary(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (training && !dropoutApplied) {
            dropoutMask = null;
            if (layerConf().getIDropout() instanceof Dropout d && d.getClass() == Dropout.class
                    && d.getPSchedule() == null && DenseElementwise.invertedDropoutApplies(input, d.getP())) {
                INDArray result = inputModificationAllowed ? input : workspaceMgr.createUninitialized(ArrayType.INPUT,
                        input.dataType(), input.shape(), input.ordering());
                INDArray mask = workspaceMgr.createUninitialized(ArrayType.INPUT, result.dataType(), result.shape(),
                        result.ordering());
                if (DenseElementwise.invertedDropout(input, result, mask, d.getP())) {
                    input = result;
                    dropoutMask = mask;
                    dropoutApplied = true;
                    ownDropouts++;
                    return;
                }
            }
        }
        super.applyDropOutIfNecessary(training, workspaceMgr);
    }

    /** Dropout's backward pass with the mask of this layer's own forward pass, else DL4J's. */
    @Override
    protected INDArray backpropDropOutIfPresent(INDArray epsilon) {
        INDArray mask = dropoutMask;
        if (mask == null) {
            return super.backpropDropOutIfPresent(epsilon);
        }
        dropoutMask = null;
        if (!DenseElementwise.multiplyByMask(epsilon, mask)) {
            Nd4j.getExecutioner().exec(new MulOp(epsilon, mask, epsilon));
        }
        return epsilon;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        IActivation activation = layerConf().getActivationFn();
        boolean own = derivativeFromOutput(activation);
        INDArray out = own ? product(training, false, workspaceMgr, activation instanceof ActivationReLU) : null;
        if (out == null) {
            out = super.activate(training, workspaceMgr);
        }
        boolean reusable = training && own && plain();
        output = reusable ? out : null;
        outputInput = reusable ? input : null;
        return out;
    }

    /** Whether this layer's own paths apply: no layer normalisation, no mask, no weight noise (else DL4J's). */
    private boolean plain() {
        return !hasLayerNorm() && maskArray == null && layerConf().getWeightNoise() == null;
    }

    /** Whether the activation's derivative can be taken from its output: identity, and ReLU without cap or slope. */
    private static boolean derivativeFromOutput(IActivation activation) {
        return activation instanceof ActivationIdentity || activation instanceof ActivationReLU r
                && r.getMax() == null && r.getThreshold() == null && r.getNegativeSlope() == null;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        INDArray a = output;
        if (a == null || input != outputInput || maskArray != null || !java.util.Arrays.equals(a.shape(),
                epsilon.shape())) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        assertInputSet(true);
        // what DL4J's ActivationReLU.backprop / ActivationIdentity.backprop return for z, from relu(z) / z
        INDArray delta = epsilon;
        if (!(layerConf().getActivationFn() instanceof ActivationIdentity)) {
            // where DL4J's own path puts the pre-activation it differentiates in place (no detached allocation)
            delta = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, a.dataType(), a.shape(), 'c');
            if (!DenseElementwise.reluGradient(a, epsilon, delta)) {
                Nd4j.getExecutioner().exec(new RectifiedLinearDerivative(a, epsilon, delta, 0.0));
            }
        }
        // from here on, DL4J's BaseLayer.backpropGradient (no layer norm, no mask, no weight noise)
        Gradient ret = new DefaultGradient();
        if (hasBias()) {
            INDArray biasGrad = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
            if (!DenseElementwise.columnSums(delta, biasGrad)) {
                delta.sum(biasGrad, 0);
            }
            ret.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, biasGrad);
        }
        INDArray w = getParamWithNoise(DefaultParamInitializer.WEIGHT_KEY, true, workspaceMgr);
        INDArray epsilonNext = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, delta.dataType(),
                new long[] {w.size(0), delta.size(0)}, 'f');
        if (!DirectGemm.multiply(delta, false, w, true, epsilonNext.transpose())) {
            w.mmuli(delta.transpose(), epsilonNext);
        }
        epsilonNext = epsilonNext.transpose();
        INDArray weightGrad = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
        INDArray x = input.castTo(weightGrad.dataType());
        if (!DirectGemm.multiply(x, true, delta, false, weightGrad)) {
            Nd4j.gemm(x, delta, weightGrad, true, false, 1.0, 0.0);
        }
        ret.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, weightGrad);
        weightNoiseParams.clear();
        reusedBackwards++;
        output = null;
        outputInput = null;
        return new Pair<>(ret, backpropDropOutIfPresent(epsilonNext));
    }

    long reusedBackwards() {
        return reusedBackwards;
    }

    long ownDropouts() {
        return ownDropouts;
    }

    @Override
    public void clear() {
        super.clear();
        output = null;
        outputInput = null;
        dropoutMask = null;
    }
}
