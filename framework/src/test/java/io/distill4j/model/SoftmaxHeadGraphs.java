package io.distill4j.model;

import io.distill4j.api.VertexNames;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small DL4J graphs for tests: a body, then 3-class {@code logits} and a softmax cross-entropy head named {@code out}. */
public final class SoftmaxHeadGraphs {
    private SoftmaxHeadGraphs() {
    }

    /** {@code body} (ending in vertex {@code last} of {@code width} outputs) with the head added, built and initialised. */
    public static ComputationGraph withSoftmaxHead(ComputationGraphConfiguration.GraphBuilder body, String last,
            int width) {
        ComputationGraph g = new ComputationGraph(body
                .addLayer(VertexNames.LOGITS, new DenseLayer.Builder().nIn(width).nOut(3)
                        .activation(Activation.IDENTITY).build(), last)
                .addLayer("out", new LossLayer.Builder().lossFunction(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).build(), VertexNames.LOGITS)
                .setOutputs("out").build());
        g.init();
        return g;
    }
}
