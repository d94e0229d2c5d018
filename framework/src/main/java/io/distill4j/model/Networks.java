package io.distill4j.model;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.InputKind;
import io.distill4j.api.InputShape;
import io.distill4j.api.Student;
import io.distill4j.api.VertexNames;
import io.distill4j.train.TrainingSettings;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Assembles every trainable network of the framework the same way: {@code input} → body → {@code logits} (dense,
 * identity) → one parameter-free output head per loss term, each head's output being the logits it was given. A
 * deployable model replaces the heads with a single softmax vertex {@code probabilities}.
 */
public final class Networks {
    private static final String INPUT = VertexNames.INPUT;
    private static final String LOGITS = VertexNames.LOGITS;
    private static final String PROBABILITIES = VertexNames.PROBABILITIES;

    private Networks() {
    }

    /** Builds and initialises a training graph for {@code body} with one head per loss. */
    public static ComputationGraph build(Student body, List<? extends DistillationLoss> losses, InputShape shape,
            TrainingSettings training, long seed) {
        return assemble(new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER)
                .updater(new Adam(training.learningRate()))
                .l2(training.l2()), body, losses, shape);
    }

    /**
     * Builds and initialises a graph from a base configuration (seed, data type, updater) that the caller chose;
     * {@link #build} is the training default, gradient checks use a no-op updater in double precision.
     */
    public static ComputationGraph assemble(NeuralNetConfiguration.Builder base, Student body,
            List<? extends DistillationLoss> losses, InputShape shape) {
        if (losses.isEmpty()) {
            throw new IllegalArgumentException("a network needs at least one loss head");
        }
        ComputationGraphConfiguration.GraphBuilder g = base.graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(inputType(body.inputKind(), shape));
        String last = body.addBody(g, INPUT, shape);
        g.addLayer(LOGITS, new DenseLayer.Builder().nIn(body.outputSize()).nOut(shape.classes())
                .activation(Activation.IDENTITY).build(), last);
        String[] heads = new String[losses.size()];
        for (int i = 0; i < heads.length; i++) {
            DistillationLoss loss = losses.get(i);
            heads[i] = loss.headName();
            g.addLayer(heads[i], new LossLayer.Builder().lossFunction(loss.lossFunction())
                    .activation(Activation.IDENTITY).build(), loss.inputVertex());
        }
        g.setOutputs(heads);
        ComputationGraph graph = new ComputationGraph(g.build());
        graph.init();
        return graph;
    }

    /** The DL4J input type of a network reading {@code kind}. */
    public static InputType inputType(InputKind kind, InputShape shape) {
        return kind == InputKind.TABULAR
                ? InputType.feedForward(shape.features())
                : InputType.recurrent(shape.features(), shape.lookback(), RNNFormat.NCW);
    }

    /**
     * A copy of a trained graph for deployment: the loss heads are removed and a softmax vertex
     * {@value #PROBABILITIES} is the only output. Parameters are copied, the training graph is untouched.
     */
    public static ComputationGraph deployable(ComputationGraph trained) {
        TransferLearning.GraphBuilder b = new TransferLearning.GraphBuilder(trained.clone());
        for (String head : trained.getConfiguration().getNetworkOutputs()) {
            b.removeVertexAndConnections(head);
        }
        b.addLayer(PROBABILITIES, new ActivationLayer.Builder().activation(Activation.SOFTMAX).build(), LOGITS);
        b.setOutputs(PROBABILITIES);
        return b.build();
    }

    /**
     * Checks that {@code input} has the rank of {@code kind} and, when the graph declares it (the {@code nIn} of the
     * layers reading the network input), the graph's feature width; DL4J's own errors for a wrong shape are often a
     * native-op failure that names neither. Lookback is not checked: recurrent, attention and causal convolution
     * layers accept any sequence length.
     *
     * @throws IllegalArgumentException naming the expected and the actual shape
     */
    public static void checkInput(ComputationGraph graph, INDArray input, InputKind kind) {
        long width = inputWidth(graph);
        String features = width > 0 ? Long.toString(width) : "features";
        String expected = kind == InputKind.TABULAR ? "[n, " + features + "]" : "[n, " + features + ", lookback]";
        String what = kind == InputKind.TABULAR ? "a tabular" : "a sequence";
        int rank = kind == InputKind.TABULAR ? 2 : 3;
        if (input.rank() != rank || (width > 0 && input.size(1) != width)) {
            throw new IllegalArgumentException(what + " network expects input " + expected + ", got "
                    + Arrays.toString(input.shape()) + (input.rank() != rank
                            ? " (" + (input.rank() == 2 ? "tabular" : input.rank() == 3 ? "sequence" : "rank "
                                    + input.rank()) + " input)"
                            : ""));
        }
    }

    /**
     * The feature width a graph reads: the {@code nIn} of the layers connected to its (first) input, or -1 when no
     * such layer declares one.
     */
    public static long inputWidth(ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        String in = conf.getNetworkInputs().get(0);
        for (Map.Entry<String, List<String>> e : conf.getVertexInputs().entrySet()) {
            if (e.getValue().contains(in) && conf.getVertices().get(e.getKey()) instanceof LayerVertex v
                    && v.getLayerConf() != null) {
                Layer layer = v.getLayerConf().getLayer();
                while (layer instanceof BaseWrapperLayer w) {
                    layer = w.getUnderlying();
                }
                if (layer instanceof FeedForwardLayer f && f.getNIn() > 0) {
                    return f.getNIn();
                }
            }
        }
        return -1;
    }

    /**
     * A copy of a trained graph with the loss heads removed and {@value #LOGITS} as its only output, for saving a
     * teacher: the heads' loss functions need not be readable by {@code ModelSerializer} (a custom
     * {@code ILossFunction} without a JSON creator makes the whole zip unreadable), and a teacher's output is its
     * logits. A graph whose only output already is {@value #LOGITS} is returned as is.
     */
    public static ComputationGraph withoutHeads(ComputationGraph trained) {
        List<String> outputs = trained.getConfiguration().getNetworkOutputs();
        if (outputs.equals(List.of(LOGITS))) {
            return trained;
        }
        TransferLearning.GraphBuilder b = new TransferLearning.GraphBuilder(trained.clone());
        for (String head : outputs) {
            b.removeVertexAndConnections(head);
        }
        b.setOutputs(LOGITS);
        return b.build();
    }

    /** Layer names {@code prefix_0 .. prefix_(count-1)}: how bodies name their stacked layers. */
    public static List<String> numbered(String prefix, int count) {
        List<String> names = new java.util.ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            names.add(prefix + "_" + i);
        }
        return List.copyOf(names);
    }

    /** Trainable parameters of the deployable part (body and logits; heads have none). */
    public static long parameterCount(ComputationGraph graph) {
        return graph.numParams();
    }
}
