/**
 * Networks: how every teacher and student graph is assembled ({@link io.distill4j.model.Networks}: body, named
 * {@code logits}, one head per loss, deployable export), and the built-in architectures. Training graphs get faster
 * layers with DL4J's results bit for bit ({@link io.distill4j.model.TrainingLayers}): dense layers that reuse their
 * activation, call OpenBLAS directly and do small element-wise steps in Java
 * ({@link io.distill4j.model.DenseElementwise}), and LSTM layers that keep their forward pass.
 */
package io.distill4j.model;
