package io.distill4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.DropOutInverted;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.nd4j.nativeblas.OpaqueRandomGenerator;

/** The Java copy of libnd4j's generator against libnd4j's own functions and a random operation. */
class NativeRandomStateTest {
    private static final long[] SEEDS = {0, 1, 42, 12345, -7, Long.MAX_VALUE, 0x5DEECE66DL};

    @Test
    void drawsTheFloatsOfNd4jsGeneratorForEveryIndex() {
        Nd4j.create(1); // the backend is loaded
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        for (long seed : SEEDS) {
            Nd4j.getRandom().setSeed(seed);
            NativeRandomState state = NativeRandomState.of(Nd4j.getRandom());
            assertNotNull(state, "the CPU backend's generator");
            OpaqueRandomGenerator g = new OpaqueRandomGenerator(Nd4j.getRandom().getStatePointer());
            for (long i = 0; i < 20_000; i++) {
                long index = i < 10_000 ? i : i * 104_729L; // the first elements, and indices far apart
                assertEquals(Float.floatToRawIntBits(ops.getRandomGeneratorRelativeFloat(g, index)),
                        NativeRandomState.uniformBits(state.root(), state.node(), index),
                        "seed " + seed + ", index " + index);
            }
        }
    }

    @Test
    void keepsAnElementExactlyWhenItsDrawIsBelowTheRetainProbability() {
        long root = 0x1234_5678_9ABC_DEF0L;
        long node = -0x0FED_CBA9_8765_4321L;
        int n = 5_000;
        java.util.List<Float> retains = new java.util.ArrayList<>(java.util.List.of(1f, 0.9f, 0.5f, 0.1f, 1e-7f,
                Float.MIN_VALUE, 0.33333334f, Math.nextDown(1f)));
        for (int i : new int[] {0, 17, 999, 4_321}) { // draws themselves and the floats just above and below them
            float u = Float.intBitsToFloat(NativeRandomState.uniformBits(root, node, i));
            retains.addAll(java.util.List.of(u, Math.nextUp(u), Math.nextDown(u)));
        }
        for (float retain : retains) {
            if (!(retain > 0)) {
                continue;
            }
            int scaleBits = Float.floatToRawIntBits(1f / retain);
            int[] kept = new int[n];
            NativeRandomState.keptBits(root, node, retain, scaleBits, kept, n);
            for (int i = 0; i < n; i++) {
                float u = Float.intBitsToFloat(NativeRandomState.uniformBits(root, node, i));
                assertEquals(u < retain ? scaleBits : 0, kept[i], "retain " + retain + ", element " + i);
            }
        }
    }

    @Test
    void advancesAsNd4jsRandomOperationDoes() {
        Nd4j.create(1);
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        for (long seed : SEEDS) {
            for (int length : new int[] {1, 13, 3079, 65_536}) {
                Nd4j.getRandom().setSeed(seed);
                OpaqueRandomGenerator g = new OpaqueRandomGenerator(Nd4j.getRandom().getStatePointer());
                long root = ops.getRandomGeneratorRootState(g);
                long node = ops.getRandomGeneratorNodeState(g);
                INDArray ones = Nd4j.ones(DataType.FLOAT, length);
                Nd4j.getExecutioner().exec(new DropOutInverted(ones, ones, 0.5));
                assertEquals(root, ops.getRandomGeneratorRootState(g), "the root state stays");
                assertEquals(NativeRandomState.advanced(node, length), ops.getRandomGeneratorNodeState(g),
                        "seed " + seed + ", " + length + " drawn");
            }
        }
    }

    @Test
    void isNoneForAnotherGenerator() {
        assertNull(NativeRandomState.of(null));
        assertNull(NativeRandomState.of(new org.nd4j.linalg.api.rng.DefaultRandom(3)));
    }
}
