package io.distill4j.model;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.InputKind;
import io.distill4j.api.InputShape;
import io.distill4j.api.Student;
import io.distill4j.train.TrainingSettings;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Assembles every trainable network of the framework the same way: {@code input} → body → {@code logits} (dense,
 * identity) → one parameter-free output head per loss term, each head's output being the logits it was given. A
 * deployable model replaces the heads with a single softmax vertex {@code probabilities}.
 */
public final class Networks {
    /** Name of the input vertex. */
    public static final String INPUT = "input";
    /** Name of the dense layer producing class logits. */
    public static final String LOGITS = "logits";
    /** Name of the softmax output of a deployable model. */
    public static final String PROBABILITIES = "probabilities";

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

    /** Trainable parameters of the deployable part (body and logits; heads have none). */
    public static long parameterCount(ComputationGraph graph) {
        return graph.numParams();
    }
}
