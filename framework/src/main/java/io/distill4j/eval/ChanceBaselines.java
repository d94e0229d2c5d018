package io.distill4j.eval;

import io.distill4j.data.features.Labels;

/**
 * Predictors that need no model, to show what a trained model must beat: the majority class of the train split, and
 * persistence (the class the labelling rule gives to the move that just happened). Also the class balance of a split.
 */
public final class ChanceBaselines {
    private ChanceBaselines() {
    }

    /** The most frequent class of {@code trainLabels} (the lowest class index on a tie). */
    public static int majorityClass(int[] trainLabels) {
        if (trainLabels.length == 0) {
            throw new IllegalArgumentException("no train labels to take a majority class from");
        }
        int[] counts = counts(trainLabels);
        int best = 0;
        for (int k = 1; k < counts.length; k++) {
            if (counts[k] > counts[best]) {
                best = k;
            }
        }
        return best;
    }

    /**
     * Persistence: for the sample at bar {@code i}, the class {@link Labels#classify} gives to the past log return
     * {@code ln(close[i] / close[i - horizon])} under the labels' threshold, i.e. the last label-equivalent move
     * repeated. When bars {@code i - horizon .. i} are not contiguous (a gap, checked through the open times) or
     * {@code i < horizon}, there is no such move and the prediction is {@link Labels#HOLD}.
     *
     * @param bars each sample's bar index into {@code close} and {@code timeMs}
     */
    public static int[] persistence(double[] close, long[] timeMs, long intervalMs, int[] bars, int horizon,
            double threshold) {
        if (horizon < 1 || close.length != timeMs.length) {
            throw new IllegalArgumentException("need horizon >= 1 and one open time per close, got horizon "
                    + horizon + ", " + close.length + " closes, " + timeMs.length + " times");
        }
        int[] out = new int[bars.length];
        for (int k = 0; k < bars.length; k++) {
            int i = bars[k];
            int from = i - horizon;
            boolean contiguous = from >= 0 && timeMs[i] - timeMs[from] == horizon * intervalMs;
            out[k] = contiguous ? Labels.classify(Labels.forwardReturn(close, from, horizon), threshold) : Labels.HOLD;
        }
        return out;
    }

    /** Accuracy and macro-F1 (and the rest of {@link ClassificationMetrics}) of hard class predictions. */
    public static ClassificationMetrics metrics(int[] predicted, int[] labels) {
        double[][] oneHot = new double[predicted.length][Labels.NUM_CLASSES];
        for (int k = 0; k < predicted.length; k++) {
            oneHot[k][predicted[k]] = 1;
        }
        return ClassificationMetrics.of(oneHot, labels, null);
    }

    /** The share of each class (sell, hold, buy) among {@code labels}. */
    public static double[] classFractions(int[] labels) {
        int[] c = counts(labels);
        double[] f = new double[c.length];
        for (int k = 0; k < c.length; k++) {
            f[k] = labels.length == 0 ? Double.NaN : (double) c[k] / labels.length;
        }
        return f;
    }

    private static int[] counts(int[] labels) {
        int[] c = new int[Labels.NUM_CLASSES];
        for (int y : labels) {
            if (y < 0 || y >= c.length) {
                throw new IllegalArgumentException("label " + y + " outside [0, " + c.length + ")");
            }
            c[y]++;
        }
        return c;
    }
}
