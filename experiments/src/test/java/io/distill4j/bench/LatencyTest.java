package io.distill4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** {@link Latency}: every call is counted, and a time budget stops slow calls early. */
class LatencyTest {
    @Test
    void countsEveryCallWithoutABudget() {
        AtomicLong ran = new AtomicLong();
        Histogram h = Latency.record(i -> ran.incrementAndGet(), 50, 2000, 0);
        assertEquals(2000, h.getTotalCount());
        assertEquals(2050, ran.get());
    }

    @Test
    void aBudgetStopsSlowCallsAndTheHistogramSaysHowMany() {
        AtomicLong ran = new AtomicLong();
        // each call sleeps 2 ms; 1000 calls would take 2 s, the budget allows 40 ms of timed calls (4 ms of warm-up)
        Histogram h = Latency.record(i -> {
            ran.incrementAndGet();
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return i;
        }, 1000, 1000, 0, 40_000_000L);
        long timed = h.getTotalCount();
        assertTrue(timed >= 1 && timed <= 21, "timed " + timed);
        assertTrue(ran.get() - timed <= 16 + 2, "warm-up calls " + (ran.get() - timed)); // checked every 16 calls
        assertTrue(h.getValueAtPercentile(50) >= 2_000_000, "a call sleeps 2 ms: " + h.getValueAtPercentile(50));
    }
}
