package io.distill4j.train;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Gives ND4J's deallocator service a map that starts large enough for a training run.
 *
 * <p>ND4J 1.0.0-M2.1 registers every data buffer and operation context it creates (views included) in one
 * {@code ConcurrentHashMap}, keyed by a string id, until the garbage collector has found the object unreachable and a
 * deallocator thread has freed its native memory. Between two young collections, which come seconds apart on a large
 * heap, a training run registers hundreds of thousands of entries (224,000 were seen on the MLP teacher of
 * {@code distill4j bench training}), and the map, created at its default size, resizes again and again as the heap
 * and the gap between collections grow. On that teacher's training step (in one JVM per side, alternating, three
 * pairs) the thread's CPU time per step was 5.8-6.0 ms with the default map and 5.1-5.2 ms with this one.
 *
 * <p>{@link #install()} replaces the map once per JVM with one made for {@value #CAPACITY} entries (about 8 MB of
 * table), holding the entries of the old map. Entries another thread puts into the old map while the swap happens stay
 * reachable through it (kept here), so their native memory is still freed; an entry removed during the swap may stay
 * in the new map (a few small objects, once). Anything unexpected (another ND4J layout)
 * leaves ND4J's map as it is; system property {@code distill4j.deallocator.presize=false} does too (for measurements).
 */
public final class DeallocatorMap {
    /** The entries the map is made for. */
    static final int CAPACITY = 1 << 20;
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();
    private static volatile Map<?, ?> replaced;
    private static volatile Map<?, ?> presized;

    private DeallocatorMap() {
    }

    /** Replaces ND4J's deallocator map (once per JVM); returns whether the presized map is in place. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static boolean install() {
        if (INSTALLED.compareAndSet(false, true)
                && !"false".equals(System.getProperty("distill4j.deallocator.presize"))) {
            try {
                Object service = Nd4j.getDeallocatorService();
                var field = service.getClass().getDeclaredField("referenceMap");
                field.setAccessible(true);
                if (field.get(service) instanceof ConcurrentHashMap old) {
                    Map made = new ConcurrentHashMap<>(CAPACITY);
                    made.putAll(old);
                    field.set(service, made);
                    made.putAll(old); // what was added while the field changed
                    replaced = old;
                    presized = made;
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // another ND4J layout: its own map stays (slower, same results)
            }
        }
        return presized != null;
    }

    /** The map put in place, or null. */
    static Map<?, ?> presized() {
        return presized;
    }
}
