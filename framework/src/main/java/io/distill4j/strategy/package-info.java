/**
 * Trading strategies as teachers: a rule (a moving-average crossover with a volatility filter) or positions read
 * from a file, turned into soft targets over sell / hold / buy, so that a student learns to imitate the strategy from
 * market features.
 */
package io.distill4j.strategy;
