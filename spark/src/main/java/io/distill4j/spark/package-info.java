/**
 * The optional Spark engine (module {@code spark/}, built with {@code -Pspark}): a study's trials as Spark tasks
 * ({@link io.distill4j.spark.SparkTrials}), and the {@code spark-submit} entry point
 * ({@link io.distill4j.spark.SparkMain}).
 */
package io.distill4j.spark;
