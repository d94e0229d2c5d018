package io.distill4j.bench;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.ToLongFunction;

/**
 * A reading of what the machine's CPUs have done so far, taken before and after one side of a benchmark round: the
 * machine's busy time and this process's own (Linux's {@code /proc/stat} and {@code /proc/self/stat}, in clock ticks
 * of 1/100 s), and the time HotSpot's JIT compilers have spent. Two readings tell how many cores other processes took
 * meanwhile (the machine's busy ticks, hypervisor steal included, less this process's and its finished children's)
 * and how long the JIT compiled: the two things that slow a JVM's first rounds, since its compiler threads need a core
 * beside the training threads. Where {@code /proc} cannot be read the tick counts are -1 and the other cores NaN.
 */
public record CpuUse(long machineBusyTicks, long ownTicks, long jitMillis, long nanos) {
    /** Linux's {@code USER_HZ}, the unit of {@code /proc/stat} and {@code /proc/[pid]/stat} (100 on x86 and ARM). */
    static final double TICKS_PER_SECOND = 100;

    /** The reading now. */
    public static CpuUse now() {
        long busy = read(Path.of("/proc/stat"), CpuUse::machineBusyTicks);
        long own = read(Path.of("/proc/self/stat"), CpuUse::ownTicks);
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long jitMillis = jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
        return new CpuUse(busy, own, jitMillis, System.nanoTime());
    }

    /** Cores taken by other processes (and the hypervisor) between this reading and a later one; NaN if unknown. */
    public double otherCores(CpuUse later) {
        if (machineBusyTicks < 0 || ownTicks < 0 || later.machineBusyTicks < 0 || later.ownTicks < 0
                || later.nanos <= nanos) {
            return Double.NaN;
        }
        long others = (later.machineBusyTicks - machineBusyTicks) - (later.ownTicks - ownTicks);
        return Math.max(0, others) / TICKS_PER_SECOND / ((later.nanos - nanos) / 1e9);
    }

    /** Seconds HotSpot's compilers spent between this reading and a later one; NaN if the JVM does not tell. */
    public double jitSeconds(CpuUse later) {
        return jitMillis < 0 || later.jitMillis < 0 ? Double.NaN : (later.jitMillis - jitMillis) / 1e3;
    }

    /**
     * The busy ticks of all CPUs from {@code /proc/stat}'s first line ({@code cpu user nice system idle iowait irq
     * softirq steal ...}): everything but idle and iowait. Guest time is already inside user and nice.
     */
    static long machineBusyTicks(String procStat) {
        String first = procStat.lines().findFirst().orElse("");
        String[] f = first.trim().split("\\s+");
        if (f.length < 9 || !f[0].equals("cpu")) {
            throw new IllegalArgumentException("not /proc/stat's cpu line: " + first);
        }
        long busy = 0;
        for (int i = 1; i <= 8; i++) {
            if (i != 4 && i != 5) {
                busy += Long.parseLong(f[i]);
            }
        }
        return busy;
    }

    /**
     * A process's own CPU ticks from its {@code /proc/[pid]/stat}: user and system time of its threads (fields 14 and
     * 15) and of its children it has waited for (16 and 17), counted after the command name's closing parenthesis,
     * since the name may hold spaces and parentheses.
     */
    static long ownTicks(String procPidStat) {
        int close = procPidStat.lastIndexOf(')');
        String[] f = close < 0 ? new String[0] : procPidStat.substring(close + 1).trim().split("\\s+");
        if (f.length < 15) {
            throw new IllegalArgumentException("not a /proc/[pid]/stat line: " + procPidStat);
        }
        // f[0] is field 3 (state), so field n is f[n - 3]
        return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
    }

    private static long read(Path file, ToLongFunction<String> parse) {
        try {
            return parse.applyAsLong(Files.readString(file));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
