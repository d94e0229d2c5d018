package io.distill4j.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.Distill4jException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Parsing nvidia-smi's CSV query and banner. */
class NvidiaSmiTest {

    @Test
    void parsesOneLinePerGpu() {
        String out = """
                Tesla T4, 7.5, 15360 MiB, 535.104.05
                NVIDIA H100 80GB HBM3, 9.0, 81559 MiB, 550.54.15

                """;
        assertEquals(List.of(new GpuInfo(0, "Tesla T4", 7, 5, 15360, "535.104.05"),
                new GpuInfo(1, "NVIDIA H100 80GB HBM3", 9, 0, 81559, "550.54.15")), NvidiaSmi.parseQuery(out));
    }

    @Test
    void nameWithCommaAndUnknownMemory() {
        List<GpuInfo> g = NvidiaSmi.parseQuery("NVIDIA GeForce RTX 4090, Founders, 8.9, [N/A], [N/A]\n");
        assertEquals(List.of(new GpuInfo(0, "NVIDIA GeForce RTX 4090, Founders", 8, 9, -1, "unknown")), g);
        assertEquals("sm_89", g.get(0).sm());
        assertEquals("GPU 0 (NVIDIA GeForce RTX 4090, Founders, sm_89)", g.get(0).shortLabel());
    }

    @Test
    void emptyOutputIsNoGpu() {
        assertEquals(List.of(), NvidiaSmi.parseQuery("\n"));
    }

    @Test
    void oldDriverWithoutComputeCapIsAClearError() {
        Distill4jException e = assertThrows(Distill4jException.class, () -> NvidiaSmi.parseQuery(
                "Field \"compute_cap\" is not a valid field to query.\n"));
        assertTrue(e.getMessage().startsWith("unexpected nvidia-smi output"), e.getMessage());
        e = assertThrows(Distill4jException.class, () -> NvidiaSmi.parseQuery("Tesla T4, x.y, 15360 MiB, 535.1\n"));
        assertTrue(e.getMessage().contains("no compute capability"), e.getMessage());
    }

    @Test
    void cudaVersionFromTheBanner() {
        String banner = """
                +---------------------------------------------------------------------------------------+
                | NVIDIA-SMI 535.104.05             Driver Version: 535.104.05   CUDA Version: 12.2     |
                |-----------------------------------------+----------------------+----------------------+
                """;
        assertEquals(Optional.of("12.2"), NvidiaSmi.parseCudaVersion(banner));
        assertEquals(Optional.empty(), NvidiaSmi.parseCudaVersion("no banner"));
    }
}
