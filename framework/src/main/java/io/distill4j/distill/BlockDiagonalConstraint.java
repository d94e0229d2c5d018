package io.distill4j.distill;

import io.distill4j.model.DenseElementwise;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.LayerConstraint;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Keeps a dense layer's weight matrix {@code [N*in, N*out]} block-diagonal: after every update, every entry outside
 * the N diagonal blocks {@code [b*in, (b+1)*in) x [b*out, (b+1)*out)} is set to exactly zero (one multiplication by a
 * 0/1 mask; on a student's small matrices a Java pass, {@link DenseElementwise}). With these zeros, block {@code b}'s
 * outputs depend only on block {@code b}'s inputs, and since Adam and L2 act elementwise, the diagonal entries evolve
 * as those of N separate layers (the off-diagonal entries do get gradients and optimiser state, which this constraint
 * discards). See {@link FusedDistiller}.
 */
final class BlockDiagonalConstraint implements LayerConstraint {
    private static final long serialVersionUID = 1L;

    private final int blocks;
    private Set<String> params = new LinkedHashSet<>();
    private transient INDArray mask;
    /** The mask's values in the storage order of the weights it was made for (for the Java pass). */
    private transient float[] maskInStorageOrder;

    BlockDiagonalConstraint(int blocks) {
        this.blocks = blocks;
    }

    @Override
    public void applyConstraint(Layer layer, int iteration, int epoch) {
        for (String key : params) {
            INDArray w = layer.getParam(key);
            if (w != null) {
                INDArray m = mask(w);
                if (!DenseElementwise.multiplyInStorageOrder(w, maskInStorageOrder)) {
                    w.muli(m);
                }
            }
        }
    }

    private INDArray mask(INDArray w) {
        if (mask == null || !Arrays.equals(mask.shape(), w.shape())) {
            mask = mask(w.size(0), w.size(1), blocks).castTo(w.dataType());
            maskInStorageOrder = mask.dup(w.ordering()).data().asFloat();
        }
        return mask;
    }

    /** The 0/1 mask of the diagonal blocks of a {@code [rows, cols]} matrix split into {@code blocks} x {@code blocks}. */
    static INDArray mask(long rows, long cols, int blocks) {
        if (rows % blocks != 0 || cols % blocks != 0) {
            throw new IllegalArgumentException("a [" + rows + ", " + cols + "] matrix does not split into " + blocks
                    + " equal blocks");
        }
        long in = rows / blocks;
        long out = cols / blocks;
        INDArray m = Nd4j.zeros(rows, cols);
        for (int b = 0; b < blocks; b++) {
            m.get(NDArrayIndex.interval(b * in, (b + 1) * in), NDArrayIndex.interval(b * out, (b + 1) * out))
                    .assign(1);
        }
        return m;
    }

    @Override
    public void setParams(Set<String> params) {
        this.params = new LinkedHashSet<>(params);
    }

    @Override
    public Set<String> getParams() {
        return params;
    }

    @Override
    public LayerConstraint clone() {
        BlockDiagonalConstraint copy = new BlockDiagonalConstraint(blocks);
        copy.params = new LinkedHashSet<>(params);
        return copy;
    }
}
