package io.distill4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A DL4J {@link MultiDataSetIterator} over in-memory arrays that serves minibatches in a new seeded random order on
 * every {@link #reset()} (one epoch per pass). Each array's first dimension is the sample; inputs may be tabular
 * {@code [n, f]} or sequences {@code [n, f, t]}, and there may be several label arrays (one per output head).
 */
public final class ShufflingMultiDataSetIterator implements MultiDataSetIterator {
    private static final long serialVersionUID = 1L;

    private final INDArray[] inputs;
    private final INDArray[] labels;
    private final INDArray[] inputRows;
    private final INDArray[] labelRows;
    private final int batchSize;
    private final Random random;
    private final int n;
    private INDArray[] epochInputs;
    private INDArray[] epochLabels;
    private int cursor;
    private MultiDataSetPreProcessor preProcessor;

    public ShufflingMultiDataSetIterator(INDArray[] inputs, INDArray[] labels, int batchSize, long seed) {
        this.inputs = inputs.clone();
        this.labels = labels.clone();
        this.batchSize = batchSize;
        this.random = new Random(seed);
        this.n = (int) inputs[0].size(0);
        for (INDArray a : inputs) {
            check(a);
        }
        for (INDArray a : labels) {
            check(a);
        }
        this.inputRows = rows(this.inputs);
        this.labelRows = rows(this.labels);
        reset();
    }

    private void check(INDArray a) {
        if (a.size(0) != n) {
            throw new IllegalArgumentException("all arrays need " + n + " samples, got " + a.size(0));
        }
    }

    @Override
    public void reset() {
        int[] order = permutation(random, n);
        epochInputs = gather(inputs, inputRows, epochInputs, order);
        epochLabels = gather(labels, labelRows, epochLabels, order);
        cursor = 0;
    }

    /**
     * The next minibatch order of {@code n} samples drawn from {@code random} (a Fisher-Yates shuffle): the order of
     * every pass. An iterator seeded with {@code s} draws one at construction and one per {@link #reset()}, so the
     * order of epoch {@code e} (0-based, after the trainer's reset) is the {@code (e + 2)}-th draw of
     * {@code new Random(s)}.
     */
    public static int[] permutation(Random random, int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** Each array as a row-major matrix {@code [n, rest]}, copied once (the source rows of every epoch's gather). */
    private static INDArray[] rows(INDArray[] arrays) {
        INDArray[] out = new INDArray[arrays.length];
        for (int k = 0; k < arrays.length; k++) {
            INDArray a = arrays[k];
            out[k] = a.dup('c').reshape('c', a.size(0), a.length() / a.size(0));
        }
        return out;
    }

    /**
     * Rows of every array in {@code order}, with ND4J's native row gather (arrays of any rank), written into the
     * previous epoch's arrays when there are any (the minibatches of a pass are views of them, so a pass's batches
     * stay valid until the next {@link #reset()}).
     */
    private static INDArray[] gather(INDArray[] arrays, INDArray[] rows, INDArray[] previous, int[] order) {
        INDArray[] out = new INDArray[arrays.length];
        for (int k = 0; k < arrays.length; k++) {
            if (previous == null) {
                out[k] = Nd4j.pullRows(rows[k], 1, order).reshape('c', arrays[k].shape());
            } else {
                Nd4j.pullRows(rows[k], previous[k].reshape('c', rows[k].shape()), 1, order);
                out[k] = previous[k];
            }
        }
        return out;
    }

    @Override
    public boolean hasNext() {
        return cursor < n;
    }

    @Override
    public MultiDataSet next() {
        return next(batchSize);
    }

    @Override
    public MultiDataSet next(int num) {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        int end = Math.min(n, cursor + num);
        MultiDataSet batch = new MultiDataSet(slice(epochInputs, cursor, end), slice(epochLabels, cursor, end));
        cursor = end;
        if (preProcessor != null) {
            preProcessor.preProcess(batch);
        }
        return batch;
    }

    private static INDArray[] slice(INDArray[] arrays, int from, int to) {
        List<INDArray> out = new ArrayList<>();
        for (INDArray a : arrays) {
            INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
            idx[0] = NDArrayIndex.interval(from, to);
            for (int d = 1; d < a.rank(); d++) {
                idx[d] = NDArrayIndex.all();
            }
            out.add(a.get(idx));
        }
        return out.toArray(INDArray[]::new);
    }

    /** Samples per pass. */
    public int size() {
        return n;
    }

    @Override
    public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public MultiDataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return false;
    }
}
