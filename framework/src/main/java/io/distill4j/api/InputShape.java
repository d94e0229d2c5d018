package io.distill4j.api;

/**
 * The dimensions a network is built for.
 *
 * @param features feature columns per bar
 * @param lookback bars per sequence window (ignored by tabular networks)
 * @param classes output classes, or 1 for a regression output (one predicted value)
 */
public record InputShape(int features, int lookback, int classes) {
    public InputShape {
        if (features < 1 || lookback < 1 || classes < 1) {
            throw new IllegalArgumentException("bad input shape " + features + "x" + lookback + " -> " + classes);
        }
    }
}
