package io.distill4j.device;

import io.distill4j.Distill4jException;
import java.util.Optional;

/**
 * Decides where a study runs, from the requested {@link DeviceMode} and the {@link DeviceEnvironment}. Pure: no I/O.
 *
 * <ul>
 * <li>{@code cpu}: the CPU; an error if the build has only the CUDA backend.</li>
 * <li>{@code gpu}: the first GPU ND4J's CUDA binaries can run on; an error naming the reason (no CUDA backend in
 * this build, no natives, no GPU, unsupported architecture) and what to do.</li>
 * <li>{@code auto}: the GPU when {@code gpu} would succeed, else the CPU with the reason, or an error if the build
 * has no CPU backend either.</li>
 * </ul>
 */
public final class DeviceSelector {
    static final String REBUILD_CUDA = "rebuild with the CUDA backend: ./distill4j --cuda ... "
            + "(or ./mvnw -Pcuda,cuda-natives -DskipTests package)";
    static final String REBUILD_CPU = "use the CPU build: ./distill4j --cpu ... (or DISTILL4J_BACKEND=cpu)";

    private DeviceSelector() {
    }

    public static DeviceDecision select(DeviceMode mode, DeviceEnvironment env) {
        String p = mode.label() + ": ";
        Optional<GpuInfo> usable = env.gpus().stream()
                .filter(g -> CudaArchitectures.check(g.ccMajor(), g.ccMinor()).covered()).findFirst();
        String gpuProblem = gpuProblem(env);
        if (mode == DeviceMode.CPU) {
            if (!env.cpuBackendOnClassPath()) {
                throw new Distill4jException("device cpu: this build carries only the CUDA backend (built with "
                        + "--cuda), so it cannot run on the CPU; " + REBUILD_CPU);
            }
            return new DeviceDecision(mode, Device.CPU, null, p + "using the CPU");
        }
        if (env.cudaBackendOnClassPath() && env.cudaNativesOnClassPath() && usable.isPresent()) {
            return new DeviceDecision(mode, Device.GPU, usable.get(), p + "using " + usable.get().shortLabel());
        }
        String reason;
        String remedy;
        if (!env.cudaBackendOnClassPath()) {
            reason = "CUDA backend not on the class path";
            remedy = REBUILD_CUDA;
        } else if (!env.cudaNativesOnClassPath()) {
            reason = "the CUDA backend's natives (nd4j-cuda-11.6 linux-x86_64) are not on the class path";
            remedy = "build with the natives: ./distill4j --cuda ... (or ./mvnw -Pcuda,cuda-natives -DskipTests "
                    + "package)";
        } else {
            reason = gpuProblem;
            remedy = env.gpus().isEmpty()
                    ? "check the NVIDIA driver (nvidia-smi must work), or " + REBUILD_CPU
                    : "run on a Kepler..Ada GPU (sm_37..sm_89), or " + REBUILD_CPU;
        }
        if (mode == DeviceMode.GPU) {
            throw new Distill4jException("device gpu: " + reason + "; " + remedy);
        }
        if (env.cpuBackendOnClassPath()) {
            return new DeviceDecision(mode, Device.CPU, null, p + reason + ", using CPU");
        }
        throw new Distill4jException("device auto: " + reason + ", and this build has no CPU backend (built with "
                + "--cuda); " + remedy);
    }

    private static String gpuProblem(DeviceEnvironment env) {
        if (env.gpus().isEmpty()) {
            return "no NVIDIA GPU found (" + env.gpuProblem().orElse("nvidia-smi lists none") + ")";
        }
        GpuInfo first = env.gpus().get(0);
        String s = env.gpus().size() == 1 ? first.shortLabel() : "no listed GPU is usable; " + first.shortLabel();
        return s + ": " + CudaArchitectures.check(first.ccMajor(), first.ccMinor()).reason();
    }
}
