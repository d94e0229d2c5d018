package io.distill4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.InputShape;
import io.distill4j.loss.HintonKd;
import io.distill4j.model.MlpNetwork;
import io.distill4j.model.Networks;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ndarray.ShapeInfoProvider;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class ShapeInfoCacheTest {
    private static ShapeInfoCache installed() {
        assertTrue(ShapeInfoCache.install(), "the cache is installed on the CPU backend");
        return (ShapeInfoCache) Nd4j.getShapeInfoProvider();
    }

    @Test
    void answersEveryDescriptorWithTheBackendsShapeInformationAndReusesIt() {
        ShapeInfoCache cache = installed();
        ShapeInfoProvider backend = backendOf(cache);
        Object[][] descriptors = {
            {new long[] {256, 12}, new long[] {12, 1}, 1L, 'c', DataType.FLOAT, false},
            {new long[] {256, 12}, new long[] {1, 256}, 1L, 'f', DataType.FLOAT, false},
            {new long[] {7, 3, 5}, new long[] {15, 5, 1}, 1L, 'c', DataType.DOUBLE, false},
            {new long[] {4, 3}, new long[] {6, 1}, 0L, 'c', DataType.FLOAT, false}, // a strided view
            {new long[] {4, 3}, new long[] {6, 2}, 0L, 'c', DataType.FLOAT, false}, // only the strides differ
            {new long[] {4, 3}, new long[] {6, 2}, 0L, 'c', DataType.DOUBLE, false}, // only the data type differs
            {new long[] {0, 3}, new long[] {3, 1}, 1L, 'c', DataType.FLOAT, true},
        };
        for (Object[] d : descriptors) {
            Pair<DataBuffer, long[]> first = create(cache, d);
            Pair<DataBuffer, long[]> again = create(cache, d);
            Pair<DataBuffer, long[]> fresh = create(backend, d);
            assertArrayEquals(fresh.getSecond(), first.getSecond(), "shape information of " + describe(d));
            assertArrayEquals(fresh.getFirst().asLong(), first.getFirst().asLong(), "shape buffer of " + describe(d));
            assertSame(first.getFirst(), again.getFirst(), "the same descriptor reuses its buffer: " + describe(d));
            assertNotSame(fresh.getFirst(), create(backend, d).getFirst(), "the backend creates a new buffer per call");
        }
        Pair<DataBuffer, long[]> c = create(cache, descriptors[0]);
        assertNotSame(c.getFirst(), create(cache, descriptors[1]).getFirst(), "another order, another buffer");
    }

    @Test
    void viewsAndReshapesComputeTheSameValuesThroughTheCache() {
        installed();
        float[] values = new float[60];
        for (int i = 0; i < 60; i++) {
            values[i] = i + 1;
        }
        INDArray a = Nd4j.createFromArray(values).reshape(5, 12);
        INDArray view = a.get(NDArrayIndex.interval(1, 4), NDArrayIndex.all()).reshape(6, 6).transpose();
        assertEquals(6, view.rows());
        assertEquals(13.0f, view.getFloat(0, 0));
        assertEquals(19.0f, view.getFloat(0, 1));
        assertEquals(14.0f, view.getFloat(1, 0));
        assertEquals((13 + 48) * 36 / 2.0, view.sumNumber().doubleValue(), 1e-3);
    }

    /** A KD student trained with the cache in place and without it ends with bit-identical parameters. */
    @Test
    void trainingIsBitIdenticalWithAndWithoutTheCache() {
        ShapeInfoCache cache = installed();
        INDArray without;
        setProvider(backendOf(cache));
        try {
            without = trainStudent();
        } finally {
            setProvider(cache);
        }
        INDArray with = trainStudent();
        assertTrue(cache.size() > 0, "the cached run went through the cache");
        assertArrayEquals(without.toFloatVector(), with.toFloatVector());
    }

    private static INDArray trainStudent() {
        var settings = new TrainingSettings(3, 16, 0.01, 1e-4, 0);
        var loss = new HintonKd(4, 0.5);
        ComputationGraph g = Networks.build(new MlpNetwork(List.of(8, 4), "relu", 0.1), List.of(loss),
                new InputShape(6, 1, 3), settings, 11);
        INDArray x = Nd4j.randn(5, new long[] {70, 6}).castTo(DataType.FLOAT);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 70, 3);
        for (int i = 0; i < 70; i++) {
            y.putScalar(i, i % 3, 1);
        }
        INDArray teacher = Nd4j.randn(6, new long[] {70, 3}).castTo(DataType.FLOAT);
        var labels = loss.labels(y, new io.distill4j.api.TeacherOutputs(teacher, java.util.Map.of()));
        GraphTrainer.train("s", g, new ShufflingMultiDataSetIterator(new INDArray[] {x}, new INDArray[] {labels}, 16,
                9), new GraphTrainer.Validation(x, y), settings, e -> java.util.Map.of(), r -> { });
        return g.params().dup();
    }

    private static Pair<DataBuffer, long[]> create(ShapeInfoProvider p, Object[] d) {
        return p.createShapeInformation((long[]) d[0], (long[]) d[1], (Long) d[2], (Character) d[3],
                (DataType) d[4], (Boolean) d[5]);
    }

    private static String describe(Object[] d) {
        return java.util.Arrays.toString((long[]) d[0]) + " " + d[3] + " " + d[4] + (((Boolean) d[5]) ? " empty" : "");
    }

    private static ShapeInfoProvider backendOf(ShapeInfoCache cache) {
        return cache.backend();
    }

    private static void setProvider(ShapeInfoProvider p) {
        try {
            var f = Nd4j.class.getDeclaredField("shapeInfoProvider");
            f.setAccessible(true);
            f.set(null, p);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
