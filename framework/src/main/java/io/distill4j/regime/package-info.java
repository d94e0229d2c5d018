/**
 * Market regimes: a past-only regime for every sample ({@link io.distill4j.regime.RegimeLabeller}, thresholds fitted
 * on the train split only, configured by {@code data.regimes}, see {@link io.distill4j.regime.RegimeConfig}), the
 * metrics of a model within each regime ({@link io.distill4j.regime.RegimeMetrics}), and the routing of samples to
 * the tiers of a model family by regime ({@link io.distill4j.regime.RegimeRouter}).
 */
package io.distill4j.regime;
