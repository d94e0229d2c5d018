package io.distill4j.train;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.ShapeInfoProvider;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Caches ND4J's shape descriptors on the Java side, the largest per-operation cost of small networks in ND4J
 * 1.0.0-M2.1 on the CPU.
 *
 * <p>Every array ND4J creates, views included (a reshape, a row interval, a transpose), asks the backend's
 * {@link ShapeInfoProvider} for its shape information. The CPU backend's provider caches only some overloads: the one
 * with the {@code empty} flag, which {@code BaseNDArray}'s constructors call, goes to native code every time, which
 * returns its own cached constant buffer but wraps it in two fresh JavaCPP pointers and a new data buffer registered
 * with ND4J's deallocator service (a {@code ConcurrentHashMap} entry under a string id and a phantom reference each),
 * so a garbage collection later processes thousands of references per training step. Measured on a 12 -> 16 -> 8 -> 3
 * KD student: this bookkeeping was about a third of the training thread's CPU time, and the reference processing
 * doubled the process's CPU time beyond that.
 *
 * <p>The wrapper answers the same descriptor (shape, strides, element-wise stride, order, data type, empty flag) with
 * the same shape buffer, which is what the native side hands out anyway (the buffers are constant and shared), so
 * nothing an array computes changes. At most {@value #MAX_ENTRIES} descriptors are kept; beyond that, new ones go to
 * the backend's provider uncached, as before. {@link #install()} puts it in place once per JVM, on the CPU backend
 * only (another backend's provider is left alone).
 */
public final class ShapeInfoCache implements ShapeInfoProvider {
    /** The most descriptors kept. */
    static final int MAX_ENTRIES = 100_000;
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();

    private final ShapeInfoProvider backend;
    private final Map<Key, Pair<DataBuffer, long[]>> cache = new ConcurrentHashMap<>();

    ShapeInfoCache(ShapeInfoProvider backend) {
        this.backend = backend;
    }

    /**
     * Puts the cache in front of the CPU backend's shape provider (once per JVM; later calls do nothing). Returns
     * whether the cache is in place.
     */
    public static boolean install() {
        if (INSTALLED.get()) {
            return Nd4j.getShapeInfoProvider() instanceof ShapeInfoCache;
        }
        synchronized (INSTALLED) {
            if (!INSTALLED.get()) {
                ShapeInfoProvider current = Nd4j.getShapeInfoProvider();
                if (current != null && current.getClass().getName()
                        .equals("org.nd4j.linalg.cpu.nativecpu.DirectShapeInfoProvider")) {
                    replace(new ShapeInfoCache(current));
                }
                INSTALLED.set(true);
            }
        }
        return Nd4j.getShapeInfoProvider() instanceof ShapeInfoCache;
    }

    private static void replace(ShapeInfoProvider provider) {
        try {
            var field = Nd4j.class.getDeclaredField("shapeInfoProvider");
            field.setAccessible(true);
            field.set(null, provider);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // another ND4J layout: keep the backend's provider (slower, same results)
        }
    }

    /** The backend's provider behind the cache. */
    ShapeInfoProvider backend() {
        return backend;
    }

    /** Descriptors cached so far. */
    int size() {
        return cache.size();
    }

    @Override
    public Pair<DataBuffer, long[]> createShapeInformation(long[] shape, long[] stride, long elementWiseStride,
            char order, DataType dataType, boolean empty) {
        Key key = new Key(shape.clone(), stride.clone(), elementWiseStride, order, dataType, empty);
        Pair<DataBuffer, long[]> cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        Pair<DataBuffer, long[]> created = backend.createShapeInformation(shape, stride, elementWiseStride, order,
                dataType, empty);
        if (cache.size() < MAX_ENTRIES) {
            Pair<DataBuffer, long[]> raced = cache.putIfAbsent(key, created);
            return raced == null ? created : raced;
        }
        return created;
    }

    @Override
    public Pair<DataBuffer, long[]> createShapeInformation(long[] shape, DataType dataType) {
        return backend.createShapeInformation(shape, dataType);
    }

    @Override
    public Pair<DataBuffer, long[]> createShapeInformation(long[] shape, char order, DataType dataType) {
        return backend.createShapeInformation(shape, order, dataType);
    }

    @Override
    public Pair<DataBuffer, long[]> createShapeInformation(long[] shape, long[] stride, long elementWiseStride,
            char order, long extras) {
        return backend.createShapeInformation(shape, stride, elementWiseStride, order, extras);
    }

    @Override
    public void purgeCache() {
        cache.clear();
        backend.purgeCache();
    }

    @Override
    public long getCachedBytes() {
        return backend.getCachedBytes();
    }

    private record Key(long[] shape, long[] stride, long elementWiseStride, char order, DataType dataType,
            boolean empty) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(shape, k.shape) && Arrays.equals(stride, k.stride)
                    && elementWiseStride == k.elementWiseStride && order == k.order && dataType == k.dataType
                    && empty == k.empty;
        }

        @Override
        public int hashCode() {
            return ((Arrays.hashCode(shape) * 31 + Arrays.hashCode(stride)) * 31
                    + Long.hashCode(elementWiseStride)) * 31 + order * 7 + dataType.ordinal() * 2 + (empty ? 1 : 0);
        }
    }
}
