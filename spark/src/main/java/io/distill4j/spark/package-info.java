/**
 * The optional Spark engine (module {@code spark/}, built with {@code -Pspark}): a study's trials, and a search's
 * teachers and candidates, as Spark tasks, optionally one GPU each
 * ({@link io.distill4j.spark.SparkTrials}), and the {@code spark-submit} entry point
 * ({@link io.distill4j.spark.SparkMain}).
 */
package io.distill4j.spark;
