package io.distill4j.model;

import io.distill4j.api.InputKind;
import io.distill4j.api.InputShape;
import io.distill4j.api.Student;
import io.distill4j.config.ConfigNode;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.rnn.LastTimeStepVertex;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.nd4j.linalg.activations.Activation;

/**
 * A transformer encoder body (Vaswani et al., <i>Attention Is All You Need</i>, 2017) over sequence input
 * {@code [n, features, lookback]}:
 * <ol>
 *   <li>{@code projection} and {@code position}: a per-bar linear projection to {@code model_size} channels plus the
 *       sinusoidal position encoding, exactly as in {@link AttentionNetwork};
 *   <li>{@code blocks} post-norm encoder blocks {@code block_0 .. block_k}, each {@code [n, model_size, t]}:
 *       <pre>
 *   a = LayerNorm(x + MultiHeadSelfAttention(x))                  block_i_attention, block_i_add_1, block_i_norm_1
 *   y = LayerNorm(a + W2 f(W1 a + b1) + b2)                       block_i_ff_1, block_i_ff_2, block_i_add_2, block_i
 *       </pre>
 *       with {@code heads} heads of {@code model_size / heads}, the feed-forward applied to each bar alone
 *       ({@code W1}: {@code model_size -> ff_size}, activation {@code f}; {@code W2}: back to {@code model_size}),
 *       and {@link LayerNormalization} over the channels of each bar. Post-norm (normalising after each residual
 *       add) is the original paper's arrangement and keeps every block's output, the named feature layer, on one
 *       scale; the shallow stacks used here do not need pre-norm's easier gradient flow;
 *   <li>the readout, {@code [n, model_size]}: {@code pool}, the average over time ({@code readout: mean}), or
 *       {@code last}, the last bar's vector ({@code readout: last}).
 * </ol>
 * Dropout (probability {@code dropout}) is applied, DL4J style, to the input of each block's second feed-forward
 * layer; it is also set on each attention layer, where DL4J 1.0.0-M2.1 ignores it (its SameDiff layers never apply
 * dropout). It is the {@code transformer} teacher and student.
 *
 * <pre>
 * teacher:
 *   type: transformer
 *   model_size: 32         # d_model, 1..4096, a multiple of heads (default 32; student default 8)
 *   heads: 4               # attention heads, 1..64 (default 4; student 2)
 *   blocks: 2              # encoder blocks, 1..16 (default 2; student 1)
 *   ff_size: 64            # feed-forward width, 1..16384 (default 2 * model_size)
 *   activation: relu       # feed-forward activation: relu | tanh | leakyrelu | elu | gelu | swish
 *   dropout: 0.1           # in [0, 0.9] (default 0)
 *   readout: mean          # mean | last
 *   training: {epochs: 20, batch_size: 256, learning_rate: 0.001, l2: 0.0001, patience: 3}   # teacher only
 * </pre>
 */
public record TransformerNetwork(int modelSize, int heads, int blocks, int ffSize, String activation,
        double dropout, String readout) implements Student {
    /** Readouts accepted in study files. */
    public static final List<String> READOUTS = List.of("mean", "last");

    public TransformerNetwork {
        if (modelSize < 1 || heads < 1 || modelSize % heads != 0 || blocks < 1 || ffSize < 1
                || !MlpNetwork.ACTIVATIONS.contains(activation) || dropout < 0 || dropout > 0.9
                || !READOUTS.contains(readout)) {
            throw new IllegalArgumentException("invalid transformer d" + modelSize + " h" + heads + " b" + blocks
                    + " ff" + ffSize + " " + activation + " " + dropout + " " + readout);
        }
    }

    /** Reads {@code model_size, heads, blocks, ff_size, activation, dropout, readout} from a section. */
    public static TransformerNetwork parse(ConfigNode node, int defaultModelSize, int defaultHeads,
            int defaultBlocks) {
        int modelSize = node.integer("model_size", defaultModelSize, 1, 4096);
        int heads = node.integer("heads", defaultHeads, 1, 64);
        if (modelSize % heads != 0) {
            throw node.error("heads", "model_size " + modelSize + " must be a multiple of heads " + heads
                    + " (each head gets model_size / heads channels)");
        }
        return new TransformerNetwork(modelSize, heads, node.integer("blocks", defaultBlocks, 1, 16),
                node.integer("ff_size", 2 * modelSize, 1, 16_384), node.choice("activation", "relu",
                        MlpNetwork.ACTIVATIONS), node.number("dropout", 0.0, 0.0, 0.9),
                node.choice("readout", "mean", READOUTS));
    }

    @Override
    public String describe() {
        return "transformer[d" + modelSize + ",h" + heads + ",b" + blocks + ",ff" + ffSize + "," + readout + "]";
    }

    @Override
    public InputKind inputKind() {
        return InputKind.SEQUENCE;
    }

    @Override
    public String addBody(ComputationGraphConfiguration.GraphBuilder graph, String input, InputShape shape) {
        String previous = AttentionNetwork.addPositionedProjection(graph, input, shape, modelSize);
        for (String block : Networks.numbered("block", blocks)) {
            previous = addBlock(graph, block, previous);
        }
        if (readout.equals("last")) {
            graph.addVertex("last", new LastTimeStepVertex(input), previous);
            return "last";
        }
        graph.addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), previous);
        return "pool";
    }

    /** One post-norm encoder block reading {@code x}; its output vertex is {@code name}. */
    private String addBlock(ComputationGraphConfiguration.GraphBuilder graph, String name, String x) {
        graph.addLayer(name + "_attention", AttentionNetwork.selfAttention(modelSize, heads, modelSize / heads,
                dropout), x);
        graph.addVertex(name + "_add_1", new ElementWiseVertex(ElementWiseVertex.Op.Add), x, name + "_attention");
        graph.addLayer(name + "_norm_1", new LayerNormalization(modelSize), name + "_add_1");
        graph.addLayer(name + "_ff_1", AttentionNetwork.perBar(modelSize, ffSize, MlpNetwork.activation(activation), 0),
                name + "_norm_1");
        graph.addLayer(name + "_ff_2", AttentionNetwork.perBar(ffSize, modelSize, Activation.IDENTITY, dropout), name + "_ff_1");
        graph.addVertex(name + "_add_2", new ElementWiseVertex(ElementWiseVertex.Op.Add), name + "_norm_1",
                name + "_ff_2");
        graph.addLayer(name, new LayerNormalization(modelSize), name + "_add_2");
        return name;
    }

    @Override
    public int outputSize() {
        return modelSize;
    }

    @Override
    public List<String> featureLayers() {
        List<String> names = new ArrayList<>(List.of("projection"));
        names.addAll(Networks.numbered("block", blocks));
        names.add(readout.equals("last") ? "last" : "pool");
        return names;
    }
}
