package io.distill4j.data.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.KlineSeries;
import io.distill4j.data.DataConfig;
import io.distill4j.data.DataException;
import io.distill4j.data.synthetic.SyntheticConfig;
import io.distill4j.data.synthetic.SyntheticMarket;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Walk-forward windows: their geometry, what each part holds, and what is fitted on which bars. */
class RollingWindowsTest {
    private static final int LOOKBACK = 16;
    private static final int HORIZON = 6;
    private static final int GAP = LOOKBACK + FeatureEngineer.WARMUP + HORIZON; // the auto gap: 42
    private static final RollingWindows WINDOWS = new RollingWindows(1500, 300, 500, 500, GAP, Integer.MAX_VALUE);
    private static final KlineSeries BARS = SyntheticMarket.generate(new SyntheticConfig(4000, 7, 300_000L)).series();

    private static DataConfig config() {
        return new DataConfig(new DataConfig.SyntheticSource(4000, 7, "5m"), LOOKBACK, HORIZON,
                OptionalDouble.empty(), new DataConfig.Split(0.6, 0.2, 0.2, OptionalInt.empty()));
    }

    @Test
    void windowGeometryByHand() {
        RollingWindows w = new RollingWindows(100, 20, 30, 25, 10, Integer.MAX_VALUE);
        // window 1: train part [0, 70), gap 10, validation [80, 100), gap 10, test [110, 140)
        assertEquals(new RollingWindows.Window(0, 0, 70, 80, 100, 110, 140), w.window(0));
        // window 2 slides by 25 bars
        assertEquals(new RollingWindows.Window(1, 25, 95, 105, 125, 135, 165), w.window(1));
        // test ends 140, 165, 190, 215: three fit in 200 bars
        assertEquals(3, w.windows(200).size());
        assertEquals(2, new RollingWindows(100, 20, 30, 25, 10, 2).windows(200).size(), "at most max");
        assertEquals(165, w.barsFor(2));
        assertThrows(IllegalArgumentException.class, () -> new RollingWindows(100, 90, 30, 25, 10, 3));
    }

    @Test
    void noWindowEvaluatesOnBarsItsModelsTrainedOn() {
        List<RollingWindows.Window> windows = WINDOWS.windows(BARS.size());
        for (RollingWindows.Window w : windows) {
            PreparedData d = DatasetPreparer.prepareWindow(BARS, config(), WINDOWS, w.index());
            int[] train = d.train().barIndices();
            int[] validation = d.validation().barIndices();
            int[] test = d.test().barIndices();
            assertTrue(train.length > 1000 && validation.length > 250 && test.length > 450, "w" + w.index());
            assertWithin(train, w.trainFrom(), w.trainTo());
            assertWithin(validation, w.validationFrom(), w.validationTo());
            assertWithin(test, w.testFrom(), w.testTo());
            // every bar a test sample reads (its features' look-back and its label) comes after every bar a train or
            // validation label reads: the teacher fits on train, stops early on validation, the student likewise
            int lastFitted = Math.max(max(train), max(validation)) + HORIZON;
            int firstTestRead = Arrays.stream(test).min().orElseThrow() - LOOKBACK - FeatureEngineer.WARMUP + 1;
            assertTrue(lastFitted < firstTestRead, "w" + w.index() + ": " + lastFitted + " vs " + firstTestRead);
            // and the validation part is purged from the train part the same way
            assertTrue(max(train) + HORIZON < Arrays.stream(validation).min().orElseThrow() - LOOKBACK
                    - FeatureEngineer.WARMUP + 1);
            // the test window is the next one: it starts right after the train window and its gap
            assertEquals(w.validationTo() + GAP, w.testFrom());
        }
        assertEquals(4, windows.size()); // tests end at 2042, 2542, 3042, 3542 (4042 > 4000)
    }

    @Test
    void aSeriesTooShortForTheWindowIsAOneLineError() {
        DataException e = assertThrows(DataException.class,
                () -> DatasetPreparer.prepareWindow(BARS, config(), WINDOWS, 4));
        assertTrue(e.getMessage().contains("4000 bars hold 4 rolling window(s); window 5 needs 4042"), e.getMessage());
    }

    @Test
    void standardisationAndThresholdAreFittedOnTheWindowsTrainPartOnly() {
        int k = 2;
        PreparedData original = DatasetPreparer.prepareWindow(BARS, config(), WINDOWS, k);
        int[] train = original.train().barIndices();

        // by hand: population mean and std of the raw features over the train part's bars
        double[][] rows = FeatureEngineer.compute(BARS, Contiguity.of(BARS, 300_000L));
        int d = rows[0].length;
        for (int j = 0; j < d; j++) {
            double mean = 0;
            for (int b : train) {
                mean += rows[b][j];
            }
            mean /= train.length;
            double ss = 0;
            for (int b : train) {
                ss += (rows[b][j] - mean) * (rows[b][j] - mean);
            }
            assertEquals(mean, original.standardiser().mean()[j], 1e-9 * Math.max(1, Math.abs(mean)), "mean " + j);
            assertEquals(Math.sqrt(ss / train.length), original.standardiser().std()[j], 1e-9, "std " + j);
        }
        PreparedData first = DatasetPreparer.prepareWindow(BARS, config(), WINDOWS, 0);
        assertFalse(Arrays.equals(first.standardiser().mean(), original.standardiser().mean()), "per window");

        // bars after the last one a train label reads changed: the window's standardisation, threshold and train
        // samples do not move; its test samples do
        int after = train[train.length - 1] + HORIZON;
        PreparedData changed = DatasetPreparer.prepareWindow(DatasetPreparerTest.amplifiedAfter(BARS, after), config(), WINDOWS, k);
        assertTrue(original.test().features().sub(changed.test().features()).amaxNumber().doubleValue() > 0.1,
                "the change reaches the test samples");
        assertEquals(original.labelThreshold(), changed.labelThreshold(), 0.0, "auto threshold from train only");
        assertArrayEquals(original.standardiser().mean(), changed.standardiser().mean(), 0.0);
        assertArrayEquals(original.standardiser().std(), changed.standardiser().std(), 0.0);
        assertEquals(original.train().features(), changed.train().features());
        assertArrayEquals(original.train().labels(), changed.train().labels());
    }

    private static void assertWithin(int[] bars, int from, int to) {
        for (int b : bars) {
            assertTrue(b >= from && b < to, b + " outside [" + from + ", " + to + ")");
        }
    }

    private static int max(int[] a) {
        return Arrays.stream(a).max().orElseThrow();
    }
}
