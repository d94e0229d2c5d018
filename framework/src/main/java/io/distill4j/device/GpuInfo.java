package io.distill4j.device;

/**
 * One NVIDIA GPU as {@code nvidia-smi} reports it.
 *
 * @param index the position in nvidia-smi's list (PCI bus order; CUDA numbers devices fastest-first unless
 *        {@code CUDA_DEVICE_ORDER=PCI_BUS_ID})
 * @param memoryMiB total memory in MiB, or -1 when not reported
 * @param driverVersion the driver version, or "unknown"
 */
public record GpuInfo(int index, String name, int ccMajor, int ccMinor, long memoryMiB, String driverVersion) {

    /** The architecture name used by nvcc, e.g. {@code sm_75}. */
    public String sm() {
        return "sm_" + ccMajor + ccMinor;
    }

    /** The compute capability, e.g. {@code 7.5}. */
    public String computeCapability() {
        return ccMajor + "." + ccMinor;
    }

    /** e.g. {@code GPU 0 (Tesla T4, sm_75)}. */
    public String shortLabel() {
        return "GPU " + index + " (" + name + ", " + sm() + ")";
    }
}
