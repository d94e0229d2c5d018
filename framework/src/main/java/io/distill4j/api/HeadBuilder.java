package io.distill4j.api;

import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;

/**
 * What a loss head sees of a student graph while the framework assembles it, and the one way it may add to it: see
 * {@link DistillationLoss#addHeadLayers}. Layers added here belong to the head; they train with the student but never
 * reach the deployable model or its parameter count.
 */
public interface HeadBuilder {
    /** The student vertex the head reads ({@link DistillationLoss#inputVertex()}). */
    String input();

    /** The DL4J type of that vertex's output, e.g. {@code InputType.feedForward(8)} for a dense layer of width 8. */
    InputType inputType();

    /**
     * The width (size of dimension 1) of the labels this head trains against, e.g. the width of the teacher layer a
     * feature loss imitates.
     *
     * @throws IllegalStateException when the graph is built without labels (then no head may need it)
     */
    long targetWidth();

    /**
     * Adds a trainable layer to the head.
     *
     * @param name a name unique within the head; the vertex is named {@code <head>_<name>}
     * @param inputs the vertices it reads ({@link #input()} or layers added before)
     * @return the new vertex's name
     */
    String addLayer(String name, Layer layer, String... inputs);

    /**
     * Adds a parameter-free vertex to the head (e.g. a reshape of a sequence activation {@code [n, c, t]} to
     * {@code [n, c * t]}), named like {@link #addLayer}.
     *
     * @return the new vertex's name
     */
    String addVertex(String name, GraphVertex vertex, String... inputs);
}
