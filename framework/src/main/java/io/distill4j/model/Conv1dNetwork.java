package io.distill4j.model;

import io.distill4j.api.InputKind;
import io.distill4j.api.InputShape;
import io.distill4j.api.Student;
import io.distill4j.config.ConfigNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.nd4j.linalg.activations.Activation;

/**
 * A 1-d convolutional body over sequence input {@code [n, features, lookback]}: causal convolutions
 * {@code conv_0 .. conv_k} (ReLU, stride 1; output step {@code t} sees only bars {@code <= t}, the sequence length is
 * kept), then {@code pool}, a max or average over time ({@code [n, channels]}), then optional dense ReLU layers
 * {@code hidden_0 .. hidden_k}. It is the {@code cnn1d} student and teacher.
 *
 * <pre>
 * student:
 *   type: cnn1d
 *   channels: [16, 16]     # filters per convolution, 1..4096 each (default [16]; teacher default [64, 64])
 *   kernel: 3              # kernel width in bars, 1..64
 *   pool: max              # max | avg
 *   hidden: [16]           # optional dense layers after pooling (omit for none)
 *   dropout: 0.0           # dropout probability on each layer's input, in [0, 0.9]
 *   training: {epochs: 20, batch_size: 256}   # teacher only
 * </pre>
 */
public record Conv1dNetwork(List<Integer> channels, int kernel, String pool, List<Integer> hidden, double dropout)
        implements Student {
    /** Pooling choices accepted in study files. */
    public static final List<String> POOLS = List.of("max", "avg");

    public Conv1dNetwork {
        channels = List.copyOf(channels);
        hidden = List.copyOf(hidden);
        if (channels.isEmpty() || kernel < 1 || !POOLS.contains(pool) || dropout < 0 || dropout > 0.9) {
            throw new IllegalArgumentException("invalid cnn1d " + channels + " " + kernel + " " + pool);
        }
    }

    /** Reads {@code channels, kernel, pool, hidden, dropout} from a section. */
    public static Conv1dNetwork parse(ConfigNode node, List<Integer> defaultChannels) {
        return new Conv1dNetwork(node.integerList("channels", defaultChannels, 1, 4096),
                node.integer("kernel", 3, 1, 64), node.choice("pool", "max", POOLS),
                node.integerList("hidden", List.of(), 1, 65_536), node.number("dropout", 0.0, 0.0, 0.9));
    }

    @Override
    public String describe() {
        return "cnn1d" + channels.toString().replace(" ", "") + "k" + kernel + pool
                + (hidden.isEmpty() ? "" : hidden.toString().replace(" ", ""));
    }

    @Override
    public InputKind inputKind() {
        return InputKind.SEQUENCE;
    }

    @Override
    public String addBody(ComputationGraphConfiguration.GraphBuilder graph, String input, InputShape shape) {
        String previous = input;
        int nIn = shape.features();
        for (int i = 0; i < channels.size(); i++) {
            String name = "conv_" + i;
            Convolution1DLayer.Builder layer = new Convolution1DLayer.Builder().kernelSize(kernel).stride(1)
                    .convolutionMode(ConvolutionMode.Causal).nIn(nIn).nOut(channels.get(i))
                    .activation(Activation.RELU);
            if (dropout > 0) {
                layer.dropOut(1.0 - dropout); // DL4J takes the retain probability
            }
            graph.addLayer(name, layer.build(), previous);
            previous = name;
            nIn = channels.get(i);
        }
        graph.addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.valueOf(pool.toUpperCase(Locale.ROOT)))
                .build(), previous);
        return addDense(graph, "pool", nIn, hidden, dropout);
    }

    /** Adds dense ReLU layers {@code hidden_0 ..} after {@code input} (of width {@code nIn}); returns the last. */
    static String addDense(ComputationGraphConfiguration.GraphBuilder graph, String input, int nIn,
            List<Integer> hidden, double dropout) {
        String previous = input;
        for (int i = 0; i < hidden.size(); i++) {
            String name = "hidden_" + i;
            DenseLayer.Builder layer = new DenseLayer.Builder().nIn(nIn).nOut(hidden.get(i))
                    .activation(Activation.RELU);
            if (dropout > 0) {
                layer.dropOut(1.0 - dropout);
            }
            graph.addLayer(name, layer.build(), previous);
            previous = name;
            nIn = hidden.get(i);
        }
        return previous;
    }

    @Override
    public int outputSize() {
        return hidden.isEmpty() ? channels.get(channels.size() - 1) : hidden.get(hidden.size() - 1);
    }

    @Override
    public List<String> featureLayers() {
        List<String> names = new ArrayList<>(Networks.numbered("conv", channels.size()));
        names.add("pool");
        names.addAll(Networks.numbered("hidden", hidden.size()));
        return names;
    }
}
