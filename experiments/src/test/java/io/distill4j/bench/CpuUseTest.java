package io.distill4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CpuUseTest {
    @Test
    void machineBusyTicksAreAllButIdleAndIowait() {
        // user 79246, nice 3, system 4016, idle 132353, iowait 401, irq 5, softirq 203, steal 66 (guest fields after)
        String stat = "cpu  79246 3 4016 132353 401 5 203 66 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n";
        assertEquals(79246 + 3 + 4016 + 5 + 203 + 66, CpuUse.machineBusyTicks(stat));
        assertThrows(IllegalArgumentException.class, () -> CpuUse.machineBusyTicks("cpu0 1 2 3 4 5 6 7 8\n"));
    }

    @Test
    void ownTicksAreUserSystemAndWaitedChildrenCountedAfterTheName() {
        // a command name with spaces and parentheses; utime 250, stime 30, cutime 7, cstime 5 (fields 14 to 17)
        String stat = "4242 (a) b (c) R 4 5 6 7 8 9 10 11 12 13 250 30 7 5 20 0 1 0 108229 3133440 362";
        assertEquals(250 + 30 + 7 + 5, CpuUse.ownTicks(stat));
        assertThrows(IllegalArgumentException.class, () -> CpuUse.ownTicks("4242 (a) R 4 5 6"));
    }

    @Test
    void otherCoresAreTheMachinesBusyTimeLessOursOverTheWall() {
        CpuUse a = new CpuUse(1_000, 200, 400, 1_000_000_000L);
        CpuUse b = new CpuUse(1_300, 250, 1_900, 3_000_000_000L);
        // (300 - 50) ticks = 2.5 s of CPU in 2 s of wall
        assertEquals(1.25, a.otherCores(b), 1e-12);
        assertEquals(1.5, a.jitSeconds(b), 1e-12);
        // our own ticks rose faster than the machine's (counters read a moment apart): never negative
        assertEquals(0.0, a.otherCores(new CpuUse(1_010, 260, 400, 2_000_000_000L)), 0.0);
        assertTrue(Double.isNaN(a.otherCores(new CpuUse(-1, 250, 400, 3_000_000_000L))));
        assertTrue(Double.isNaN(new CpuUse(1_000, 200, -1, 0).jitSeconds(b)));
    }

    @Test
    void aBusyThreadOfThisProcessCountsAsOursNotAsOthers() throws InterruptedException {
        assumeTrue(Files.isReadable(Path.of("/proc/self/stat")) && Files.isReadable(Path.of("/proc/stat")));
        CpuUse before = CpuUse.now();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Thread spinner = new Thread(() -> {
            long start = threads.getCurrentThreadCpuTime();
            double x = 0;
            while (threads.getCurrentThreadCpuTime() - start < 400_000_000L) {
                x += Math.sqrt(x + 1);
            }
            assertTrue(x > 0);
        });
        spinner.start();
        spinner.join();
        CpuUse after = CpuUse.now();
        // 0.4 s of this process's CPU is at least 40 ticks more of its own (clock ticks of 1/100 s)
        assertTrue(after.ownTicks() - before.ownTicks() >= 35, () -> (after.ownTicks() - before.ownTicks()) + "");
        assertTrue(after.machineBusyTicks() - before.machineBusyTicks() >= 35);
    }
}
