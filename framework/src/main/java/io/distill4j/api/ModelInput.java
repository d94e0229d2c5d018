package io.distill4j.api;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A set of samples that can be served in either input form, so that tabular and sequence networks (and rule-based
 * teachers, which read the bars themselves) see exactly the same samples in the same order.
 */
public interface ModelInput {
    /** Number of samples. */
    int size();

    /** The samples as {@code [n, features]} ({@link InputKind#TABULAR}) or {@code [n, features, lookback]}. */
    INDArray input(InputKind kind);

    /** For each sample, the index of its bar in the underlying kline series. */
    int[] barIndices();
}
