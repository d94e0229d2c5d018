package io.distill4j.runtime;

import java.util.List;
import java.util.Objects;

/**
 * One declared feature: an indicator of the library with its window, or an extra numeric column of the bar source
 * used as it is. Written as its canonical text ({@code return(12)}, {@code range}, {@code column(funding_rate)});
 * definitions ({@code c, h, l, v} close, high, low, volume of bar {@code i}, windows ending at and including
 * {@code i}):
 * <ul>
 *   <li>{@code return(k)}: {@code ln(c[i] / c[i-k])}; needs {@code k} earlier bars;</li>
 *   <li>{@code volatility(k)}: sample standard deviation (divisor {@code k - 1}) of the {@code k} one-bar log returns
 *       ending at {@code i}; needs {@code k} earlier bars;</li>
 *   <li>{@code rsi(n)}: Wilder's RSI over {@code n} changes scaled to {@code [-1, 1]} as {@code rsi / 50 - 1}, the
 *       averages seeded with the plain mean of a run's first {@code n} changes, then {@code ((n-1) avg + x) / n};
 *       needs {@code n} earlier bars;</li>
 *   <li>{@code range}: {@code (h[i] - l[i]) / c[i]};</li>
 *   <li>{@code volume_ratio(k)}: {@code ln((v[i] + e) / (m + e))}, {@code m} the mean volume of the last {@code k}
 *       bars, {@code e = 0.01 m + 1e-12}; needs {@code k - 1} earlier bars;</li>
 *   <li>{@code vwap_distance(k)}: {@code c[i] / VWAP - 1}, VWAP the volume-weighted mean of {@code (h + l + c) / 3}
 *       over the last {@code k} bars (their plain mean when those bars have no volume); needs {@code k - 1};</li>
 *   <li>{@code ma_distance(k)}: {@code c[i] / mean(c over the last k bars) - 1}; needs {@code k - 1};</li>
 *   <li>{@code column(name)}: the bar's value of the source's extra column {@code name}, as it is.</li>
 * </ul>
 * An indicator may read another asset's bars aligned on the study's bar times ({@code return(12)@ETHUSDT}, named
 * {@code return_12_ETHUSDT}): the same definition over that asset's bars; a bar missing for that asset breaks its run
 * as a gap does.
 *
 * @param kind an indicator of {@link #INDICATORS}, or {@link #COLUMN}
 * @param window the window in bars ({@code 0} for {@code range} and columns)
 * @param column the column's name ({@code ""} for indicators)
 * @param asset the asset whose bars an indicator reads ({@code ""}: the study's own bars; always so for columns)
 */
public record FeatureSpec(String kind, int window, String column, String asset) {
    /** The kind of an extra column. */
    public static final String COLUMN = "column";
    /** The indicator library, in documentation order. */
    public static final List<String> INDICATORS = List.of("return", "volatility", "rsi", "range", "volume_ratio",
            "vwap_distance", "ma_distance");
    /** What a column or asset name may be: letters, digits, {@code _} and {@code .}, not starting with a digit. */
    public static final String NAME = "[A-Za-z_][A-Za-z0-9_.]*";
    /** The largest window of any indicator. */
    public static final int MAX_WINDOW = 1000;

    public FeatureSpec {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(asset, "asset");
        if (!asset.isEmpty() && (kind.equals(COLUMN) || !asset.matches(NAME))) {
            throw new IllegalArgumentException("an indicator's asset needs a name of letters, digits, '_' and '.' "
                    + "(not starting with a digit); a column has none, got '" + asset + "'");
        }
        if (kind.equals(COLUMN)) {
            if (!column.matches(NAME) || window != 0) {
                throw new IllegalArgumentException("a column needs a name of letters, digits, '_' and '.' (not "
                        + "starting with a digit) and no window, got '" + column + "', " + window);
            }
        } else {
            if (!INDICATORS.contains(kind)) {
                throw new IllegalArgumentException("unknown indicator '" + kind + "', expected one of " + INDICATORS);
            }
            if (!column.isEmpty()) {
                throw new IllegalArgumentException("an indicator has no column");
            }
            if (window != 0 || !kind.equals("range")) {
                int min = minWindow(kind);
                if (window < min || window > MAX_WINDOW) {
                    throw new IllegalArgumentException(kind + " needs a window in [" + min + ", " + MAX_WINDOW
                            + "], got " + window);
                }
            }
        }
    }

    /** An indicator over {@code window} of the study's own bars. */
    public static FeatureSpec indicator(String kind, int window) {
        return new FeatureSpec(kind, window, "", "");
    }

    /** An indicator over {@code window} bars of another asset. */
    public static FeatureSpec indicator(String kind, int window, String asset) {
        return new FeatureSpec(kind, window, "", asset);
    }

    /** An extra column used as it is. */
    public static FeatureSpec column(String name) {
        return new FeatureSpec(COLUMN, 0, name, "");
    }

    /** The smallest window {@code kind} accepts: 0 for {@code range} (no window), 1 for returns, else 2. */
    public static int minWindow(String kind) {
        return switch (kind) {
            case "range" -> 0;
            case "return" -> 1;
            default -> 2;
        };
    }

    /** Whether this is an extra column rather than an indicator. */
    public boolean isColumn() {
        return kind.equals(COLUMN);
    }

    /** The feature's column name: {@code return_12}, {@code range}, or the extra column's own name. */
    public String name() {
        String own = isColumn() ? column : window == 0 ? kind : kind + "_" + window;
        return asset.isEmpty() ? own : own + "_" + asset;
    }

    /** Earlier bars of the same run the feature needs. */
    public int warmup() {
        return switch (kind) {
            case "return", "volatility", "rsi" -> window;
            case "volume_ratio", "vwap_distance", "ma_distance" -> window - 1;
            default -> 0;
        };
    }

    /** The canonical text: {@code return(12)}, {@code range}, {@code column(funding_rate)}, {@code range@ETHUSDT}. */
    public String canonical() {
        String own = isColumn() ? COLUMN + "(" + column + ")" : window == 0 ? kind : kind + "(" + window + ")";
        return asset.isEmpty() ? own : own + "@" + asset;
    }

    /** Parses {@link #canonical} text. */
    public static FeatureSpec parse(String text) {
        String t = text.trim();
        int at = t.lastIndexOf('@');
        if (at >= 0) {
            FeatureSpec own = parse(t.substring(0, at));
            return new FeatureSpec(own.kind, own.window, own.column, t.substring(at + 1));
        }
        int open = t.indexOf('(');
        if (open < 0) {
            return indicator(t, 0);
        }
        if (!t.endsWith(")")) {
            throw new IllegalArgumentException("expected kind(argument), got '" + text + "'");
        }
        String kind = t.substring(0, open);
        String arg = t.substring(open + 1, t.length() - 1);
        if (kind.equals(COLUMN)) {
            return column(arg);
        }
        try {
            return indicator(kind, Integer.parseInt(arg));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number of bars in '" + text + "'", e);
        }
    }
}
