/**
 * Market data: {@link io.distill4j.data.KlineSeries}, the columnar candlestick series every part of the framework
 * consumes, the project's kline CSV layout ({@link io.distill4j.data.KlineCsvWriter}), and
 * {@link io.distill4j.data.DataException} for bad data. Exchange clients live in sub-packages ({@code bybit}).
 */
package io.distill4j.data;
