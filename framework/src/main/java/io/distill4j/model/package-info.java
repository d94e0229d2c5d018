/**
 * Networks: how every teacher and student graph is assembled ({@link io.distill4j.model.Networks}: body, named
 * {@code logits}, one head per loss, deployable export), and the built-in architectures.
 */
package io.distill4j.model;
