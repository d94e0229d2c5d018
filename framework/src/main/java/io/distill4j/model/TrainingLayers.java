package io.distill4j.model;

import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Puts distill4j's faster versions of DL4J layers into a training graph, right after it is initialised and before it
 * trains: {@link ActivationReusingDenseLayer} for dense layers and {@link ForwardKeepingLstmLayer} for LSTM layers.
 * Both compute what DL4J's layers compute, bit for bit, without the second forward computation DL4J's backward pass
 * makes. A clone, a saved model and a deployable graph are rebuilt from the configuration and hold DL4J's layers.
 */
public final class TrainingLayers {
    private TrainingLayers() {
    }

    /** Replaces the dense and LSTM layers of {@code graph}; returns how many it replaced. */
    public static int install(ComputationGraph graph) {
        return ActivationReusingDenseLayer.install(graph) + ForwardKeepingLstmLayer.install(graph);
    }
}
