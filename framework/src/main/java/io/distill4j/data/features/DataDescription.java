package io.distill4j.data.features;

import io.distill4j.data.DataQualityReport;

/**
 * Provenance of a prepared dataset, for run records: where the bars came from, their extent and content hash, what
 * the loader found, and how many samples the gaps cost.
 *
 * @param source the source description (file path or synthetic parameters)
 * @param rows number of bars
 * @param firstTimeMs open time of the first bar
 * @param lastTimeMs open time of the last bar
 * @param intervalMs bar spacing used for contiguity
 * @param sha256 hex SHA-256 of the kline arrays (time, open, high, low, close, volume, turnover as big-endian
 *     64-bit values)
 * @param quality gaps and zero-volume bars
 * @param candidateSamples samples a gap-free series of this length would give
 * @param droppedSamples candidates dropped because their window or label would bridge a gap
 * @param purgedSamples valid samples dropped by the split's purge gaps
 */
public record DataDescription(String source, int rows, long firstTimeMs, long lastTimeMs, long intervalMs,
        String sha256, DataQualityReport quality, int candidateSamples, int droppedSamples, int purgedSamples) {

    /** {@code <source>: <quality>}, one line for the console and the summary ({@link DataQualityReport#describe}). */
    public String describe() {
        return source + ": " + quality.describe();
    }
}
