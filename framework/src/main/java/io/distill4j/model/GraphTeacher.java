package io.distill4j.model;

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

/** A trained teacher backed by a {@link ComputationGraph} built by {@link Networks}. */
public final class GraphTeacher implements FittedTeacher {
    private final ComputationGraph graph;
    private final List<String> featureLayers;
    private final InputKind inputKind;

    public GraphTeacher(ComputationGraph graph, InputKind inputKind, List<String> featureLayers) {
        this.graph = graph;
        this.inputKind = inputKind;
        this.featureLayers = List.copyOf(featureLayers);
    }

    public ComputationGraph graph() {
        return graph;
    }

    @Override
    public TeacherOutputs infer(ModelInput samples) {
        INDArray input = samples.input(inputKind);
        graph.clear();
        Map<String, INDArray> acts = graph.feedForward(input, false);
        Map<String, INDArray> features = new LinkedHashMap<>();
        for (String name : featureLayers) {
            features.put(name, acts.get(name).detach());
        }
        INDArray logits = acts.get(Networks.LOGITS).detach();
        graph.clear();
        return new TeacherOutputs(logits, features);
    }

    @Override
    public long parameterCount() {
        return graph.numParams();
    }

    @Override
    public void save(Path zip) throws IOException {
        ModelSerializer.writeModel(graph, zip.toFile(), false);
    }
}
