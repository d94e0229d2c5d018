package io.distill4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class KnownOptimumTest {
    @Test
    void handComputedOptimum() {
        double[][] p = {{0.6, 0.3, 0.1}, {0.2, 0.2, 0.6}, {0.1, 0.5, 0.4}};
        int[] labels = {0, 1, 1};
        var o = KnownOptimum.of(p, labels);
        assertEquals(2.0 / 3, o.accuracy(), 1e-12);  // argmax 0, 2, 1
        assertEquals(-(Math.log(0.6) + Math.log(0.2) + Math.log(0.5)) / 3, o.logLoss(), 1e-12);
        assertEquals((0.6 + 0.6 + 0.5) / 3, o.expectedAccuracy(), 1e-12);
    }

    @Test
    void shareOfTheLearnableSignal() {
        assertEquals(0.5, KnownOptimum.share(0.45, 0.4, 0.5), 1e-12);
        assertEquals(1.0, KnownOptimum.share(0.5, 0.4, 0.5), 1e-12);
        assertEquals(0.0, KnownOptimum.share(0.4, 0.4, 0.5), 1e-12);
    }
}
