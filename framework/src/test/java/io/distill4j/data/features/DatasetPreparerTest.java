package io.distill4j.data.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.data.DataConfig;
import io.distill4j.api.KlineSeries;
import io.distill4j.data.DataException;
import io.distill4j.data.SharedData;
import io.distill4j.data.synthetic.SyntheticConfig;
import io.distill4j.data.synthetic.SyntheticMarket;
import java.util.Arrays;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

class DatasetPreparerTest {
    private static DataConfig synthetic(int bars, long seed) {
        return new DataConfig(new DataConfig.SyntheticSource(bars, seed, "5m"), 32, 12, OptionalDouble.empty(),
                new DataConfig.Split(0.6, 0.2, 0.2, OptionalInt.empty()));
    }

    @Test
    void splitsAreTimeOrderedWithPurgeGaps() {
        PreparedData d = DatasetPreparer.prepare(synthetic(6000, 7));
        int gap = 32 + 20 + 12;
        assertEquals(gap, d.gapBars());
        int[] tr = d.train().barIndices();
        int[] va = d.validation().barIndices();
        int[] te = d.test().barIndices();
        assertTrue(va[0] - tr[tr.length - 1] > gap);
        assertTrue(te[0] - va[va.length - 1] > gap);
        for (int[] part : new int[][] {tr, va, te}) {
            for (int k = 1; k < part.length; k++) {
                assertTrue(part[k] > part[k - 1]);
            }
        }
        int valid = d.description().candidateSamples() - d.description().droppedSamples();
        assertEquals(6000 - (32 + 19) - 12, d.description().candidateSamples());
        assertEquals(0, d.description().droppedSamples());
        assertEquals(valid, tr.length + va.length + te.length + d.description().purgedSamples());
        assertEquals(2 * gap, d.description().purgedSamples());
        assertEquals(Math.round(valid * 0.6), tr.length);
        assertEquals(3, d.numClasses());
        assertEquals(FeatureEngineer.NAMES, d.featureNames());
        long[] t = d.train().timeMs();
        assertEquals(SyntheticConfig.DEFAULT_START_MS + tr[0] * 300_000L, t[0]);
    }

    @Test
    void aTrainingSplitWithOneLabelClassIsAnError() {
        DataConfig config = new DataConfig(new DataConfig.SyntheticSource(3000, 7, "5m"), 32, 12,
                OptionalDouble.of(5), new DataConfig.Split(0.6, 0.2, 0.2, OptionalInt.empty()));
        DataException e = assertThrows(DataException.class, () -> DatasetPreparer.prepare(config));
        assertEquals("synthetic(seed=7,bars=3000,intervalMs=300000): every training label is hold (1762 samples) "
                + "with data.labels.horizon 12 and data.labels.threshold 5.0; expected at least 2 classes in train (a "
                + "lower threshold, a longer horizon, or data whose price moves)", e.getMessage());
    }

    @Test
    void standardisationIsFittedOnTrainOnly() {
        PreparedData d = DatasetPreparer.prepare(synthetic(6000, 7));
        INDArray train = d.train().features();
        assertEquals(DataType.FLOAT, train.dataType());
        assertArrayEquals(new long[] {d.train().size(), 12}, train.shape());
        INDArray mean = train.mean(0);
        INDArray std = train.std(false, 0);
        for (int j = 0; j < 12; j++) {
            assertEquals(0, mean.getDouble(j), 1e-4, "train mean of " + d.featureNames().get(j));
            assertEquals(1, std.getDouble(j), 1e-3, "train std of " + d.featureNames().get(j));
        }
        INDArray testMean = d.test().features().mean(0);
        assertTrue(testMean.amaxNumber().doubleValue() > 0.01, "test mean is not forced to 0: " + testMean);
    }

    @Test
    void autoThresholdPutsAThirdOfTrainInHold() {
        PreparedData d = DatasetPreparer.prepare(synthetic(6000, 7));
        int[] counts = d.train().classCounts();
        assertEquals(d.train().size() / 3.0, counts[Labels.HOLD], 1.0);
        double[] r = d.train().forwardReturns();
        int[] y = d.train().labels();
        for (int k = 0; k < r.length; k++) {
            assertEquals(Labels.classify(r[k], d.labelThreshold()), y[k]);
        }
        INDArray oneHot = d.test().labelsOneHot();
        assertEquals(d.test().labels()[5], oneHot.getRow(5).argMax().getInt(0));
        System.out.println("class counts sell/hold/buy: train " + Arrays.toString(counts) + ", validation "
                + Arrays.toString(d.validation().classCounts()) + ", test " + Arrays.toString(d.test().classCounts())
                + ", threshold " + d.labelThreshold());
    }

    @Test
    void windowsAreTheFeatureRowsEndingAtEachSample() {
        PreparedData d = DatasetPreparer.prepare(synthetic(3000, 7));
        SampleSplit v = d.validation();
        INDArray w = v.windows();
        assertArrayEquals(new long[] {v.size(), 12, 32}, w.shape());
        assertEquals(DataType.FLOAT, w.dataType());
        INDArray f = v.features();
        int[] bars = v.barIndices();
        for (int k = 0; k < v.size(); k++) {
            INDArray last = w.get(NDArrayIndex.point(k), NDArrayIndex.all(), NDArrayIndex.point(31));
            assertEquals(f.getRow(k), last.reshape(12));
            // samples are consecutive bars here: step j back in the window is sample k - j's row
            for (int j : new int[] {1, 7, 31}) {
                if (k - j >= 0 && bars[k - j] == bars[k] - j) {
                    INDArray earlier = w.get(NDArrayIndex.point(k), NDArrayIndex.all(), NDArrayIndex.point(31 - j));
                    assertEquals(f.getRow(k - j), earlier.reshape(12));
                }
            }
        }
        assertTrue(v.windows() == w, "windows are cached");
    }

    @Test
    void aGapDropsExactlyTheSamplesThatWouldBridgeIt() {
        KlineSeries full = SyntheticMarket.generate(new SyntheticConfig(3000, 11, 60_000)).series();
        int m = 1500; // remove bar 1500: a gap between new indices 1499 and 1500
        KlineSeries a = full.slice(0, m);
        KlineSeries b = full.slice(m + 1, full.size());
        KlineSeries gapped = concat(a, b);
        DataConfig cfg = synthetic(3000, 11);
        PreparedData d = DatasetPreparer.prepare(gapped, cfg);
        int back = 32 + 19;
        int h = 12;
        assertEquals(1, d.description().quality().gaps());
        assertEquals(back + h, d.description().droppedSamples());
        for (SampleSplit s : new SampleSplit[] {d.train(), d.validation(), d.test()}) {
            for (int i : s.barIndices()) {
                assertTrue(i < m - h || i > m - 1 + back, "sample at " + i + " bridges the gap");
            }
        }
    }

    @Test
    void changingTheBarsAfterTheTrainSplitLeavesThresholdAndStandardisationUntouched() {
        DataConfig config = synthetic(6000, 7);
        KlineSeries bars = SyntheticMarket.generate(new SyntheticConfig(6000, 7, 300_000L)).series();
        PreparedData original = DatasetPreparer.prepare(bars, config);
        int[] train = original.train().barIndices();
        int cut = train[train.length - 1] + config.horizon(); // the last bar any train feature or label reads
        PreparedData changed = DatasetPreparer.prepare(amplifiedAfter(bars, cut), config);

        assertTrue(original.test().features().sub(changed.test().features()).amaxNumber().doubleValue() > 0.1,
                "the change reaches the validation and test samples");
        assertEquals(original.labelThreshold(), changed.labelThreshold(), 0.0, "auto threshold from train only");
        assertArrayEquals(original.standardiser().mean(), changed.standardiser().mean(), 0.0, "means from train only");
        assertArrayEquals(original.standardiser().std(), changed.standardiser().std(), 0.0, "stds from train only");
        assertArrayEquals(train, changed.train().barIndices());
        assertEquals(original.train().features(), changed.train().features());
        assertArrayEquals(original.train().labels(), changed.train().labels());
    }

    /** Regression targets: the forward return over the std of the train returns, a scale fitted on train only. */
    @Test
    void volatilityScaledTargetsAreFittedOnTrainOnly() {
        DataConfig base = synthetic(6000, 7);
        DataConfig config = new DataConfig(base.source(), base.lookback(), base.horizon(), OptionalDouble.empty(),
                base.split(), new DataConfig.Target(DataConfig.Task.REGRESSION, DataConfig.Scale.VOLATILITY));
        KlineSeries bars = SyntheticMarket.generate(new SyntheticConfig(6000, 7, 300_000L)).series();
        PreparedData original = DatasetPreparer.prepare(bars, config);
        assertEquals(1, original.outputWidth());
        // the scale by hand: population std of the train forward returns
        double[] r = original.train().forwardReturns();
        double mean = java.util.Arrays.stream(r).average().orElseThrow();
        double ss = 0;
        for (double x : r) {
            ss += (x - mean) * (x - mean);
        }
        double std = Math.sqrt(ss / r.length);
        assertEquals(std, original.targetScale(), 1e-15);
        double[] test = original.test().forwardReturns();
        double[] scaled = original.test().targets();
        for (int k = 0; k < test.length; k++) {
            assertEquals(test[k] / std, scaled[k], 1e-12);
        }
        assertEquals((float) scaled[3], original.test().targetColumn().getFloat(3, 0), 0f);
        // bars after the train split changed: the scale does not move, the test targets do
        int[] train = original.train().barIndices();
        int cut = train[train.length - 1] + config.horizon();
        PreparedData changed = DatasetPreparer.prepare(amplifiedAfter(bars, cut), config);
        assertEquals(original.targetScale(), changed.targetScale(), 0.0, "scale from train only");
        assertArrayEquals(original.train().targets(), changed.train().targets(), 0.0);
        assertTrue(Math.abs(changed.test().targets()[0] - original.test().targets()[0]) > 0
                || !java.util.Arrays.equals(changed.test().targets(), original.test().targets()));
        // unscaled: the targets are the forward returns themselves
        PreparedData plain = DatasetPreparer.prepare(bars, new DataConfig(base.source(), base.lookback(),
                base.horizon(), OptionalDouble.empty(), base.split(),
                new DataConfig.Target(DataConfig.Task.REGRESSION, DataConfig.Scale.NONE)));
        assertEquals(1, plain.targetScale(), 0.0);
        assertArrayEquals(plain.test().forwardReturns(), plain.test().targets(), 0.0);
    }

    /** The same bars up to {@code cut}; after it every price move from bar {@code cut} tripled, volume times 5. */
    static KlineSeries amplifiedAfter(KlineSeries s, int cut) {
        double[][] prices = {s.open().clone(), s.high().clone(), s.low().clone(), s.close().clone()};
        double[] volume = s.volume().clone();
        double base = s.close()[cut];
        for (int i = cut + 1; i < s.size(); i++) {
            for (double[] p : prices) {
                p[i] = base * Math.pow(p[i] / base, 3);
            }
            volume[i] *= 5;
        }
        return new KlineSeries(s.source(), s.timeMs(), prices[0], prices[1], prices[2], prices[3], volume,
                s.turnover());
    }

    @Test
    void preparationIsDeterministic() {
        PreparedData a = DatasetPreparer.prepare(synthetic(3000, 5));
        PreparedData b = DatasetPreparer.prepare(synthetic(3000, 5));
        PreparedData c = DatasetPreparer.prepare(synthetic(3000, 6));
        assertEquals(a.description(), b.description());
        assertEquals(a.train().features(), b.train().features());
        assertArrayEquals(a.test().labels(), b.test().labels());
        assertEquals(a.labelThreshold(), b.labelThreshold(), 0.0);
        assertNotEquals(a.description().sha256(), c.description().sha256());
        assertEquals(64, a.description().sha256().length());
    }

    @Test
    void realCsvWithAnOutage() {
        var path = SharedData.file("klines/binance-spot/BTCUSDT-1h.csv");
        DataConfig cfg = new DataConfig(new DataConfig.CsvSource(path), 32, 12, OptionalDouble.of(0.01),
                new DataConfig.Split(0.6, 0.2, 0.2, OptionalInt.empty()));
        PreparedData d = DatasetPreparer.prepare(cfg);
        assertEquals(35_842, d.description().rows());
        assertEquals(1, d.description().quality().gaps());
        assertEquals(32 + 19 + 12, d.description().droppedSamples());
        assertEquals(0.01, d.labelThreshold());
        System.out.println("Binance BTCUSDT 1h: train/val/test " + d.train().size() + "/" + d.validation().size()
                + "/" + d.test().size() + ", train classes " + Arrays.toString(d.train().classCounts()));
    }

    private static KlineSeries concat(KlineSeries a, KlineSeries b) {
        return new KlineSeries("gapped", cat(a.timeMs(), b.timeMs()), cat(a.open(), b.open()), cat(a.high(), b.high()),
                cat(a.low(), b.low()), cat(a.close(), b.close()), cat(a.volume(), b.volume()),
                cat(a.turnover(), b.turnover()));
    }

    private static long[] cat(long[] x, long[] y) {
        long[] r = Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, r, x.length, y.length);
        return r;
    }

    private static double[] cat(double[] x, double[] y) {
        double[] r = Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, r, x.length, y.length);
        return r;
    }
}
