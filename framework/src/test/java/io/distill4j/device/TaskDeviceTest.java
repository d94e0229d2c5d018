package io.distill4j.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.distill4j.Distill4jException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The device tag of the GPU a cluster engine assigned a task, and binding to it (no GPU here: the refusals). */
class TaskDeviceTest {
    @Test
    void oneAddressIsOneDevice() {
        assertEquals("gpu:0", TaskDevice.of(List.of("0")));
        assertEquals("gpu:7", TaskDevice.of(List.of(" 7 ")));
        assertNull(TaskDevice.of(null));
        assertNull(TaskDevice.of(List.of()));
    }

    @Test
    void addressesThatAreNotOneOrdinalAreRefused() {
        assertEquals("GPU address '-1' is not a device ordinal (expected 0, 1, ...: the GPU discovery script must "
                + "report CUDA device indices)", assertThrows(Distill4jException.class,
                        () -> TaskDevice.of(List.of("-1"))).getMessage());
        assertThrows(Distill4jException.class, () -> TaskDevice.of(List.of("0", "1")));
    }

    @Test
    void aGpuOnACpuOnlyBuildIsRefusedAndNoDeviceIsANoOp() {
        TaskDevice.bind(null);
        assertEquals("this task was assigned gpu:0 but the build has no CUDA backend: build with ./distill4j --cuda "
                + "(or drop --gpus-per-task)", assertThrows(Distill4jException.class,
                        () -> TaskDevice.bind("gpu:0")).getMessage());
    }
}
