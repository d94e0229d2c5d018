package io.distill4j.device;

import io.distill4j.Distill4jException;
import java.util.List;

/**
 * The GPU a cluster engine assigned one task (Spark's {@code TaskContext.resources().get("gpu").addresses()}): the
 * device tag its trial records ({@code gpu:<address>}), and binding the task's thread to that device for ND4J's
 * CUDA backend ({@code AffinityManager.unsafeSetDevice}; a no-op on the CPU backend).
 */
public final class TaskDevice {
    private TaskDevice() {
    }

    /**
     * The device tag of a task given {@code addresses} (null or empty: none assigned, null returned): one GPU,
     * {@code gpu:<ordinal>}. A trial trains on one device, so more than one address, or one that is not a device
     * ordinal, is refused naming what came.
     */
    public static String of(List<String> addresses) {
        if (addresses == null || addresses.isEmpty()) {
            return null;
        }
        if (addresses.size() > 1) {
            throw new Distill4jException("the engine assigned this task " + addresses.size() + " GPUs " + addresses
                    + ": a trial trains on one device, request one GPU per task");
        }
        return "gpu:" + ordinal(addresses.get(0));
    }

    /** The CUDA device ordinal of a GPU address (a non-negative integer, as Spark's discovery script reports). */
    static int ordinal(String address) {
        try {
            int n = Integer.parseInt(address.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new Distill4jException("GPU address '" + address + "' is not a device ordinal (expected 0, 1, ...: "
                + "the GPU discovery script must report CUDA device indices)");
    }

    /**
     * Makes ND4J run this thread on {@code device} (a tag from {@link #of}; null: leaves the backend's default). On
     * a CPU-only build a GPU tag is refused: the engine was asked for GPUs the build cannot use.
     */
    public static void bind(String device) {
        if (device == null) {
            return;
        }
        if (!DeviceEnvironment.cudaBackendPresent()) {
            throw new Distill4jException("this task was assigned " + device + " but the build has no CUDA backend: "
                    + "build with ./distill4j --cuda (or drop --gpus-per-task)");
        }
        int ordinal = ordinal(device.substring("gpu:".length()));
        org.nd4j.linalg.factory.Nd4j.getAffinityManager().unsafeSetDevice(ordinal);
    }
}
