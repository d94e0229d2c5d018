package io.distill4j.model;

import io.distill4j.Distill4jException;
import io.distill4j.api.FittedTeacher;
import io.distill4j.api.InputKind;
import io.distill4j.api.InputShape;
import io.distill4j.plugin.AbstractPluginFactory;
import io.distill4j.api.Teacher;
import io.distill4j.api.TeacherFitContext;
import io.distill4j.config.ConfigNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bring your own teacher (type {@code saved}): a model trained elsewhere and saved as a DL4J model zip
 * ({@code ModelSerializer}: a {@code ComputationGraph}, or a {@code MultiLayerNetwork}, which is converted). It is
 * not trained: {@link #fit} loads it, checks it against the data (feature width, number of classes) and returns it.
 *
 * <pre>
 * teacher:
 *   type: saved
 *   path: models/teacher.zip   # DL4J model zip, relative to the study file's folder
 *   input: sequence            # tabular ([n, features]) | sequence ([n, features, lookback], NCW)
 *   output: probabilities      # logits | probabilities (a softmax output; its log, clipped at 1e-7, is used)
 *   output_vertex: out         # optional: the vertex to read; default the model's only output
 * </pre>
 *
 * <p>The model must read the features this framework prepares, in the same order and standardisation, and predict
 * the study's classes in the same order; only the widths can be checked. A saved teacher gives no named features,
 * so it cannot drive feature (hint) losses. A gbt teacher's zip (XGBoost's model, see {@link GbtTeacher}) loads with
 * {@code input: tabular, output: logits}. Teacher zips written by this framework ({@code teacher.zip} in the
 * teacher cache) load with {@code output: logits}.
 */
public record SavedTeacher(Path path, InputKind input, boolean probabilities, String outputVertex)
        implements Teacher {
    /** Reads {@code path, input, output, output_vertex}; fails if the file does not exist. */
    public static SavedTeacher parse(ConfigNode node) {
        Path path = node.existingFile("path", "saved model");
        InputKind input = InputKind.valueOf(node.choice("input", null, List.of("tabular", "sequence"))
                .toUpperCase(Locale.ROOT));
        boolean probabilities = node.choice("output", null, List.of("logits", "probabilities"))
                .equals("probabilities");
        return new SavedTeacher(path, input, probabilities, node.optionalString("output_vertex").orElse(null));
    }

    @Override
    public String describe() {
        return "saved(" + path.getFileName() + ")";
    }

    @Override
    public java.util.List<Path> inputFiles() {
        return java.util.List.of(path);
    }

    @Override
    public int epochBudget() {
        return 0;
    }

    @Override
    public InputKind inputKind() {
        return input;
    }

    /** Loads and checks the model; nothing is trained. */
    @Override
    public FittedTeacher fit(TeacherFitContext ctx) {
        Regression.unsupported(ctx, "saved");
        if (GbtTeacher.Fitted.isSaved(path)) {
            return loadTrees(ctx.shape());
        }
        ComputationGraph graph = load(path);
        String vertex = outputVertex(graph);
        check(graph, vertex, ctx.shape());
        return new GraphTeacher(graph, input, List.of(), vertex, probabilities);
    }

    /**
     * Reads a DL4J model zip as a graph (a {@code MultiLayerNetwork} is converted).
     *
     * @throws Distill4jException if the file is missing or is not a DL4J model
     */
    public static ComputationGraph load(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new Distill4jException("saved teacher " + path + ": no such file");
        }
        try {
            return ModelSerializer.restoreComputationGraph(path.toFile(), false);
        } catch (Exception | LinkageError graphProblem) {
            try {
                return ModelSerializer.restoreMultiLayerNetwork(path.toFile(), false).toComputationGraph();
            } catch (Exception | LinkageError networkProblem) {
                throw new Distill4jException("saved teacher " + path + ": not a DL4J model zip (ComputationGraph: "
                        + graphProblem.getMessage() + "; MultiLayerNetwork: " + networkProblem.getMessage() + ")",
                        graphProblem);
            }
        }
    }

    /** A gbt teacher's zip (XGBoost's model): tabular input, logits = ln p; widths checked against the data. */
    private FittedTeacher loadTrees(InputShape shape) {
        String where = "saved teacher " + path + ": ";
        if (input != InputKind.TABULAR || probabilities || outputVertex != null) {
            throw new Distill4jException(where + "a gbt teacher's model reads tabular input and gives logits: "
                    + "declare input: tabular, output: logits and no output_vertex");
        }
        GbtTeacher.Fitted trees;
        try {
            trees = GbtTeacher.Fitted.load(path);
        } catch (java.io.IOException e) {
            throw new Distill4jException(where + e.getMessage(), e);
        }
        if (trees.features() != shape.features() || trees.classes() != shape.classes()) {
            throw new Distill4jException(where + "the model reads " + trees.features() + " features and predicts "
                    + trees.classes() + " classes, the data has " + shape.features() + " and the study "
                    + shape.classes());
        }
        return trees;
    }

    private String outputVertex(ComputationGraph graph) {
        List<String> outputs = graph.getConfiguration().getNetworkOutputs();
        if (outputVertex == null) {
            if (outputs.size() != 1) {
                throw new Distill4jException("saved teacher " + path + ": the model has " + outputs.size()
                        + " outputs " + outputs + "; choose one with output_vertex");
            }
            return outputs.get(0);
        }
        if (!graph.getConfiguration().getVertices().containsKey(outputVertex)) {
            throw new Distill4jException("saved teacher " + path + ": no vertex '" + outputVertex
                    + "' (vertices: " + String.join(", ", new TreeSet<>(graph.getConfiguration().getVertices()
                            .keySet())) + ")");
        }
        return outputVertex;
    }

    /** Checks input width (declared, then by a one-sample forward pass) and output width against the data. */
    private void check(ComputationGraph graph, String vertex, InputShape shape) {
        String where = "saved teacher " + path + ": ";
        long width = Networks.inputWidth(graph);
        if (width > 0 && width != shape.features()) {
            throw new Distill4jException(where + "the model reads " + width + " features per "
                    + (input == InputKind.TABULAR ? "sample" : "bar") + ", the data has " + shape.features());
        }
        INDArray probe = input == InputKind.TABULAR
                ? Nd4j.zeros(graph.getConfiguration().getDataType(), 1, shape.features())
                : Nd4j.zeros(graph.getConfiguration().getDataType(), 1, shape.features(), shape.lookback());
        INDArray out;
        try {
            graph.clear();
            Map<String, INDArray> acts = graph.feedForward(probe, false);
            out = acts.get(vertex);
        } catch (RuntimeException e) {
            throw new Distill4jException(where + "the model cannot read " + input.name().toLowerCase(Locale.ROOT)
                    + " input of shape " + Arrays.toString(probe.shape()) + ": " + e.getMessage(), e);
        } finally {
            graph.clear();
        }
        if (out == null || out.rank() != 2) {
            throw new Distill4jException(where + "output vertex '" + vertex + "' should give [n, classes], got "
                    + (out == null ? "nothing" : Arrays.toString(out.shape())));
        }
        if (out.size(1) != shape.classes()) {
            throw new Distill4jException(where + "the model predicts " + out.size(1) + " classes, the study has "
                    + shape.classes());
        }
    }

    /** Factory for {@code type: saved}. */
    public static final class Factory extends AbstractPluginFactory<Teacher> {
        public Factory() {
            super(Teacher.class, "saved", SavedTeacher::parse);
        }
    }
}
