package io.distill4j.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A detached native float buffer that grows to the largest size asked of it and lends row-major matrices laid over its
 * start. A layer whose minibatch size changes (training minibatches, a shorter last one, a validation pass over a
 * whole split) then allocates its working memory once instead of at every change: freshly allocated native memory is
 * zeroed by libnd4j, which took about a tenth of the attention teacher's profile.
 */
final class GrowingFloats {
    private INDArray memory;

    /** A row-major {@code [rows, columns]} matrix, uninitialised, over the first {@code rows * columns} floats. */
    INDArray matrix(long rows, long columns) {
        long length = rows * columns;
        if (memory == null || memory.length() < length) {
            memory = Nd4j.createUninitializedDetached(DataType.FLOAT, Math.max(1, length));
        }
        return memory.get(NDArrayIndex.interval(0, length)).reshape('c', rows, columns);
    }
}
