/**
 * The deployable student runtime: plain Java over {@code float[]}, no dependencies at all. {@link StudentModel}
 * reads an exported student file ({@code .d4jr}, format in {@link ModelFile}); a {@link Predictor} answers from a
 * standardised feature row or window into a caller-owned array without allocating; a {@link SignalStream} takes raw
 * bars, updates the study's features incrementally ({@link FeatureStream} for the 12 built-in ones,
 * {@link DeclaredFeatureStream} for a declared {@link FeatureSet}, the code the batch pipeline runs too) and answers once enough bars of one
 * contiguous run have been seen. Instances of {@link Predictor}, {@link FeatureStream} and {@link SignalStream} are
 * not thread-safe: use one per thread ({@link StudentModel} itself is immutable and shared).
 */
package io.distill4j.runtime;
