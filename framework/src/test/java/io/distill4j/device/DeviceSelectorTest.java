package io.distill4j.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.Distill4jException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** auto / cpu / gpu x CPU build / CUDA build (with and without natives) x no GPU / supported / unsupported GPU. */
class DeviceSelectorTest {
    private static final GpuInfo T4 = new GpuInfo(0, "Tesla T4", 7, 5, 15360, "535.104.05");
    private static final GpuInfo H100 = new GpuInfo(0, "NVIDIA H100 80GB HBM3", 9, 0, 81559, "550.54.15");
    private static final Optional<String> NO_SMI = Optional.of("nvidia-smi not found on the PATH");

    private static DeviceEnvironment cpuBuild(List<GpuInfo> gpus) {
        return new DeviceEnvironment(true, false, false, gpus, gpus.isEmpty() ? NO_SMI : Optional.empty());
    }

    private static DeviceEnvironment cudaBuild(List<GpuInfo> gpus) {
        return new DeviceEnvironment(false, true, true, gpus, gpus.isEmpty() ? NO_SMI : Optional.empty());
    }

    private static String error(DeviceMode mode, DeviceEnvironment env) {
        return assertThrows(Distill4jException.class, () -> DeviceSelector.select(mode, env)).getMessage();
    }

    // ---- CPU build (nd4j-native only) --------------------------------------------------------------------------

    @Test
    void cpuBuildAutoUsesCpuEvenWithAGpu() {
        for (List<GpuInfo> gpus : List.of(List.<GpuInfo>of(), List.of(T4), List.of(H100))) {
            DeviceDecision d = DeviceSelector.select(DeviceMode.AUTO, cpuBuild(gpus));
            assertEquals(Device.CPU, d.device());
            assertNull(d.gpu());
            assertEquals("auto: CUDA backend not on the class path, using CPU", d.message());
            assertEquals("cpu", d.tag());
        }
    }

    @Test
    void cpuBuildCpu() {
        DeviceDecision d = DeviceSelector.select(DeviceMode.CPU, cpuBuild(List.of(T4)));
        assertEquals(Device.CPU, d.device());
        assertEquals("cpu: using the CPU", d.message());
    }

    @Test
    void cpuBuildGpuIsAnErrorSayingRebuildWithCuda() {
        assertEquals("device gpu: CUDA backend not on the class path; rebuild with the CUDA backend: ./distill4j "
                + "--cuda ... (or ./mvnw -Pcuda,cuda-natives -DskipTests package)",
                error(DeviceMode.GPU, cpuBuild(List.of(T4))));
    }

    // ---- CUDA build (nd4j-cuda-11.6 + natives, no CPU backend) -------------------------------------------------

    @Test
    void cudaBuildSupportedGpu() {
        for (DeviceMode mode : List.of(DeviceMode.AUTO, DeviceMode.GPU)) {
            DeviceDecision d = DeviceSelector.select(mode, cudaBuild(List.of(T4)));
            assertEquals(Device.GPU, d.device());
            assertEquals(T4, d.gpu());
            assertEquals(mode.label() + ": using GPU 0 (Tesla T4, sm_75)", d.message());
            assertEquals("gpu:0 Tesla T4 sm_75", d.tag());
        }
    }

    @Test
    void cudaBuildPicksTheFirstSupportedGpu() {
        GpuInfo a100 = new GpuInfo(1, "NVIDIA A100-SXM4-40GB", 8, 0, 40960, "535.1");
        DeviceDecision d = DeviceSelector.select(DeviceMode.AUTO, cudaBuild(List.of(H100, a100)));
        assertEquals(a100, d.gpu());
    }

    @Test
    void cudaBuildUnsupportedArchitecture() {
        String expected = "GPU 0 (NVIDIA H100 80GB HBM3, sm_90): sm_90 not covered: ND4J 1.0.0-M2.1's CUDA binaries "
                + "(sm_37..sm_86, no PTX) have no machine code for Hopper and no PTX to compile it from; run on a "
                + "Kepler..Ada GPU (sm_37..sm_89), or use the CPU build: ./distill4j --cpu ... (or "
                + "DISTILL4J_BACKEND=cpu)";
        assertEquals("device gpu: " + expected, error(DeviceMode.GPU, cudaBuild(List.of(H100))));
        String auto = error(DeviceMode.AUTO, cudaBuild(List.of(H100)));
        assertTrue(auto.startsWith("device auto: GPU 0 (NVIDIA H100 80GB HBM3, sm_90): sm_90 not covered")
                && auto.contains("this build has no CPU backend (built with --cuda)"), auto);
    }

    @Test
    void cudaBuildWithoutGpu() {
        String e = error(DeviceMode.GPU, cudaBuild(List.of()));
        assertEquals("device gpu: no NVIDIA GPU found (nvidia-smi not found on the PATH); check the NVIDIA driver "
                + "(nvidia-smi must work), or use the CPU build: ./distill4j --cpu ... (or DISTILL4J_BACKEND=cpu)", e);
        assertTrue(error(DeviceMode.AUTO, cudaBuild(List.of())).startsWith("device auto: no NVIDIA GPU found"));
    }

    @Test
    void cudaBuildCpuIsAnErrorSayingUseTheCpuBuild() {
        assertEquals("device cpu: this build carries only the CUDA backend (built with --cuda), so it cannot run on "
                + "the CPU; use the CPU build: ./distill4j --cpu ... (or DISTILL4J_BACKEND=cpu)",
                error(DeviceMode.CPU, cudaBuild(List.of(T4))));
    }

    @Test
    void cudaBackendWithoutNatives() {
        var env = new DeviceEnvironment(false, true, false, List.of(T4), Optional.empty());
        assertTrue(error(DeviceMode.GPU, env).startsWith("device gpu: the CUDA backend's natives (nd4j-cuda-11.6 "
                + "linux-x86_64) are not on the class path; build with the natives"), error(DeviceMode.GPU, env));
    }

    // ---- both backends on the class path (a custom build) ------------------------------------------------------

    @Test
    void bothBackendsAutoFallsBackToCpuWithTheReason() {
        var env = new DeviceEnvironment(true, true, true, List.of(H100), Optional.empty());
        DeviceDecision d = DeviceSelector.select(DeviceMode.AUTO, env);
        assertEquals(Device.CPU, d.device());
        assertTrue(d.message().startsWith("auto: GPU 0 (NVIDIA H100 80GB HBM3, sm_90): sm_90 not covered")
                && d.message().endsWith(", using CPU"), d.message());
        var none = new DeviceEnvironment(true, true, true, List.of(), NO_SMI);
        assertEquals("auto: no NVIDIA GPU found (nvidia-smi not found on the PATH), using CPU",
                DeviceSelector.select(DeviceMode.AUTO, none).message());
        var t4 = new DeviceEnvironment(true, true, true, List.of(T4), Optional.empty());
        assertEquals(Device.GPU, DeviceSelector.select(DeviceMode.AUTO, t4).device());
        assertEquals(Device.CPU, DeviceSelector.select(DeviceMode.CPU, t4).device());
    }

    @Test
    void modeParsing() {
        assertEquals(Optional.of(DeviceMode.GPU), DeviceMode.parse(" GPU "));
        assertEquals(Optional.of(DeviceMode.AUTO), DeviceMode.parse("auto"));
        assertEquals(Optional.empty(), DeviceMode.parse("cuda"));
        assertEquals(Optional.empty(), DeviceMode.parse(null));
    }

    @Test
    void detectOnThisMachineSeesTheCpuBackendAndLoadsNothing() {
        DeviceEnvironment env = DeviceEnvironment.detect(new NvidiaSmi.Result(List.of(), Optional.empty(), NO_SMI));
        assertTrue(env.cpuBackendOnClassPath());
        assertEquals(false, env.cudaBackendOnClassPath());
    }
}
