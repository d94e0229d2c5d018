package io.distill4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

class ShufflingMultiDataSetIteratorTest {
    /** Sample i has features (i, 10i), window values 100i + t and label (-i, i, 2i): rows must stay together. */
    private static ShufflingMultiDataSetIterator iterator(int n, long seed) {
        INDArray tabular = Nd4j.zeros(DataType.FLOAT, n, 2);
        INDArray windows = Nd4j.zeros(DataType.FLOAT, n, 2, 3);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, n, 3);
        for (int i = 0; i < n; i++) {
            tabular.putScalar(i, 0, i);
            tabular.putScalar(i, 1, 10 * i);
            for (int f = 0; f < 2; f++) {
                for (int t = 0; t < 3; t++) {
                    windows.putScalar(new long[] {i, f, t}, 100 * i + 10 * f + t);
                }
            }
            labels.putScalar(i, 0, -i);
            labels.putScalar(i, 1, i);
            labels.putScalar(i, 2, 2 * i);
        }
        return new ShufflingMultiDataSetIterator(new INDArray[] {tabular, windows}, new INDArray[] {labels}, 4, seed);
    }

    private static List<Integer> epoch(ShufflingMultiDataSetIterator it) {
        List<Integer> order = new ArrayList<>();
        it.reset();
        while (it.hasNext()) {
            MultiDataSet b = it.next();
            assertTrue(b.getFeatures(0).size(0) <= 4);
            for (int r = 0; r < b.getFeatures(0).size(0); r++) {
                int i = (int) b.getFeatures(0).getDouble(r, 0);
                assertEquals(10.0 * i, b.getFeatures(0).getDouble(r, 1));
                for (int f = 0; f < 2; f++) {
                    for (int t = 0; t < 3; t++) {
                        assertEquals(100.0 * i + 10 * f + t, b.getFeatures(1).getDouble(r, f, t));
                    }
                }
                assertEquals(-i, b.getLabels(0).getDouble(r, 0));
                assertEquals(2.0 * i, b.getLabels(0).getDouble(r, 2));
                order.add(i);
            }
        }
        return order;
    }

    @Test
    void everySampleOncePerEpochWithRowsKeptTogether() {
        var it = iterator(10, 5);
        List<Integer> first = epoch(it);
        assertEquals(10, first.size());
        assertEquals(10, new HashSet<>(first).size());
        List<Integer> second = epoch(it);
        assertEquals(Set.copyOf(first), Set.copyOf(second));
        assertNotEquals(first, second, "a new order every epoch");
        assertFalse(it.asyncSupported());
    }

    @Test
    void sameSeedSameOrder() {
        assertEquals(epoch(iterator(25, 9)), epoch(iterator(25, 9)));
        assertNotEquals(epoch(iterator(25, 9)), epoch(iterator(25, 10)));
    }
}
