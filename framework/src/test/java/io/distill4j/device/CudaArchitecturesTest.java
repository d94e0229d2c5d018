package io.distill4j.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ND4J 1.0.0-M2.1's CUDA binaries (sm_37..sm_86, no PTX) against known GPUs. */
class CudaArchitecturesTest {

    @ParameterizedTest(name = "{0} sm_{1}{2}")
    @CsvSource({
        // GPU,            major, minor, covered, binary it runs, generation
        "Tesla K40,         3, 5, false, -,     Kepler",
        "Tesla K80,         3, 7, true,  sm_37, Kepler",
        "GTX 980,           5, 2, true,  sm_52, Maxwell",
        "Tesla P100,        6, 0, true,  sm_60, Pascal",
        "GTX 1080,          6, 1, true,  sm_61, Pascal",
        "Tesla V100,        7, 0, true,  sm_70, Volta",
        "Tesla T4,          7, 5, true,  sm_75, Turing",
        "A100,              8, 0, true,  sm_80, Ampere",
        "RTX 3090,          8, 6, true,  sm_86, Ampere",
        "L4,                8, 9, true,  sm_86, Ada",
        "RTX 4090,          8, 9, true,  sm_86, Ada",
        "H100,              9, 0, false, -,     Hopper",
        "B200,             10, 0, false, -,     Blackwell",
        "RTX 5090,         12, 0, false, -,     Blackwell",
    })
    void coverage(String gpu, int major, int minor, boolean covered, String binary, String generation) {
        CudaArchitectures.Coverage c = CudaArchitectures.check(major, minor);
        assertEquals(covered, c.covered(), gpu + ": " + c.reason());
        assertEquals(binary.equals("-") ? null : binary, c.binary(), gpu);
        assertEquals(generation, CudaArchitectures.generation(major, minor), gpu);
        String sm = "sm_" + major + minor;
        assertTrue(c.reason().startsWith(sm + (covered ? " (" + generation + ") supported" : " not covered: ")),
                c.reason());
    }

    @ParameterizedTest
    @CsvSource({"9, 0", "10, 0", "12, 0"})
    void newerThanTheBinariesSaysNoBinaryAndNoPtx(int major, int minor) {
        String reason = CudaArchitectures.check(major, minor).reason();
        assertTrue(reason.contains("sm_37..sm_86, no PTX") && reason.contains("no machine code")
                && reason.contains("no PTX to compile it from"), reason);
    }

    @org.junit.jupiter.api.Test
    void adaRunsTheAmpereCodeAndSaysSo() {
        assertEquals("sm_89 (Ada) supported through the sm_86 code (binary compatible within compute capability "
                + "8.x; not tested here)", CudaArchitectures.check(8, 9).reason());
        assertEquals("sm_75 (Turing) supported: native code", CudaArchitectures.check(7, 5).reason());
    }
}
