package io.distill4j.device;

import java.io.File;
import java.util.List;
import java.util.Optional;

/**
 * What device selection needs to know about the machine and the build, without initialising ND4J.
 *
 * @param cpuBackendOnClassPath nd4j-native's {@code CpuBackend} is on the class path
 * @param cudaBackendOnClassPath nd4j-cuda's {@code JCublasBackend} is on the class path
 * @param cudaNativesOnClassPath the CUDA backend's natives jar ({@code nd4j-cuda-11.6-*-linux-x86_64*.jar}) is on
 *        the class path (without it the CUDA backend cannot load)
 * @param gpus the NVIDIA GPUs nvidia-smi lists
 * @param gpuProblem why no GPU is listed (e.g. "nvidia-smi not found on the PATH"), if so
 */
public record DeviceEnvironment(boolean cpuBackendOnClassPath, boolean cudaBackendOnClassPath,
        boolean cudaNativesOnClassPath, List<GpuInfo> gpus, Optional<String> gpuProblem) {

    public static final String CPU_BACKEND = "org.nd4j.linalg.cpu.nativecpu.CpuBackend";
    public static final String CUDA_BACKEND = "org.nd4j.linalg.jcublas.JCublasBackend";

    public DeviceEnvironment {
        gpus = List.copyOf(gpus);
    }

    /** Looks at the class path and asks nvidia-smi; loads no ND4J backend. */
    public static DeviceEnvironment detect() {
        return detect(NvidiaSmi.query());
    }

    /** As {@link #detect()}, with nvidia-smi's answer given. */
    public static DeviceEnvironment detect(NvidiaSmi.Result smi) {
        return new DeviceEnvironment(present(CPU_BACKEND), present(CUDA_BACKEND), detectCudaNatives(),
                smi.gpus(), smi.problem());
    }

    /** Whether ND4J's CUDA backend is on the class path (the {@code ./distill4j --cuda} build); asks no GPU. */
    public static boolean cudaBackendPresent() {
        return present(CUDA_BACKEND);
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, DeviceEnvironment.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static boolean detectCudaNatives() {
        String cp = System.getProperty("java.class.path", "");
        for (String entry : cp.split(File.pathSeparator)) {
            String name = new File(entry).getName();
            if (name.startsWith("nd4j-cuda-11.6-") && !name.contains("preset") && name.contains("linux-x86_64")) {
                return true;
            }
        }
        // the natives' folder inside the jar, when class path entries are not plain jar files
        return DeviceEnvironment.class.getClassLoader()
                .getResource("org/nd4j/linalg/jcublas/bindings/linux-x86_64/") != null;
    }
}
