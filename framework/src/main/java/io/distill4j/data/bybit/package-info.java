/**
 * Bybit v5 market data: {@link io.distill4j.data.bybit.BybitKlineClient} downloads klines over the public REST
 * API (paged, validated, retried), and {@link io.distill4j.data.bybit.BybitKlineCache} keeps a CSV file up to date
 * by fetching only the bars it is missing.
 */
package io.distill4j.data.bybit;
