/**
 * Device selection: which ND4J backends are on the class path, which NVIDIA GPUs the machine has (through
 * {@code nvidia-smi}), whether ND4J 1.0.0-M2.1's CUDA binaries can run on them, and the decision for a requested
 * {@link io.distill4j.device.DeviceMode} ({@code auto | cpu | gpu}).
 *
 * <p>{@link io.distill4j.device.DeviceSelector} and {@link io.distill4j.device.CudaArchitectures} are pure functions
 * of their inputs; {@link io.distill4j.device.DeviceEnvironment#detect()} is the only part that looks at the machine,
 * and it never initialises ND4J, so a decision can be taken (and a bad request refused) before ND4J loads a backend.
 *
 * <p>ND4J reads its backend priorities ({@code BACKEND_PRIORITY_CPU}, {@code BACKEND_PRIORITY_GPU}) only from
 * environment variables, once, when {@code Nd4jBackend} is initialised: a system property or a Java setter cannot
 * change them. A distill4j build carries exactly one backend (the CPU build {@code nd4j-native}, the
 * {@code ./distill4j --cuda} build {@code nd4j-cuda-11.6}), so the backend is chosen at build time and the device
 * decision checks the request against it, with a clear error and what to do when they do not fit.
 */
package io.distill4j.device;
