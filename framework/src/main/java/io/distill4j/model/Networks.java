package io.distill4j.model;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.HeadBuilder;
import io.distill4j.api.InputKind;
import io.distill4j.api.InputShape;
import io.distill4j.api.Student;
import io.distill4j.api.VertexNames;
import io.distill4j.train.TrainingSettings;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * identity) → one output head per loss term. A head reads its loss's {@link DistillationLoss#inputVertex()}, through
 * any trainable layers the loss adds ({@link DistillationLoss#addHeadLayers}, e.g. a projection), and ends in a
 * parameter-free {@link LossLayer}. A deployable model keeps only what feeds {@code logits} and adds a softmax vertex
 * {@code probabilities} (identity for a regression network's one output): no head, and none of its layers, reaches it or its parameter count.
 */
public final class Networks {
    private static final String INPUT = VertexNames.INPUT;
    private static final String LOGITS = VertexNames.LOGITS;
    private static final String PROBABILITIES = VertexNames.PROBABILITIES;

    private Networks() {
    }

    /** Builds and initialises a training graph for {@code body} with one head per loss (no head may add layers). */
    public static ComputationGraph build(Student body, List<? extends DistillationLoss> losses, InputShape shape,
            TrainingSettings training, long seed) {
        return build(body, losses, shape, training, seed, Map.of());
    }

    /**
     * Builds and initialises a training graph for {@code body} with one head per loss.
     *
     * @param targetWidths the width of each head's labels, by head name ({@link HeadBuilder#targetWidth()})
     */
    public static ComputationGraph build(Student body, List<? extends DistillationLoss> losses, InputShape shape,
            TrainingSettings training, long seed, Map<String, Long> targetWidths) {
        return assemble(trainingBase(training, seed), body, losses, shape, targetWidths);
    }

    /**
     * The base configuration of every trained network: float, Xavier weights from {@code seed}, Adam at the budget's
     * learning rate, its L2 on the weights.
     */
    public static NeuralNetConfiguration.Builder trainingBase(TrainingSettings training, long seed) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER)
                .updater(new Adam(training.learningRate()))
                .l2(training.l2());
    }

    /** {@link #assemble(NeuralNetConfiguration.Builder, Student, List, InputShape, Map)} without label widths. */
    public static ComputationGraph assemble(NeuralNetConfiguration.Builder base, Student body,
            List<? extends DistillationLoss> losses, InputShape shape) {
        return assemble(base, body, losses, shape, Map.of());
    }

    /**
     * Builds and initialises a graph from a base configuration (seed, data type, updater) that the caller chose;
     * {@link #build} is the training default, gradient checks use a no-op updater in double precision.
     */
    public static ComputationGraph assemble(NeuralNetConfiguration.Builder base, Student body,
            List<? extends DistillationLoss> losses, InputShape shape, Map<String, Long> targetWidths) {
        io.distill4j.train.ShapeInfoCache.install();
        io.distill4j.train.DeallocatorMap.install();
        if (losses.stream().noneMatch(l -> l.inputVertex().equals(LOGITS))) {
            throw new IllegalArgumentException("a network needs a loss head on " + LOGITS + " (DL4J cannot train a "
                    + "layer without a path to an output; to train by feature heads alone, add one with weight 0)");
        }
        InputType inputType = inputType(body.inputKind(), shape);
        ComputationGraphConfiguration.GraphBuilder g = base.graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(inputType);
        addBodyAndLogits(g, body, shape);
        Map<String, InputType> types = new java.util.HashMap<>();
        String[] heads = new String[losses.size()];
        for (int i = 0; i < heads.length; i++) {
            DistillationLoss loss = losses.get(i);
            heads[i] = loss.headName();
            HeadGraph head = new HeadGraph(g, loss, () -> {
                if (types.isEmpty()) {
                    types.putAll(activationTypes(body, shape, inputType));
                }
                return types;
            }, targetWidths.get(loss.headName()));
            String last = loss.addHeadLayers(head);
            g.addLayer(heads[i], new LossLayer.Builder().lossFunction(loss.lossFunction())
                    .activation(Activation.IDENTITY).build(), last);
        }
        g.setOutputs(heads);
        ComputationGraph graph = new ComputationGraph(g.build());
        graph.init();
        TrainingLayers.install(graph);
        return graph;
    }

    private static void addBodyAndLogits(ComputationGraphConfiguration.GraphBuilder g, Student body,
            InputShape shape) {
        String last = body.addBody(g, INPUT, shape);
        g.addLayer(LOGITS, new DenseLayer.Builder().nIn(body.outputSize(shape)).nOut(shape.classes())
                .activation(Activation.IDENTITY).build(), last);
    }

    /** The output type of every body vertex and {@code logits}, from a configuration of the body alone. */
    private static Map<String, InputType> activationTypes(Student body, InputShape shape, InputType inputType) {
        ComputationGraphConfiguration.GraphBuilder probe = new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs(INPUT).setInputTypes(inputType);
        addBodyAndLogits(probe, body, shape);
        return probe.setOutputs(LOGITS).build().getLayerActivationTypes(inputType);
    }

    /** A head's view of the graph being assembled: its layers are named {@code <head>_<name>}. */
    private static final class HeadGraph implements HeadBuilder {
        private final ComputationGraphConfiguration.GraphBuilder graph;
        private final DistillationLoss loss;
        private final java.util.function.Supplier<Map<String, InputType>> types;
        private final Long targetWidth;

        HeadGraph(ComputationGraphConfiguration.GraphBuilder graph, DistillationLoss loss,
                java.util.function.Supplier<Map<String, InputType>> types, Long targetWidth) {
            this.graph = graph;
            this.loss = loss;
            this.types = types;
            this.targetWidth = targetWidth;
        }

        @Override
        public String input() {
            return loss.inputVertex();
        }

        @Override
        public InputType inputType() {
            InputType t = types.get().get(input());
            if (t == null) {
                throw new IllegalArgumentException("head " + loss.headName() + " reads '" + input()
                        + "', not a vertex of the student (" + String.join(", ", new java.util.TreeSet<>(
                                types.get().keySet())) + ")");
            }
            return t;
        }

        @Override
        public long targetWidth() {
            if (targetWidth == null) {
                throw new IllegalStateException("head " + loss.headName() + " needs its label width, but the graph "
                        + "is built without labels");
            }
            return targetWidth;
        }

        @Override
        public String addLayer(String name, Layer layer, String... inputs) {
            String vertex = loss.headName() + "_" + name;
            graph.addLayer(vertex, layer, inputs);
            return vertex;
        }

        @Override
        public String addVertex(String name, org.deeplearning4j.nn.conf.graph.GraphVertex v, String... inputs) {
            String vertex = loss.headName() + "_" + name;
            graph.addVertex(vertex, v, inputs);
            return vertex;
        }
    }

    /** The DL4J input type of a network reading {@code kind}. */
    public static InputType inputType(InputKind kind, InputShape shape) {
        return kind == InputKind.TABULAR
                ? InputType.feedForward(shape.features())
                : InputType.recurrent(shape.features(), shape.lookback(), RNNFormat.NCW);
    }

    /**
     * A copy of a trained graph for deployment: every vertex that does not feed {@value #LOGITS} (the loss heads and
     * the layers they own) is removed and a softmax vertex {@value #PROBABILITIES} is the only output. Parameters are
     * copied, the training graph is untouched.
     */
    public static ComputationGraph deployable(ComputationGraph trained) {
        TransferLearning.GraphBuilder b = inferencePart(trained);
        // a regression network's one output is its prediction: passed through as it is (a softmax of one value is 1)
        Activation out = trained.getLayer(LOGITS).getParam("W").size(1) == 1 ? Activation.IDENTITY : Activation.SOFTMAX;
        b.addLayer(PROBABILITIES, new ActivationLayer.Builder().activation(out).build(), LOGITS);
        b.setOutputs(PROBABILITIES);
        return b.build();
    }

    /** A copy of {@code trained} without the vertices that do not feed {@value #LOGITS}, outputs not yet set. */
    private static TransferLearning.GraphBuilder inferencePart(ComputationGraph trained) {
        Set<String> keep = feeding(trained.getConfiguration(), LOGITS);
        TransferLearning.GraphBuilder b = new TransferLearning.GraphBuilder(trained.clone());
        for (String vertex : trained.getConfiguration().getVertices().keySet()) {
            if (!keep.contains(vertex)) {
                b.removeVertexAndConnections(vertex);
            }
        }
        return b;
    }

    /** {@code vertex} and every vertex it reads, directly or not. */
    static Set<String> feeding(ComputationGraphConfiguration conf, String vertex) {
        Set<String> seen = new java.util.LinkedHashSet<>();
        java.util.Deque<String> todo = new java.util.ArrayDeque<>(List.of(vertex));
        while (!todo.isEmpty()) {
            String v = todo.pop();
            if (seen.add(v)) {
                todo.addAll(conf.getVertexInputs().getOrDefault(v, List.of()));
            }
        }
        return seen;
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
        TransferLearning.GraphBuilder b = inferencePart(trained);
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

    /** Trainable parameters of the deployable part: the vertices feeding {@value #LOGITS}, not the heads' layers. */
    public static long parameterCount(ComputationGraph graph) {
        Set<String> keep = feeding(graph.getConfiguration(), LOGITS);
        long n = 0;
        for (org.deeplearning4j.nn.graph.vertex.GraphVertex v : graph.getVertices()) {
            if (keep.contains(v.getVertexName()) && v.hasLayer()) {
                n += v.getLayer().numParams();
            }
        }
        return n;
    }
}
