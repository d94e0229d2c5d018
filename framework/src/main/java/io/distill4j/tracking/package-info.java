/**
 * Experiment tracking: {@link io.distill4j.tracking.Tracker} and {@link io.distill4j.tracking.TrackedRun} are the
 * interfaces studies log through; {@link io.distill4j.tracking.MlflowFileStore} writes MLflow's own file-store layout
 * (what {@code mlflow ui --backend-store-uri results/mlruns} reads), and
 * {@link io.distill4j.tracking.MlflowFileStoreReader} reads it back.
 */
package io.distill4j.tracking;
