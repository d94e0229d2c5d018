package io.distill4j.model;

import java.util.function.BiFunction;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.layers.recurrent.LastTimeStepLayer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Puts distill4j's faster versions of DL4J layers into a training graph, right after it is initialised and before it
 * trains: {@link ActivationReusingDenseLayer} for dense layers, {@link ForwardKeepingLstmLayer} for LSTM layers (alone
 * in their vertex or inside {@code LastTimeStep}; its recurrence is {@link LstmRecurrence}), and for SameDiff layers
 * {@link DirectSelfAttentionLayer} (a projected {@code SelfAttentionLayer}) and {@link DirectPositionEncodingLayer},
 * and {@link PerBarDenseLayer} for kernel-1 1-d convolutions.
 * They compute what DL4J's layers compute, without the second forward computation DL4J's backward pass makes: bit for
 * bit, except the attention layer, which agrees to float rounding. Each takes over its DL4J layer's configuration,
 * index, listeners, parameter views and gradient views. A clone, a saved model and a deployable graph are rebuilt
 * from the configuration and hold DL4J's layers.
 */
public final class TrainingLayers {
    private TrainingLayers() {
    }

    /** Replaces the layers of {@code graph} that have a faster version; returns how many it replaced. */
    public static int install(ComputationGraph graph) {
        Layer[] layers = graph.getLayers();
        int replaced = 0;
        for (GraphVertex vertex : graph.getVertices()) {
            if (!vertex.hasLayer()) {
                continue;
            }
            Layer layer = vertex.getLayer();
            if (layer instanceof LastTimeStepLayer wrapper) {
                Layer faster = faster(wrapper.getUnderlying());
                if (faster != null) {
                    wrapper.setUnderlying(faster);
                    replaced++;
                }
                continue;
            }
            Layer faster = faster(layer);
            if (faster != null) {
                ((LayerVertex) vertex).setLayer(faster);
                for (int i = 0; i < layers.length; i++) {
                    if (layers[i] == layer) {
                        layers[i] = faster;
                    }
                }
                replaced++;
            }
        }
        return replaced;
    }

    /** The faster layer in {@code plain}'s place, or null when there is none for {@code plain}'s kind of layer. */
    private static Layer faster(Layer plain) {
        BiFunction<NeuralNetConfiguration, DataType, Layer> make;
        if (plain.getClass() == org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer.class) {
            make = ActivationReusingDenseLayer::new;
        } else if (plain.getClass() == org.deeplearning4j.nn.layers.recurrent.LSTM.class) {
            make = ForwardKeepingLstmLayer::new;
        } else if (plain.getClass() == org.deeplearning4j.nn.layers.samediff.SameDiffLayer.class
                && DirectSelfAttentionLayer.computes(plain.conf())) {
            make = DirectSelfAttentionLayer::new;
        } else if (plain.getClass() == org.deeplearning4j.nn.layers.samediff.SameDiffLayer.class
                && DirectPositionEncodingLayer.computes(plain.conf())) {
            make = DirectPositionEncodingLayer::new;
        } else if (plain.getClass() == org.deeplearning4j.nn.layers.convolution.Convolution1DLayer.class
                && PerBarDenseLayer.computes(plain.conf())) {
            make = PerBarDenseLayer::new;
        } else {
            return null;
        }
        Layer faster = make.apply(plain.conf(), plain.conf().getDataType());
        faster.setListeners(plain.getListeners());
        faster.setIndex(plain.getIndex());
        faster.setParamsViewArray(plain.params());
        faster.setParamTable(plain.paramTable());
        if (plain.getGradientsViewArray() != null) {
            faster.setBackpropGradientsViewArray(plain.getGradientsViewArray());
        }
        return faster;
    }
}
