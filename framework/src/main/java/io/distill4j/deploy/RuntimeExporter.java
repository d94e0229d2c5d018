package io.distill4j.deploy;

import io.distill4j.runtime.Activation;
import io.distill4j.runtime.ActivationLayer;
import io.distill4j.runtime.Conv1d;
import io.distill4j.runtime.Dense;
import io.distill4j.runtime.GlobalPool;
import io.distill4j.runtime.Layer;
import io.distill4j.runtime.Lstm;
import io.distill4j.runtime.StudentModel;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationGELU;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationSwish;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Converts a deployable student graph (one input, a chain of layers, a softmax output; see
 * {@code Networks.deployable}) into the runtime's layers: dense layers (any activation of the {@code mlp} student),
 * LSTMs (stacked, the last one's last time step), causal 1-d convolutions, global max/average pooling and
 * activation layers. Anything else (attention, transformer, layer normalisation, preprocessors, branching graphs)
 * is refused with an {@link UnsupportedOperationException} naming the vertex and its type.
 */
public final class RuntimeExporter {
    private RuntimeExporter() {
    }

    /** The runtime model of {@code graph} with {@code info}'s standardiser, feature specification and provenance. */
    public static StudentModel export(ComputationGraph graph, ExportInfo info) {
        return new StudentModel(info.metadata(), info.sequence(), info.lookback(), info.featureNames(), info.mean(),
                info.std(), layers(graph));
    }

    /** The runtime layers of a deployable graph, input to output. */
    public static List<Layer> layers(ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        if (conf.getNetworkInputs().size() != 1 || conf.getNetworkOutputs().size() != 1) {
            throw refuse("the graph has " + conf.getNetworkInputs().size() + " inputs and "
                    + conf.getNetworkOutputs().size() + " outputs, expected one of each");
        }
        String previous = conf.getNetworkInputs().get(0);
        List<Layer> layers = new ArrayList<>();
        int width = -1;
        for (String name : conf.getTopologicalOrderStr()) {
            if (name.equals(previous)) {
                continue;
            }
            List<String> inputs = conf.getVertexInputs().get(name);
            if (inputs == null || !inputs.equals(List.of(previous))) {
                throw refuse("vertex '" + name + "' reads " + inputs + ", not only '" + previous
                        + "': the runtime runs a chain of layers only");
            }
            GraphVertex v = conf.getVertices().get(name);
            if (!(v instanceof LayerVertex lv) || lv.getLayerConf() == null) {
                throw refuse("vertex '" + name + "' is a " + v.getClass().getSimpleName() + ", not a layer");
            }
            boolean vectorSoFar = !layers.isEmpty() && !layers.get(layers.size() - 1).sequenceOut();
            if (lv.getPreProcessor() != null && !(vectorSoFar && lv.getPreProcessor()
                    instanceof org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor)) {
                // RnnToFeedForward after pooling passes a [n, width] array through unchanged
                throw refuse("vertex '" + name + "' has an input preprocessor ("
                        + lv.getPreProcessor().getClass().getSimpleName() + ")");
            }
            org.deeplearning4j.nn.api.Layer live = graph.getLayer(name);
            Layer layer = convert(name, lv.getLayerConf().getLayer(), live, width);
            layers.add(layer);
            width = layer.outWidth();
            previous = name;
        }
        if (!previous.equals(conf.getNetworkOutputs().get(0))) {
            throw refuse("the chain ends at '" + previous + "', not at the output '" + conf.getNetworkOutputs().get(0)
                    + "'");
        }
        return layers;
    }

    private static Layer convert(String name, org.deeplearning4j.nn.conf.layers.Layer conf,
            org.deeplearning4j.nn.api.Layer live, int width) {
        boolean last = false;
        if (conf instanceof LastTimeStep w) {
            last = true;
            conf = w.getUnderlying();
        }
        if (conf instanceof DenseLayer d && !last) {
            requireBias(name, d.hasBias());
            INDArray w = live.getParam("W");
            int nIn = (int) w.size(0);
            int nOut = (int) w.size(1);
            float[] t = new float[nIn * nOut];
            for (int o = 0; o < nOut; o++) {
                for (int i = 0; i < nIn; i++) {
                    t[o * nIn + i] = w.getFloat(i, o);
                }
            }
            return new Dense(nIn, nOut, activation(name, d.getActivationFn()), t, vector(live.getParam("b")));
        }
        if (conf instanceof LSTM l) {
            if (!(l.getGateActivationFn() instanceof ActivationSigmoid)
                    || !(l.getActivationFn() instanceof ActivationTanH)) {
                throw refuse("LSTM '" + name + "' uses gate activation " + l.getGateActivationFn()
                        + " and activation " + l.getActivationFn() + "; the runtime implements sigmoid gates and tanh");
            }
            INDArray w = live.getParam("W");
            INDArray rw = live.getParam("RW");
            int nIn = (int) w.size(0);
            int n = (int) rw.size(0);
            if (w.size(1) != 4L * n || rw.size(1) != 4L * n) {
                throw refuse("LSTM '" + name + "' has weights " + java.util.Arrays.toString(w.shape()) + " and "
                        + java.util.Arrays.toString(rw.shape()) + ", expected [nIn, 4n] and [n, 4n]");
            }
            return new Lstm(nIn, n, Activation.TANH, last, transpose(w), transpose(rw), vector(live.getParam("b")));
        }
        if (last) {
            throw refuse("vertex '" + name + "' wraps a " + conf.getClass().getSimpleName()
                    + " in LastTimeStep; the runtime supports that for LSTMs only");
        }
        if (conf instanceof Convolution1DLayer c) {
            requireBias(name, c.hasBias());
            if (c.getConvolutionMode() != ConvolutionMode.Causal || c.getStride()[0] != 1
                    || c.getDilation()[0] != 1) {
                throw refuse("convolution '" + name + "' is " + c.getConvolutionMode() + " with stride "
                        + c.getStride()[0] + " and dilation " + c.getDilation()[0]
                        + "; the runtime implements causal convolutions of stride 1 and dilation 1");
            }
            INDArray w = live.getParam("W");
            int nOut = (int) w.size(0);
            int nIn = (int) w.size(1);
            int k = (int) w.size(2);
            if (w.rank() != 4 || w.size(3) != 1) {
                throw refuse("convolution '" + name + "' has weights " + java.util.Arrays.toString(w.shape())
                        + ", expected [nOut, nIn, kernel, 1]");
            }
            // DL4J M2.1's Convolution1DLayer (NCW) hands its [nOut, nIn, k, 1] parameter to the conv1d op as a
            // reshape, not a permutation, to [k, nIn, nOut]: the kernel the op applies is that reshaped view.
            INDArray kernel = w.reshape(w.ordering(), k, nIn, nOut);
            float[] t = new float[nOut * nIn * k];
            for (int o = 0; o < nOut; o++) {
                for (int ch = 0; ch < nIn; ch++) {
                    for (int j = 0; j < k; j++) {
                        t[(o * nIn + ch) * k + j] = kernel.getFloat(j, ch, o);
                    }
                }
            }
            return new Conv1d(nIn, nOut, k, activation(name, c.getActivationFn()), t, vector(live.getParam("b")));
        }
        if (conf instanceof GlobalPoolingLayer p) {
            if (p.getPoolingType() != PoolingType.MAX && p.getPoolingType() != PoolingType.AVG) {
                throw refuse("pooling '" + name + "' is " + p.getPoolingType() + "; the runtime implements MAX and AVG");
            }
            return new GlobalPool(width, p.getPoolingType() == PoolingType.MAX);
        }
        if (conf instanceof org.deeplearning4j.nn.conf.layers.ActivationLayer a) {
            return new ActivationLayer(width, activation(name, a.getActivationFn()));
        }
        throw refuse("vertex '" + name + "' is a " + conf.getClass().getSimpleName() + " layer; the runtime supports "
                + "dense, LSTM, causal conv1d, global pooling and activation layers (mlp, linear, lstm and cnn1d "
                + "students), not attention or transformer students yet");
    }

    private static Activation activation(String name, IActivation a) {
        if (a instanceof ActivationIdentity) {
            return Activation.IDENTITY;
        } else if (a instanceof ActivationReLU r && r.getClass() == ActivationReLU.class) {
            return Activation.RELU;
        } else if (a instanceof ActivationTanH) {
            return Activation.TANH;
        } else if (a instanceof ActivationSigmoid) {
            return Activation.SIGMOID;
        } else if (a instanceof ActivationLReLU l && l.getAlpha() == 0.01) {
            return Activation.LEAKYRELU;
        } else if (a instanceof ActivationELU e && e.getAlpha() == 1.0) {
            return Activation.ELU;
        } else if (a instanceof ActivationGELU g && !g.isPrecise()) {
            return Activation.GELU;
        } else if (a instanceof ActivationSwish) {
            return Activation.SWISH;
        } else if (a instanceof ActivationSoftmax) {
            return Activation.SOFTMAX;
        }
        throw refuse("layer '" + name + "' uses the activation " + a + ", which the runtime does not implement");
    }

    private static void requireBias(String name, boolean hasBias) {
        if (!hasBias) {
            throw refuse("layer '" + name + "' has no bias; the runtime format expects one");
        }
    }

    /** {@code [rows, cols]} as {@code [cols][rows]} flattened. */
    private static float[] transpose(INDArray m) {
        int rows = (int) m.size(0);
        int cols = (int) m.size(1);
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = m.getFloat(r, c);
            }
        }
        return t;
    }

    private static float[] vector(INDArray v) {
        return v.dup().reshape(v.length()).toFloatVector();
    }

    private static UnsupportedOperationException refuse(String why) {
        return new UnsupportedOperationException("cannot export the student to the runtime: " + why);
    }
}
