package io.distill4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** ND4J's deallocator map is replaced by a presized one that holds every live registration and keeps registering. */
class DeallocatorMapTest {

    private static Map<?, ?> referenceMap() throws ReflectiveOperationException {
        Object service = Nd4j.getDeallocatorService();
        var field = service.getClass().getDeclaredField("referenceMap");
        field.setAccessible(true);
        return (Map<?, ?>) field.get(service);
    }

    private static String id(INDArray array) {
        return ((org.nd4j.linalg.api.memory.Deallocatable) array.data()).getUniqueId();
    }

    @Test
    void theMapIsPresizedAndNewBuffersAreRegisteredInIt() throws Exception {
        INDArray before = Nd4j.create(DataType.FLOAT, 3, 3); // registered in whichever map is in place now
        assertTrue(DeallocatorMap.install());
        Map<?, ?> map = referenceMap();
        assertSame(DeallocatorMap.presized(), map, "ND4J's deallocator uses the presized map");
        assertTrue(map.containsKey(id(before)), "an earlier buffer's entry is carried over");
        // (not its size: ND4J's deallocator threads remove the entries of collected buffers at any moment)
        INDArray after = Nd4j.create(DataType.FLOAT, 4, 4);
        assertTrue(map.containsKey(id(after)), "a new buffer is registered in the new map");
        assertTrue(DeallocatorMap.install(), "a second call keeps it");
        assertEquals(map, referenceMap());
    }
}
