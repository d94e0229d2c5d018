package io.distill4j.model;

import org.nd4j.linalg.api.rng.Random;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.nd4j.nativeblas.OpaqueRandomGenerator;

/**
 * The state of the calling thread's ND4J generator on the CPU backend (libnd4j's counter-based
 * {@code RandomGenerator}: a root and a node state of 64 bits each), with the uniform float ND4J's random operations
 * draw for element {@code i} and the step by which such an operation advances the node state afterwards. Reproducing
 * both in Java lets a Java pass draw what ND4J's operation would, and leave the generator where that operation would
 * have left it, so everything drawn later is unchanged ({@code NativeRandomStateTest} compares every value and the
 * state after against ND4J's own {@code getRandomGeneratorRelativeFloat} and its {@code DropOutInverted}).
 *
 * <p>For element {@code i} (unsigned 64-bit arithmetic, {@code r} the root and {@code n} the node state):
 * {@code s0 = r | (i + 2)(n + 24243287)}, {@code s1 = n ^ (i + 2)(s0 + 723829)}, {@code h} the low 32 bits of
 * {@code s0 ^ s1}, {@code x = 5 rotl32(h * 0x9E3779BB, 5)}, and the float is {@code bits(0x3F800000 | x >>> 9) - 1},
 * in {@code [0, 1)}. After drawing {@code k} values the node state's two halves {@code (a, b)} become
 * {@code (rotl32(a, 26) ^ c ^ (c << 9), rotl32(c, 13))} with {@code c = a ^ b}, then the whole is xored with
 * {@code k ^ 0xDEADBEEF}.
 */
final class NativeRandomState {
    private static final String CPU_GENERATOR = "org.nd4j.linalg.cpu.nativecpu.rng.CpuNativeRandom";

    private final NativeOps ops;
    private final OpaqueRandomGenerator generator;
    private final long root;
    private final long node;

    private NativeRandomState(NativeOps ops, OpaqueRandomGenerator generator) {
        this.ops = ops;
        this.generator = generator;
        this.root = ops.getRandomGeneratorRootState(generator);
        this.node = ops.getRandomGeneratorNodeState(generator);
    }

    /** Whether {@code random} is the CPU backend's native generator, whose state {@link #of} reads. */
    static boolean readable(Random random) {
        return random != null && CPU_GENERATOR.equals(random.getClass().getName()) && random.getStatePointer() != null;
    }

    /** The state of {@code random} when it is the CPU backend's native generator, else null. */
    static NativeRandomState of(Random random) {
        if (!readable(random)) {
            return null;
        }
        return new NativeRandomState(NativeOpsHolder.getInstance().getDeviceNativeOps(),
                new OpaqueRandomGenerator(random.getStatePointer()));
    }

    long root() {
        return root;
    }

    long node() {
        return node;
    }

    /** The bit pattern of the uniform float in {@code [0, 1)} drawn for element {@code index}. */
    static int uniformBits(long root, long node, long index) {
        long s0 = root | (index + 2) * (node + 24243287L);
        long s1 = node ^ (index + 2) * (s0 + 723829L);
        int x = Integer.rotateLeft((int) (s0 ^ s1) * 0x9E3779BB, 5) * 5;
        return Float.floatToRawIntBits(Float.intBitsToFloat(0x3F800000 | x >>> 9) - 1.0f);
    }

    /**
     * Inverted dropout's mask for elements {@code 0 .. n-1}: {@code kept[i] = scaleBits} where the uniform float drawn
     * for element {@code i} ({@link #uniformBits}) is below {@code retain}, else {@code 0}. It computes in 32 bits what
     * {@link #uniformBits} computes in 64, since the low 32 bits of the sums, products and xors it keeps depend only
     * on the low 32 bits of their operands; and the float {@code u = m 2^-23} (with {@code m = x >>> 9}) is below
     * {@code retain} exactly when {@code m < ceil(retain 2^23)}. Without longs, floats or the index as a value (Java
     * 17's C2 vectorises none of them here), HotSpot vectorises the loop: 12 against 130 µs on 65,536 elements.
     */
    static void keptBits(long root, long node, float retain, int scaleBits, int[] kept, int n) {
        int[] counters = counters(n);
        int r = (int) root;
        int state = (int) node;
        int step = state + 24243287;
        int threshold = (int) Math.ceil(retain * 8388608.0); // retain 2^23, exact in double; at most 2^23
        for (int i = 0; i < n; i++) {
            int k = counters[i];
            int s0 = r | k * step;
            int s1 = state ^ k * (s0 + 723829);
            int x = Integer.rotateLeft((s0 ^ s1) * 0x9E3779BB, 5) * 5;
            kept[i] = scaleBits & (x >>> 9) - threshold >> 31;
        }
    }

    /** {@code i + 2} at index {@code i}: the generator's counter for element {@code i}, grown to the most asked for. */
    private static volatile int[] counters = new int[0];

    private static int[] counters(int n) {
        int[] c = counters;
        if (c.length < n) {
            synchronized (NativeRandomState.class) {
                c = counters;
                if (c.length < n) {
                    c = new int[Math.max(n, 2 * c.length)];
                    for (int i = 0; i < c.length; i++) {
                        c[i] = i + 2;
                    }
                    counters = c;
                }
            }
        }
        return c;
    }

    /** The node state after an operation that drew {@code drawn} values from {@code node}. */
    static long advanced(long node, long drawn) {
        int a = (int) node;
        int c = a ^ (int) (node >>> 32);
        int low = Integer.rotateLeft(a, 26) ^ c ^ c << 9;
        int high = Integer.rotateLeft(c, 13);
        return ((long) high << 32 | low & 0xFFFFFFFFL) ^ (drawn ^ 0xDEADBEEFL);
    }

    /** Moves the generator on as an ND4J random operation that drew {@code drawn} values from this state does. */
    void advance(long drawn) {
        ops.setRandomGeneratorStates(generator, root, advanced(node, drawn));
    }
}
