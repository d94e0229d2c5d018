package io.distill4j.data.features;

import java.util.ArrayList;
import java.util.List;

/**
 * The windows of a walk-forward (rolling) study, in bar indices of the series. Window {@code k} starts at bar
 * {@code s = k * step}; its train window is {@code [s, s + train)}, the last {@code validation} bars of which are the
 * validation part, cut from the train part by a purge gap of {@code gap} bars; its test window is the {@code test}
 * bars after the train window and another gap:
 *
 * <pre>
 * | train part                | gap | validation | gap | test (the next window)     |
 * s                    s+train-val-gap  s+train-val  s+train  s+train+gap   s+train+gap+test
 * </pre>
 *
 * A sample belongs to a part when its bar (the bar whose close it decides at) lies in the part's range; with
 * {@code gap >= lookback + horizon} no train label reaches a validation or test input and no validation label a test
 * input (see {@link TimeSplit#inRanges}). There are as many windows as fit in the series ({@code max} at most).
 *
 * @param train bars of a train window (train part, gap and validation part)
 * @param validation bars of the validation part, at the end of the train window
 * @param test bars of a test window
 * @param step bars between the starts of consecutive windows
 * @param gap purge gap in bars, between the train and validation parts and between the train window and the test
 *     window
 * @param max the most windows to use ({@code Integer.MAX_VALUE}: all that fit)
 */
public record RollingWindows(int train, int validation, int test, int step, int gap, int max) {

    public RollingWindows {
        if (train < 1 || validation < 1 || test < 1 || step < 1 || gap < 0 || max < 1) {
            throw new IllegalArgumentException("rolling window sizes must be positive");
        }
        if (validation + gap >= train) {
            throw new IllegalArgumentException("the validation part and its gap leave no train part");
        }
    }

    /**
     * One window: half-open bar ranges {@code [from, to)} of its parts, and its position.
     *
     * @param index 0-based position of the window
     */
    public record Window(int index, int trainFrom, int trainTo, int validationFrom, int validationTo, int testFrom,
            int testTo) {

        /** The bar range of a part ({@code train}, {@code validation}, {@code test}) as {@code {from, to}}. */
        public int[] range(String part) {
            return switch (part) {
                case "train" -> new int[] {trainFrom, trainTo};
                case "validation" -> new int[] {validationFrom, validationTo};
                case "test" -> new int[] {testFrom, testTo};
                default -> throw new IllegalArgumentException("no part " + part);
            };
        }
    }

    /** Window {@code k} (0-based), whether or not it fits in a series. */
    public Window window(int k) {
        int s = k * step;
        int validationFrom = s + train - validation;
        int testFrom = s + train + gap;
        return new Window(k, s, validationFrom - gap, validationFrom, s + train, testFrom, testFrom + test);
    }

    /** The windows whose test window ends within a series of {@code bars} bars, at most {@link #max}. */
    public List<Window> windows(int bars) {
        List<Window> out = new ArrayList<>();
        for (int k = 0; k < max; k++) {
            Window w = window(k);
            if (w.testTo() > bars) {
                break;
            }
            out.add(w);
        }
        return out;
    }

    /** The number of bars {@code n} windows need: the end of window {@code n - 1}'s test window. */
    public int barsFor(int n) {
        return window(n - 1).testTo();
    }
}
