package io.distill4j.data;

import io.distill4j.api.KlineSeries;

import java.util.Objects;

/**
 * A loaded kline series together with the quality report measured while loading it.
 *
 * @param series the bars, in file order
 * @param quality gaps, zero-volume bars and spacing found in {@code series}
 */
public record KlineLoad(KlineSeries series, DataQualityReport quality) {
    public KlineLoad {
        Objects.requireNonNull(series, "series");
        Objects.requireNonNull(quality, "quality");
    }
}
