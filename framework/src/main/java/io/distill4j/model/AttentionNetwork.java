package io.distill4j.model;

import io.distill4j.api.InputKind;
import io.distill4j.api.InputShape;
import io.distill4j.api.Student;
import io.distill4j.config.ConfigNode;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.nd4j.linalg.activations.Activation;

/**
 * A self-attention body over sequence input {@code [n, features, lookback]}:
 * <ol>
 *   <li>{@code projection}: a per-bar linear projection to {@code model_size} channels (a kernel-1 convolution, so
 *       the sequence stays 3-d and no feed-forward/recurrent preprocessor is needed), {@code [n, model_size, t]};
 *   <li>{@code position}: the sinusoidal position encoding of Vaswani et al. (2017) added to the projection
 *       ({@link SinusoidalPositionEncoding}), {@code [n, model_size, t]}. Self-attention followed by average pooling
 *       is invariant to the order of its inputs; without this the body could not tell a rising window from a
 *       falling one with the same bars;
 *   <li>{@code attention}: multi-head self-attention ({@code heads} heads of {@code head_size}, input projected),
 *       {@code [n, model_size, t]};
 *   <li>{@code pool}: average over time, {@code [n, model_size]};
 *   <li>optional dense ReLU layers {@code hidden_0 .. hidden_k}.
 * </ol>
 * It is the {@code attention} teacher and student.
 *
 * <pre>
 * teacher:
 *   type: attention
 *   model_size: 32         # projection width, 1..4096 (default 32; student default 8)
 *   heads: 4               # attention heads, 1..64 (default 4; student default 2)
 *   head_size: 8           # width per head (default model_size / heads, at least 1)
 *   hidden: [32]           # optional dense layers after pooling (omit for none)
 *   dropout: 0.1           # dropout probability on the dense layers' input, in [0, 0.9] (set on the attention
 *                          # layer too, where DL4J 1.0.0-M2.1 ignores it: its SameDiff layers apply no dropout)
 *   training: {epochs: 20, batch_size: 256, learning_rate: 0.001, l2: 0.0001, patience: 3}   # teacher only
 * </pre>
 *
 * <p>{@code LearnedSelfAttentionLayer} is not used: it fails on every forward pass in DL4J 1.0.0-M2.1.
 */
public record AttentionNetwork(int modelSize, int heads, int headSize, List<Integer> hidden, double dropout)
        implements Student {
    public AttentionNetwork {
        hidden = List.copyOf(hidden);
        if (modelSize < 1 || heads < 1 || headSize < 1 || dropout < 0 || dropout > 0.9) {
            throw new IllegalArgumentException("invalid attention " + modelSize + "/" + heads + "/" + headSize);
        }
    }

    /** Reads {@code model_size, heads, head_size, hidden, dropout} from a section. */
    public static AttentionNetwork parse(ConfigNode node, int defaultModelSize, int defaultHeads) {
        int modelSize = node.integer("model_size", defaultModelSize, 1, 4096);
        int heads = node.integer("heads", defaultHeads, 1, 64);
        int headSize = node.integer("head_size", Math.max(1, modelSize / heads), 1, 4096);
        return new AttentionNetwork(modelSize, heads, headSize, node.integerList("hidden", List.of(), 1, 65_536),
                node.number("dropout", 0.0, 0.0, 0.9));
    }

    @Override
    public String describe() {
        return "attention[d" + modelSize + ",h" + heads + "x" + headSize + "]"
                + (hidden.isEmpty() ? "" : hidden.toString().replace(" ", ""));
    }

    @Override
    public InputKind inputKind() {
        return InputKind.SEQUENCE;
    }

    @Override
    public String addBody(ComputationGraphConfiguration.GraphBuilder graph, String input, InputShape shape) {
        String position = addPositionedProjection(graph, input, shape, modelSize);
        graph.addLayer("attention", selfAttention(modelSize, heads, headSize, dropout), position);
        graph.addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "attention");
        return Conv1dNetwork.addDense(graph, "pool", modelSize, hidden, dropout);
    }

    /**
     * Adds {@code projection} (a per-bar linear projection of the input to {@code modelSize} channels, a kernel-1
     * convolution) and {@code position} (the projection plus {@link SinusoidalPositionEncoding}); returns
     * {@code "position"}, {@code [n, modelSize, t]}.
     */
    static String addPositionedProjection(ComputationGraphConfiguration.GraphBuilder graph, String input,
            InputShape shape, int modelSize) {
        graph.addLayer("projection", perBar(shape.features(), modelSize, Activation.IDENTITY, 0), input);
        graph.addLayer("position", new SinusoidalPositionEncoding(modelSize), "projection");
        return "position";
    }

    /** A dense layer applied to each bar alone: a kernel-1 convolution {@code [n, nIn, t] -> [n, nOut, t]}. */
    static Convolution1DLayer perBar(int nIn, int nOut, Activation activation, double dropout) {
        Convolution1DLayer.Builder layer = new Convolution1DLayer.Builder().kernelSize(1).stride(1)
                .convolutionMode(ConvolutionMode.Same).nIn(nIn).nOut(nOut).activation(activation);
        if (dropout > 0) {
            layer.dropOut(1.0 - dropout); // DL4J takes the retain probability
        }
        return layer.build();
    }

    /**
     * Multi-head self-attention over {@code [n, modelSize, t]} to {@code [n, modelSize, t]} ({@code heads} heads of
     * {@code headSize}, input projected), with dropout probability {@code dropout} set on its input (which DL4J
     * 1.0.0-M2.1's SameDiff layers ignore, {@code DirectSelfAttentionLayerTest}).
     */
    static SelfAttentionLayer selfAttention(int modelSize, int heads, int headSize, double dropout) {
        SelfAttentionLayer.Builder attention = new SelfAttentionLayer.Builder().nIn(modelSize).nOut(modelSize)
                .nHeads(heads).headSize(headSize).projectInput(true);
        if (dropout > 0) {
            attention.dropOut(1.0 - dropout); // DL4J takes the retain probability
        }
        return attention.build();
    }

    @Override
    public int outputSize() {
        return hidden.isEmpty() ? modelSize : hidden.get(hidden.size() - 1);
    }

    @Override
    public List<String> featureLayers() {
        List<String> names = new ArrayList<>(List.of("projection", "attention", "pool"));
        names.addAll(Networks.numbered("hidden", hidden.size()));
        return names;
    }
}
