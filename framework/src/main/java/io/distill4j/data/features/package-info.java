/**
 * From bars to training data: the 12 features or a declared set ({@link io.distill4j.data.features.FeatureEngineer}),
 * other assets aligned on time ({@link io.distill4j.data.features.AssetAlignment}), 3-class labels
 * ({@link io.distill4j.data.features.Labels}), gap-aware sample selection, time-ordered splits with purge gaps
 * ({@link io.distill4j.data.features.TimeSplit}), train-only standardisation and the prepared dataset
 * ({@link io.distill4j.data.features.DatasetPreparer#prepare(io.distill4j.data.DataConfig)} returning
 * {@link io.distill4j.data.features.PreparedData}).
 */
package io.distill4j.data.features;
