package io.distill4j.model;

import io.distill4j.api.VertexNames;

import io.distill4j.api.FittedTeacher;
import io.distill4j.api.InputKind;
import io.distill4j.api.ModelInput;
import io.distill4j.api.TeacherOutputs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A trained teacher backed by a {@link ComputationGraph}: one built by {@link Networks} (logits read from vertex
 * {@value Networks#LOGITS}) or a loaded model ({@link SavedTeacher}: any output vertex, logits or probabilities).
 */
public final class GraphTeacher implements FittedTeacher {
    /** Probabilities are clipped to at least this before their log is taken as logits. */
    public static final double MIN_PROBABILITY = 1e-7;

    private final ComputationGraph graph;
    private final List<String> featureLayers;
    private final InputKind inputKind;
    private final String outputVertex;
    private final boolean probabilities;

    /** A teacher built by {@link Networks}: logits from vertex {@value Networks#LOGITS}. */
    public GraphTeacher(ComputationGraph graph, InputKind inputKind, List<String> featureLayers) {
        this(graph, inputKind, featureLayers, VertexNames.LOGITS, false);
    }

    /**
     * A teacher reading {@code outputVertex}; if {@code probabilities}, that vertex gives class probabilities, turned
     * into logits as {@code log(max(p, }{@value #MIN_PROBABILITY}{@code ))}.
     */
    public GraphTeacher(ComputationGraph graph, InputKind inputKind, List<String> featureLayers, String outputVertex,
            boolean probabilities) {
        this.graph = graph;
        this.inputKind = inputKind;
        this.featureLayers = List.copyOf(featureLayers);
        this.outputVertex = outputVertex;
        this.probabilities = probabilities;
    }

    public ComputationGraph graph() {
        return graph;
    }

    /** The names of the activations returned as features. */
    public List<String> featureLayers() {
        return featureLayers;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the samples' shape is not what the graph reads (expected and actual shape)
     */
    @Override
    public TeacherOutputs infer(ModelInput samples) {
        INDArray input = samples.input(inputKind);
        Networks.checkInput(graph, input, inputKind);
        graph.clear();
        Map<String, INDArray> acts = graph.feedForward(input, false);
        Map<String, INDArray> features = new LinkedHashMap<>();
        for (String name : featureLayers) {
            features.put(name, acts.get(name).detach());
        }
        INDArray out = acts.get(outputVertex).detach();
        graph.clear();
        INDArray logits = probabilities ? Transforms.log(Transforms.max(out, MIN_PROBABILITY, true), false) : out;
        return new TeacherOutputs(logits, features);
    }

    @Override
    public long parameterCount() {
        return graph.numParams();
    }

    /**
     * Saves the model for inference: a graph built by {@link Networks} is saved without its loss heads, with
     * {@value Networks#LOGITS} as its only output (it loads as a {@code saved} teacher with {@code output: logits});
     * a loaded model is saved as it is.
     */
    @Override
    public void save(Path zip) throws IOException {
        boolean built = outputVertex.equals(VertexNames.LOGITS) && !probabilities
                && graph.getConfiguration().getVertices().containsKey(VertexNames.LOGITS);
        ModelSerializer.writeModel(built ? Networks.withoutHeads(graph) : graph, zip.toFile(), false);
    }
}
