/**
 * {@code distill4j bench}: single-call latency percentiles with HdrHistogram ({@link io.distill4j.bench.Latency}),
 * JMH microbenchmarks of the runtime and of DL4J ({@link io.distill4j.bench.RuntimeJmh},
 * {@link io.distill4j.bench.Dl4jJmh}), the bars and inputs they run on ({@link io.distill4j.bench.BenchData}), the
 * table they end in ({@link io.distill4j.bench.BenchReport}) and its logging to a study's runs
 * ({@link io.distill4j.bench.BenchTracking}); and training speed against the PyTorch reference
 * ({@link io.distill4j.bench.TrainingBench}), with the machine's CPU use during each side of a round
 * ({@link io.distill4j.bench.CpuUse}).
 */
package io.distill4j.bench;
