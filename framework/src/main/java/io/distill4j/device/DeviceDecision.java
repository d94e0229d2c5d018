package io.distill4j.device;

/**
 * The outcome of device selection.
 *
 * @param gpu the chosen GPU, or null on the CPU
 * @param message one sentence for people, e.g. "auto: using GPU 0 (Tesla T4, sm_75)"
 */
public record DeviceDecision(DeviceMode requested, Device device, GpuInfo gpu, String message) {

    /** The value of the {@code distill4j.device} tag: {@code cpu} or e.g. {@code gpu:0 Tesla T4 sm_75}. */
    public String tag() {
        return device == Device.CPU ? "cpu" : "gpu:" + gpu.index() + " " + gpu.name() + " " + gpu.sm();
    }
}
