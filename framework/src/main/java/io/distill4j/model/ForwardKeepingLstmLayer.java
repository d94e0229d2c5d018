package io.distill4j.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import java.util.List;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.FwdPassReturn;
import org.deeplearning4j.nn.layers.recurrent.LSTMHelpers;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's LSTM layer with a backward pass that reuses its forward pass: DL4J's {@code LSTM.backpropGradient} runs the
 * whole forward recurrence a second time to get the gate activations it needs (its forward cache is switched off in
 * DL4J), which was a third of an LSTM teacher's training step by the profile in the README's performance notes. Where
 * it applies (sigmoid gates, tanh activation, floats on the CPU backend, at least two samples: see
 * {@link LstmRecurrence}), both passes, training and inference, run {@link LstmRecurrence}, DL4J's arithmetic with
 * far fewer ND4J operations. Otherwise a
 * training-mode forward pass runs DL4J's own recurrence ({@code LSTMHelpers.activateHelper}) in its for-backprop form,
 * which keeps those activations (in the workspace of the network's activations, open until the backward pass ends),
 * and the backward pass hands them to DL4J's own {@code LSTMHelpers.backpropGradientHelper}: the same operations on
 * the same values as DL4J's path, bit for bit ({@code TrainingLayersTest}). Masks, weight noise, the NWC format,
 * truncated backpropagation through time and a backward pass that does not follow this layer's last training-mode
 * forward pass on the same input take DL4J's own path. Installed in training graphs by {@link TrainingLayers}.
 */
final class ForwardKeepingLstmLayer extends org.deeplearning4j.nn.layers.recurrent.LSTM {
    private static final long serialVersionUID = 1L;

    private final transient LstmRecurrence recurrence = new LstmRecurrence();
    private transient FwdPassReturn kept;
    private transient INDArray keptInput;
    /** How many backward passes reused their forward pass (for tests). */
    private transient long reusedBackwards;

    ForwardKeepingLstmLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        kept = null;
        keptInput = null;
        if (javaRecurrenceApplies()) {
            assertInputSet(false);
            applyDropOutIfNecessary(training, workspaceMgr);
            INDArray inputWeights = getParamWithNoise(LSTMParamInitializer.INPUT_WEIGHT_KEY, training, workspaceMgr);
            INDArray recurrentWeights = getParamWithNoise(LSTMParamInitializer.RECURRENT_WEIGHT_KEY, training,
                    workspaceMgr);
            INDArray bias = getParamWithNoise(LSTMParamInitializer.BIAS_KEY, training, workspaceMgr);
            if (LstmRecurrence.applies(input, inputWeights, recurrentWeights, bias)) {
                INDArray out = recurrence.forward(input, inputWeights, recurrentWeights, bias, workspaceMgr, training);
                keptInput = training ? input : null;
                return out;
            }
        }
        if (!training || maskArray != null || layerConf().getWeightNoise() != null
                || layerConf().getRnnDataFormat() == RNNFormat.NWC || helper != null
                || workspaceMgr.isScopedOut(ArrayType.ACTIVATIONS) || !workspaceMgr.hasConfiguration(ArrayType.ACTIVATIONS)
                || workspaceMgr.getWorkspaceName(ArrayType.ACTIVATIONS) == null
                || !workspaceMgr.isWorkspaceOpen(ArrayType.ACTIVATIONS)) {
            return super.activate(training, workspaceMgr);
        }
        assertInputSet(false);
        applyDropOutIfNecessary(true, workspaceMgr);
        FwdPassReturn fwd = LSTMHelpers.activateHelper(this, conf, layerConf().getGateActivationFn(), input,
                getParamWithNoise(LSTMParamInitializer.RECURRENT_WEIGHT_KEY, true, workspaceMgr),
                getParamWithNoise(LSTMParamInitializer.INPUT_WEIGHT_KEY, true, workspaceMgr),
                getParamWithNoise(LSTMParamInitializer.BIAS_KEY, true, workspaceMgr), true, null, null, true, true,
                LSTMParamInitializer.INPUT_WEIGHT_KEY, null, false, null,
                org.deeplearning4j.nn.conf.CacheMode.NONE, keeping(workspaceMgr), layerConf().isHelperAllowFallback());
        // the for-backprop form keeps each step's output apart and leaves the sequence output to be filled: the
        // copies the inference form makes, step by step
        for (int time = 0; time < fwd.fwdPassOutputAsArrays.length; time++) {
            fwd.fwdPassOutput.tensorAlongDimension(time, 1, 0).assign(fwd.fwdPassOutputAsArrays[time]);
        }
        kept = fwd;
        keptInput = input;
        return fwd.fwdPassOutput;
    }

    /**
     * {@code mgr} with the forward and backward passes' working memory placed in the activations' workspace, so that
     * what the forward pass keeps for the backward pass lives as long as the activations do.
     */
    private static LayerWorkspaceMgr keeping(LayerWorkspaceMgr mgr) {
        LayerWorkspaceMgr.Builder b = LayerWorkspaceMgr.builder();
        for (ArrayType type : ArrayType.values()) {
            ArrayType from = type == ArrayType.BP_WORKING_MEM || type == ArrayType.FF_WORKING_MEM
                    ? ArrayType.ACTIVATIONS : type;
            if (mgr.isScopedOut(from) || !mgr.hasConfiguration(from) || mgr.getWorkspaceName(from) == null) {
                b.noWorkspaceFor(type);
            } else {
                b.with(type, mgr.getWorkspaceName(from), mgr.getConfiguration(from));
            }
        }
        return b.build();
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (recurrence.kept() && input == keptInput && maskArray == null && gradientViews != null
                && LstmRecurrence.gradientsApply(gradientViews.get(LSTMParamInitializer.INPUT_WEIGHT_KEY),
                        gradientViews.get(LSTMParamInitializer.RECURRENT_WEIGHT_KEY),
                        gradientViews.get(LSTMParamInitializer.BIAS_KEY))) {
            assertInputSet(true);
            Gradient gradient = new DefaultGradient();
            INDArray epsilonNext = recurrence.backward(epsilon,
                    getParamWithNoise(LSTMParamInitializer.INPUT_WEIGHT_KEY, true, workspaceMgr),
                    getParamWithNoise(LSTMParamInitializer.RECURRENT_WEIGHT_KEY, true, workspaceMgr),
                    gradientViews.get(LSTMParamInitializer.INPUT_WEIGHT_KEY),
                    gradientViews.get(LSTMParamInitializer.RECURRENT_WEIGHT_KEY),
                    gradientViews.get(LSTMParamInitializer.BIAS_KEY), workspaceMgr);
            for (String key : List.of(LSTMParamInitializer.INPUT_WEIGHT_KEY, LSTMParamInitializer.RECURRENT_WEIGHT_KEY,
                    LSTMParamInitializer.BIAS_KEY)) {
                gradient.gradientForVariable().put(key, gradientViews.get(key));
            }
            weightNoiseParams.clear();
            keptInput = null;
            reusedBackwards++;
            return new Pair<>(gradient, backpropDropOutIfPresent(epsilonNext));
        }
        FwdPassReturn fwd = kept;
        kept = null;
        if (fwd == null || input != keptInput || maskArray != null) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        assertInputSet(true);
        // what DL4J's LSTM.backpropGradientHelper does after its second forward pass (NCW, no truncation)
        Pair<Gradient, INDArray> p = LSTMHelpers.backpropGradientHelper(this, conf, layerConf().getGateActivationFn(),
                input, getParamWithNoise(LSTMParamInitializer.RECURRENT_WEIGHT_KEY, true, workspaceMgr),
                getParamWithNoise(LSTMParamInitializer.INPUT_WEIGHT_KEY, true, workspaceMgr), epsilon, false, -1,
                fwd, true, LSTMParamInitializer.INPUT_WEIGHT_KEY, LSTMParamInitializer.RECURRENT_WEIGHT_KEY,
                LSTMParamInitializer.BIAS_KEY, gradientViews, null, false, helper, workspaceMgr,
                layerConf().isHelperAllowFallback());
        weightNoiseParams.clear();
        p.setSecond(backpropDropOutIfPresent(p.getSecond()));
        reusedBackwards++;
        return p;
    }

    long reusedBackwards() {
        return reusedBackwards;
    }

    /** How many forward passes went through {@link LstmRecurrence} (for tests). */
    long javaPasses() {
        return recurrence.passes();
    }

    /**
     * Whether {@link LstmRecurrence} may compute this layer: DL4J's LSTM without mask, weight noise, helper or the NWC
     * format, with sigmoid gates and tanh activation (the recurrence then checks the arrays).
     */
    private boolean javaRecurrenceApplies() {
        return LstmRecurrence.ON && maskArray == null && layerConf().getWeightNoise() == null && helper == null
                && layerConf().getRnnDataFormat() != RNNFormat.NWC
                && layerConf().getGateActivationFn() instanceof ActivationSigmoid
                && layerConf().getActivationFn() instanceof ActivationTanH;
    }

    @Override
    public void clear() {
        super.clear();
        kept = null;
        keptInput = null;
    }
}
