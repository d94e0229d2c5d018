/**
 * Market data: the columnar {@link io.distill4j.api.KlineSeries}, the project's kline CSV layout (the validating
 * loader {@link io.distill4j.data.KlineCsvReader} with its {@link io.distill4j.data.DataQualityReport}, and
 * {@link io.distill4j.data.KlineCsvWriter}), the {@code data:} section ({@link io.distill4j.data.DataConfig}), and
 * {@link io.distill4j.data.DataException} for bad input (messages name file, row and problem). Synthetic data lives
 * in {@code data.synthetic}, exchange clients in {@code data.bybit}, and features, labels, splits and the prepared
 * dataset in {@code data.features}.
 */
package io.distill4j.data;

import io.distill4j.api.KlineSeries;
