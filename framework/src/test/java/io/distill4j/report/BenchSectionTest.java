package io.distill4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchSectionTest {
    /** A bench section written by hand in the format of {@code distill4j bench} (two tables, notes). */
    static final String SECTION = """
            <!-- distill4j bench -->
            ## Latency (distill4j bench)

            Machine: 2 cores.

            | model | path | calls | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | speed-up (p50) |
            |---|---|---|---|---|---|---|---|---|
            | student-alone | DL4J outputSingle | 20000 | 41.20 | 60.00 | 130 | 400 | 2000 | 1x |
            | student-alone | runtime predict | 1000000 | 0.412 | 0.500 | 1.30 | 4.00 | 20.00 | 100x vs DL4J |

            | model | parameters | serialised size | multiply-accumulates / sample | DL4J batch 256 (samples/s) | runtime batch 256 (samples/s) |
            |---|---|---|---|---|---|
            | student-alone | 371 | 3 kB (.d4jr) | 344 | 1000 | 9000 |

            > speed-up: ...
            <!-- /distill4j bench -->
            """;

    @Test
    void readsTheLatencyTableOnly() {
        assertEquals(List.of(new BenchSection.Latency("student-alone", "DL4J outputSingle", 41.2, 130),
                new BenchSection.Latency("student-alone", "runtime predict", 0.412, 1.3)),
                BenchSection.latency("# summary\n\n| method | runs |\n|---|---|\n| x | 1 |\n\n" + SECTION));
    }

    @Test
    void noSectionNoRows() {
        assertEquals(List.of(), BenchSection.latency("# summary\n\n| model | path |\n|---|---|\n| a | b |\n"));
    }
}
