/**
 * The built-in synthetic market: {@link io.distill4j.data.synthetic.SyntheticMarket}, a seeded regime-switching
 * OHLCV generator whose next bars' volatility (and, a little, direction) is learnable from the standard features,
 * with the regime of every bar kept for analysis and the law of every bar's return exposed (exact class
 * probabilities, a known optimum).
 */
package io.distill4j.data.synthetic;
