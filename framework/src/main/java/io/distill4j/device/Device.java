package io.distill4j.device;

/** Where training runs. */
public enum Device {
    CPU, GPU
}
