package io.distill4j.train;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Process-wide wall-clock totals of the parts of a trial (data preparation, graph build, training steps, validation
 * passes, evaluation, tracking, export, results ledger), kept per scope: the role of the trial the current thread
 * runs ({@link #enter}), {@code ""} outside one; and the Java heap each scope's trials allocated. Only the benchmark
 * ({@code distill4j bench training}) reads them; the cost is one {@link System#nanoTime()} pair per timed part, a
 * few per epoch, and one allocation-counter read at each end of a trial.
 */
public final class PhaseTimes {
    /** The timed parts of a trial. */
    public enum Phase {
        DATA("data preparation"), GRAPH_BUILD("graph build"), TRAIN_STEPS("training steps"),
        VALIDATION("validation passes"), EVALUATION("evaluation"), TRACKING("tracking"), EXPORT("export"),
        LEDGER("results ledger"), TRIAL("whole trial");

        private final String label;

        Phase(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private static final ThreadLocal<String> SCOPE = ThreadLocal.withInitial(() -> "");
    private static final Map<String, EnumMap<Phase, LongAdder>> TOTALS = new ConcurrentHashMap<>();
    /** Per scope: Java heap bytes allocated by trial threads, and how many trials (or fused groups) were timed. */
    private static final Map<String, LongAdder[]> ALLOCATED = new ConcurrentHashMap<>();

    private PhaseTimes() {
    }

    /** Times the current thread's next parts under {@code scope} (e.g. a trial's role) until {@link #leave}. */
    public static void enter(String scope) {
        SCOPE.set(scope);
    }

    /** Back to the unscoped totals. */
    public static void leave() {
        SCOPE.remove();
    }

    /** Adds the time since {@code startNanos} (a {@link System#nanoTime()} value) to {@code phase}. */
    public static void since(Phase phase, long startNanos) {
        long elapsed = System.nanoTime() - startNanos;
        TOTALS.computeIfAbsent(SCOPE.get(), s -> {
            EnumMap<Phase, LongAdder> m = new EnumMap<>(Phase.class);
            for (Phase p : Phase.values()) {
                m.put(p, new LongAdder());
            }
            return m;
        }).get(phase).add(elapsed);
    }

    /**
     * The Java heap bytes the current thread has allocated so far (HotSpot's per-thread allocation counter), or -1
     * where the JVM does not count them: a start value for {@link #allocatedSince}.
     */
    public static long allocatedBytes() {
        return java.lang.management.ManagementFactory.getThreadMXBean()
                instanceof com.sun.management.ThreadMXBean bean && bean.isThreadAllocatedMemoryEnabled()
                ? bean.getCurrentThreadAllocatedBytes() : -1;
    }

    /**
     * Adds the heap bytes the current thread allocated since {@code startBytes} ({@link #allocatedBytes}) to the
     * current scope, and {@code trials} to its count of trials (0 for a fused network's training, whose trials are
     * counted when each of them runs).
     */
    public static void allocatedSince(long startBytes, int trials) {
        long now = allocatedBytes();
        if (startBytes < 0 || now < 0) {
            return;
        }
        LongAdder[] a = ALLOCATED.computeIfAbsent(SCOPE.get(), s -> new LongAdder[] {new LongAdder(), new LongAdder()});
        a[0].add(now - startBytes);
        a[1].add(trials);
    }

    /** Per scope: {@code {heap bytes allocated, trials counted}} so far ({@link #allocatedSince}). */
    public static Map<String, long[]> allocations() {
        Map<String, long[]> out = new TreeMap<>();
        ALLOCATED.forEach((scope, a) -> out.put(scope, new long[] {a[0].sum(), a[1].sum()}));
        return out;
    }

    /** The totals so far, in nanoseconds, by scope then phase (phases never timed are 0). */
    public static Map<String, Map<Phase, Long>> snapshot() {
        Map<String, Map<Phase, Long>> out = new TreeMap<>();
        TOTALS.forEach((scope, m) -> {
            EnumMap<Phase, Long> copy = new EnumMap<>(Phase.class);
            m.forEach((p, v) -> copy.put(p, v.sum()));
            out.put(scope, copy);
        });
        return out;
    }

    /** Forgets every total. */
    public static void reset() {
        TOTALS.clear();
        ALLOCATED.clear();
    }
}
