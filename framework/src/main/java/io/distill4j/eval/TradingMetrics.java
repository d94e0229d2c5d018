package io.distill4j.eval;

import io.distill4j.loss.Softmax;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a trading desk reads besides accuracy, for one model on one split: the {@link Backtest} metrics of its
 * positions and the {@link Calibration} of its probabilities ({@code ece}, {@code brier}), by metric name.
 */
public final class TradingMetrics {
    private TradingMetrics() {
    }

    /**
     * The metrics of logits {@code [n][3]} on samples at {@code bars} of a series.
     *
     * @param timeMs open time of every bar of the series
     * @param close close of every bar of the series
     */
    public static Map<String, Double> of(double[][] logits, int[] labels, int[] bars, long[] timeMs, double[] close,
            long intervalMs, Backtest.Settings settings) {
        double[][] p = probabilities(logits);
        Map<String, Double> m = new LinkedHashMap<>(Backtest.run(settings.sizing().positions(p), bars, timeMs, close,
                intervalMs, settings.costs()).asMap());
        Calibration c = Calibration.of(p, labels);
        m.put("ece", c.ece());
        m.put("brier", c.brier());
        return m;
    }

    /**
     * The backtest metrics of a return predictor's predictions ({@code data.labels.task: regression}; no calibration):
     * position {@code sign(prediction)} with {@code sizing: class}, {@code clip(prediction, -1, 1)} with
     * {@code sizing: margin} (the prediction in the target's units: with {@code scale: volatility}, one train
     * standard deviation of the forward return is a full position).
     */
    public static Map<String, Double> ofRegression(double[] predictions, int[] bars, long[] timeMs, double[] close,
            long intervalMs, Backtest.Settings settings) {
        double[] positions = new double[predictions.length];
        for (int k = 0; k < positions.length; k++) {
            positions[k] = settings.sizing() == Backtest.Sizing.CLASS ? Math.signum(predictions[k])
                    : Math.max(-1, Math.min(1, predictions[k]));
        }
        return new LinkedHashMap<>(Backtest.run(positions, bars, timeMs, close, intervalMs, settings.costs()).asMap());
    }

    /** Prefix of the reliability-curve facts. */
    public static final String RELIABILITY = "reliability.";

    /**
     * The reliability curve of logits as facts: {@code reliability.<bin>.confidence}, {@code .accuracy} and
     * {@code .count} for every non-empty bin of {@link Calibration#of(double[][], int[])}.
     */
    public static Map<String, Double> reliabilityFacts(double[][] logits, int[] labels) {
        double[][] p = probabilities(logits);
        Map<String, Double> m = new LinkedHashMap<>();
        for (Calibration.Bin b : Calibration.of(p, labels).bins()) {
            String key = RELIABILITY + (int) Math.round(b.lower() * Calibration.DEFAULT_BINS) + ".";
            m.put(key + "confidence", b.confidence());
            m.put(key + "accuracy", b.accuracy());
            m.put(key + "count", (double) b.count());
        }
        return m;
    }

    private static double[][] probabilities(double[][] logits) {
        double[][] p = new double[logits.length][];
        for (int i = 0; i < p.length; i++) {
            p[i] = Softmax.probabilities(logits[i]);
        }
        return p;
    }
}
