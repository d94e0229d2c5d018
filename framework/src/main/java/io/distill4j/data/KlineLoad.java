package io.distill4j.data;

import io.distill4j.api.KlineSeries;

import java.util.Map;
import java.util.Objects;

/**
 * A loaded kline series together with the quality report measured while loading it.
 *
 * @param series the bars, in file order
 * @param quality gaps, zero-volume bars and spacing found in {@code series}
 * @param columns the values of the extra columns asked for ({@link KlineCsvReader#read(java.nio.file.Path,
 *     java.util.List)}), one per bar of {@code series}, by name
 */
public record KlineLoad(KlineSeries series, DataQualityReport quality, Map<String, double[]> columns) {
    public KlineLoad {
        Objects.requireNonNull(series, "series");
        Objects.requireNonNull(quality, "quality");
        columns = Map.copyOf(columns);
    }

    /** A load without extra columns. */
    public KlineLoad(KlineSeries series, DataQualityReport quality) {
        this(series, quality, Map.of());
    }
}
