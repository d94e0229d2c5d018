package io.distill4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.distill4j.Distill4jException;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;

/**
 * One GPU per task through Spark's resource scheduling, checked without a GPU (none here): the configuration
 * {@code --gpus-per-task} sets, the device a task reads from the addresses Spark assigned it, and the refusals.
 */
class SparkResourcesTest {
    @Test
    void oneGpuPerTaskSetsTheTaskAndExecutorAmounts() {
        SparkConf conf = SparkTrials.conf("local[2]", 1);
        assertEquals("local[2]", conf.get("spark.master"));
        assertEquals("1", conf.get("spark.task.resource.gpu.amount"));
        assertEquals("1", conf.get("spark.executor.resource.gpu.amount"));
        SparkConf none = SparkTrials.conf("local[2]", 0);
        assertFalse(none.contains("spark.task.resource.gpu.amount"));
        assertFalse(none.contains("spark.executor.resource.gpu.amount"));
    }

    @Test
    void anExecutorAmountGivenBySparkSubmitIsKept() {
        System.setProperty("spark.executor.resource.gpu.amount", "4");
        try {
            SparkConf conf = SparkTrials.conf("local[2]", 1);
            assertEquals("4", conf.get("spark.executor.resource.gpu.amount"));
            assertEquals("1", conf.get("spark.task.resource.gpu.amount"));
        } finally {
            System.clearProperty("spark.executor.resource.gpu.amount");
        }
    }

    @Test
    void aTaskTrainsOnTheGpuSparkAssignedIt() {
        assertEquals("gpu:3", SparkTrials.device(Map.of("gpu", new ResourceInformation("gpu", new String[] {"3"}))));
        assertNull(SparkTrials.device(Map.of()), "no GPU assigned: the backend's default device");
        assertNull(SparkTrials.device(Map.of("fpga", new ResourceInformation("fpga", new String[] {"0"}))));
        Distill4jException two = assertThrows(Distill4jException.class, () -> SparkTrials.device(Map.of("gpu",
                new ResourceInformation("gpu", new String[] {"0", "1"}))));
        assertEquals("the engine assigned this task 2 GPUs [0, 1]: a trial trains on one device, request one GPU per "
                + "task", two.getMessage());
        Distill4jException uuid = assertThrows(Distill4jException.class, () -> SparkTrials.device(Map.of("gpu",
                new ResourceInformation("gpu", new String[] {"GPU-8f1c"}))));
        assertEquals("GPU address 'GPU-8f1c' is not a device ordinal (expected 0, 1, ...: the GPU discovery script "
                + "must report CUDA device indices)", uuid.getMessage());
    }

    @Test
    void aGpuRequestOnACpuOnlyBuildIsRefusedBeforeSparkStarts() {
        Distill4jException cpu = assertThrows(Distill4jException.class,
                () -> new SparkTrials.Factory().open("local[2]", "/tmp/unused", 1));
        assertEquals("--gpus-per-task 1 needs the CUDA backend, and this build is CPU-only: run ./distill4j --cuda "
                + "--spark ... (the executors need the same build)", cpu.getMessage());
        Distill4jException two = assertThrows(Distill4jException.class, () -> SparkTrials.checkGpus(2, true));
        assertEquals("--gpus-per-task must be 0 or 1 (a trial trains on one device), got 2", two.getMessage());
        SparkTrials.checkGpus(1, true);
        SparkTrials.checkGpus(0, false);
    }
}
