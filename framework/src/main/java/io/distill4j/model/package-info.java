/**
 * Networks: how every teacher and student graph is assembled ({@link io.distill4j.model.Networks}: body, named
 * {@code logits}, one head per loss, deployable export), and the built-in architectures. Training graphs get faster
 * layers ({@link io.distill4j.model.TrainingLayers}): dense layers that reuse their activation, call OpenBLAS directly
 * and do their element-wise steps and dropout in Java ({@link io.distill4j.model.DenseElementwise}), an LSTM whose
 * recurrence runs in Java and OpenBLAS, kernel-1 convolutions as one product, and a position encoding without
 * SameDiff, all with DL4J's results bit for bit; and self-attention in Java and OpenBLAS, equal to DL4J's to float
 * rounding. Their working memory is kept across minibatch sizes and laid out so that HotSpot vectorises their loops.
 */
package io.distill4j.model;
