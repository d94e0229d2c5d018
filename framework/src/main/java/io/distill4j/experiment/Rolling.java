package io.distill4j.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distill4j.config.ConfigNode;
import io.distill4j.data.DataConfig;
import io.distill4j.data.features.RollingWindows;
import java.util.Optional;

/**
 * Walk-forward re-distillation (the study's {@code rolling:} section): the series is cut into windows that slide by
 * {@code step_bars} (see {@link RollingWindows}); in each window the teacher is trained on the window's train part
 * (early stopping on its validation part, cached per window), the student is distilled from that window's teacher,
 * warm-started from the previous window's student of the same seed or from scratch, and every model is evaluated on
 * the window's test part only: the bars after its train window. Two baselines run per window: the student trained
 * alone on the window, and the <b>never-updated</b> student, window 1's distilled student evaluated as it is on every
 * later window's test part.
 *
 * <pre>
 * rolling:
 *   train_bars: 6000        # bars of a train window (train part, gap, validation part)
 *   validation_bars: 1200   # optional: the validation part at the end of the train window (default train_bars / 5)
 *   test_bars: 2000         # bars of the test window that follows each train window
 *   step_bars: 2000         # optional: bars between window starts (default test_bars: test windows tile)
 *   gap_bars: auto          # optional: purge gap (default data.split.gap: lookback + 20 + horizon); at least
 *                           # lookback + horizon
 *   windows: 4              # optional: at most this many windows (default: as many as the data holds)
 *   warm_start: true        # optional: start each window's student from the previous one's weights (default true)
 * </pre>
 *
 * <p>A trial's resolved config carries its window as {@code rolling.window} (0-based) and, for the never-updated
 * baseline, {@code rolling.never_updated: true}; both are written by distill4j ({@link #windowTree}), never by the
 * user.
 *
 * @param windows the window geometry
 * @param warmStart whether window {@code k}'s student starts from window {@code k - 1}'s
 * @param window the window of a trial's config (0-based), or -1 for the study's own config
 * @param neverUpdated whether the trial is the never-updated baseline (window 1's student on window {@code window})
 */
public record Rolling(RollingWindows windows, boolean warmStart, int window, boolean neverUpdated) {

    /** The key of the section. */
    public static final String KEY = "rolling";

    /** The cell label of the never-updated baseline's trials (their method: {@code distilled never-updated}). */
    static final String NEVER_UPDATED = "never-updated";

    /** The problem with a {@code rolling.window} or {@code rolling.never_updated} in a study file. */
    static final String SET_BY_HAND = "is set by distill4j for each window's trials; remove it";

    /** The rolling section of a config tree, if it has one (validated by {@link StudyConfig#parse}). */
    public static Optional<Rolling> of(String file, JsonNode tree) {
        if (!tree.has(KEY)) {
            return Optional.empty();
        }
        ConfigNode root = ConfigNode.root(file, tree);
        return Optional.of(parse(root.section(KEY), DataConfig.parse(root.section("data"))));
    }

    /** Parses and validates {@code rolling} against the study's data section. */
    static Rolling parse(ConfigNode node, DataConfig data) {
        int train = node.integer("train_bars", 2, Integer.MAX_VALUE / 4);
        int test = node.integer("test_bars", 1, Integer.MAX_VALUE / 4);
        int step = node.integer("step_bars", test, 1, Integer.MAX_VALUE / 4);
        int minGap = data.lookback() + data.horizon();
        int gap = data.gapBars();
        var rawGap = node.raw("gap_bars");
        if (rawGap.isPresent() && !(rawGap.get().isTextual() && rawGap.get().asText().equals("auto"))) {
            if (!rawGap.get().canConvertToInt() || !rawGap.get().isIntegralNumber()) {
                throw node.error("gap_bars", "expected auto or a number of bars, got "
                        + ConfigNode.describe(rawGap.get()));
            }
            gap = rawGap.get().asInt();
        }
        if (gap < minGap) {
            throw node.error("gap_bars", "expected at least lookback + horizon = " + data.lookback() + " + "
                    + data.horizon() + " = " + minGap + " bars (so no train label reaches a later input), got " + gap);
        }
        int validation = node.integer("validation_bars", Math.max(1, train / 5), 1, Integer.MAX_VALUE / 4);
        if (validation + gap >= train) {
            throw node.error("validation_bars", "expected validation_bars + gap_bars (" + validation + " + " + gap
                    + ") below train_bars (" + train + "), leaving a train part");
        }
        int max = node.integer("windows", Integer.MAX_VALUE, 2, Integer.MAX_VALUE);
        boolean warm = node.bool("warm_start", true);
        int window = node.integer("window", -1, -1, Integer.MAX_VALUE);
        boolean neverUpdated = node.bool("never_updated", false);
        node.finish();
        RollingWindows windows = new RollingWindows(train, validation, test, step, gap, max);
        if (data.source() instanceof DataConfig.SyntheticSource s && s.resample().isEmpty()
                && s.window().equals(DataConfig.Window.ALL) && windows.windows(s.bars()).size() < 2) {
            throw node.error("train_bars", "expected at least 2 windows in data.source.bars = " + s.bars()
                    + " (window 1 for the never-updated student, one later window to evaluate it on): 2 windows need "
                    + new RollingWindows(train, validation, test, step, gap, 2).barsFor(2) + " bars");
        }
        return new Rolling(windows, warm, window, neverUpdated);
    }

    /**
     * The resolved config of window {@code k}'s trials (0-based): {@code rolling.window} is {@code k};
     * {@code neverUpdated} marks the never-updated baseline's trial.
     */
    static ObjectNode windowTree(ObjectNode tree, int k, boolean neverUpdated) {
        ObjectNode out = tree.deepCopy();
        ObjectNode r = (ObjectNode) out.get(KEY);
        r.put("window", k);
        if (neverUpdated) {
            r.put("never_updated", true);
        } else {
            r.remove("never_updated");
        }
        return out;
    }

    /** The window of a trial's config as shown in tables: {@code w2} (1-based). */
    String label() {
        return "w" + (window + 1);
    }
}
