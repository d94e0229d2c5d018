/**
 * {@code distill4j bench}: single-call latency percentiles with HdrHistogram ({@link io.distill4j.bench.Latency}),
 * JMH microbenchmarks of the runtime and of DL4J ({@link io.distill4j.bench.RuntimeJmh},
 * {@link io.distill4j.bench.Dl4jJmh}), the bars and inputs they run on ({@link io.distill4j.bench.BenchData}) and
 * the table they end in ({@link io.distill4j.bench.BenchReport}).
 */
package io.distill4j.bench;
