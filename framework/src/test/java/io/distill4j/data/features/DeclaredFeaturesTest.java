package io.distill4j.data.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.KlineSeries;
import io.distill4j.data.DataConfig;
import io.distill4j.data.synthetic.SyntheticConfig;
import io.distill4j.data.synthetic.SyntheticMarket;
import io.distill4j.runtime.FeatureSet;
import io.distill4j.runtime.FeatureSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * Declared features ({@code data.features.set}): each indicator against values worked out independently on a tiny
 * series, the warm-up and gaps, a declared copy of the 12 built-in features against the built-in code (two separate
 * implementations), and the samples' width and purge gap following the declared set.
 */
class DeclaredFeaturesTest {
    private static final long MIN = 60_000;
    private static final double[] CLOSE = {100, 102, 101, 104, 103, 107, 106};
    private static final double[] VOLUME = {10, 0, 5, 20, 15, 10, 30};

    /** close as given, high = close + 1, low = close - 2, open = previous close. */
    private static KlineSeries tiny(long[] time) {
        int n = CLOSE.length;
        double[] open = new double[n];
        double[] high = new double[n];
        double[] low = new double[n];
        for (int i = 0; i < n; i++) {
            open[i] = i == 0 ? CLOSE[0] : CLOSE[i - 1];
            high[i] = Math.max(CLOSE[i] + 1, open[i]);
            low[i] = Math.min(CLOSE[i] - 2, open[i]);
        }
        return new KlineSeries("tiny", time, open, high, low, CLOSE.clone(), VOLUME.clone(), new double[n]);
    }

    private static long[] minutes(int n) {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = 1_700_000_000_000L + i * MIN;
        }
        return t;
    }

    private static final FeatureSet SET = FeatureSet.of(List.of(FeatureSpec.indicator("return", 2),
            FeatureSpec.indicator("volatility", 3), FeatureSpec.indicator("rsi", 3), FeatureSpec.indicator("range", 0),
            FeatureSpec.indicator("volume_ratio", 3), FeatureSpec.indicator("vwap_distance", 3),
            FeatureSpec.indicator("ma_distance", 3), FeatureSpec.column("funding_rate")));

    @Test
    void everyIndicatorEqualsItsDefinitionWorkedOutOnATinySeries() {
        KlineSeries s = tiny(minutes(CLOSE.length));
        double[] funding = {1e-4, -2e-4, 3e-4, 5e-5, -1e-4, 0, 7e-4};
        double[][] rows = FeatureEngineer.compute(s, Contiguity.of(s), SET, new double[][] {funding});
        assertEquals(List.of("return_2", "volatility_3", "rsi_3", "range", "volume_ratio_3", "vwap_distance_3",
                "ma_distance_3", "funding_rate"), SET.names());
        assertEquals(3, SET.warmup());
        for (int i = 0; i < 3; i++) {
            assertTrue(Double.isNaN(rows[i][0]), "row " + i + " is inside the warm-up");
        }
        // bar 3: close 104, high 105, low 101 (open 101), volume 20
        double[] r3 = rows[3];
        assertEquals(Math.log(104.0 / 102), r3[0], 1e-12);
        double a = Math.log(102.0 / 100);
        double b = Math.log(101.0 / 102);
        double c = Math.log(104.0 / 101);
        double m = (a + b + c) / 3;
        assertEquals(Math.sqrt(((a - m) * (a - m) + (b - m) * (b - m) + (c - m) * (c - m)) / 2), r3[1], 1e-12);
        // changes +2, -1, +3: average gain 5/3, loss 1/3, RS 5, RSI 83.33 -> 2/3
        assertEquals(2.0 / 3, r3[2], 1e-12);
        assertEquals((105.0 - 101) / 104, r3[3], 1e-12);
        double meanVolume = (0 + 5 + 20) / 3.0;
        double e = 0.01 * meanVolume + 1e-12;
        assertEquals(Math.log((20 + e) / (meanVolume + e)), r3[4], 1e-12);
        // typical prices (h + l + c) / 3 of bars 1..3: (103+100+102)/3, (102+99+101)/3... with low = min(c-2, open)
        double tp1 = (103 + 100 + 102) / 3.0; // bar 1: open 100, high 103, low 100, close 102
        double tp2 = (102 + 99 + 101) / 3.0; // bar 2: open 102, high 102, low 99, close 101
        double tp3 = (105 + 101 + 104) / 3.0; // bar 3: open 101, high 105, low 101, close 104
        double vwap = (tp1 * 0 + tp2 * 5 + tp3 * 20) / 25;
        assertEquals(104 / vwap - 1, r3[5], 1e-12);
        assertEquals(104 / ((102 + 101 + 104) / 3.0) - 1, r3[6], 1e-12);
        assertEquals(5e-5, r3[7], 0);
        // bar 4: change -1; Wilder: gain (2 * 5/3 + 0) / 3 = 10/9, loss (2 * 1/3 + 1) / 3 = 5/9, RS 2 -> 1/3
        assertEquals(1.0 / 3, rows[4][2], 1e-12);
        // bar 6: change -1 after gains (10/9 * 2 + 4) / 3 = 56/27 and losses (5/9 * 2) / 3 = 10/27
        double gain = (56.0 / 27 * 2) / 3;
        double loss = (10.0 / 27 * 2 + 1) / 3;
        assertEquals((100 - 100 / (1 + gain / loss)) / 50 - 1, rows[6][2], 1e-12);
        assertEquals(7e-4, rows[6][7], 0);
    }

    @Test
    void aGapRestartsEveryIndicatorIncludingTheRsiRecursion() {
        long[] t = minutes(CLOSE.length);
        long[] gapped = t.clone();
        for (int i = 2; i < gapped.length; i++) {
            gapped[i] += 5 * MIN; // bars 0..1, then a run from bar 2
        }
        KlineSeries s = tiny(gapped);
        FeatureSet set = FeatureSet.of(List.of(FeatureSpec.indicator("rsi", 3), FeatureSpec.indicator("return", 1)));
        double[][] rows = FeatureEngineer.compute(s, Contiguity.of(s, MIN), set, new double[0][]);
        for (int i = 0; i < 5; i++) {
            assertTrue(Double.isNaN(rows[i][0]), "row " + i + " lacks 3 earlier bars of its run");
        }
        // run 2..6 closes 101, 104, 103, 107: changes +3, -1, +4 -> gain 7/3, loss 1/3, RS 7
        assertEquals((100 - 100 / (1 + 7.0)) / 50 - 1, rows[5][0], 1e-12);
        assertEquals(Math.log(107.0 / 103), rows[5][1], 1e-12);
    }

    @Test
    void anotherAssetIsAlignedOnTheBarTimesAndItsMissingBarEndsItsRun() {
        long[] t = minutes(CLOSE.length);
        // ETH: bars at the times of bars 0, 1, 2, 4, 5, 6 (bar 3's minute is missing) and one before the study's
        long[] ethTime = {t[0] - MIN, t[0], t[1], t[2], t[4], t[5], t[6]};
        double[] ethClose = {9, 10, 11, 12, 13, 15, 14};
        double[] ones = {1, 1, 1, 1, 1, 1, 1};
        KlineSeries eth = new KlineSeries("eth", ethTime, ethClose, ethClose, ethClose, ethClose, ones, ones);
        KlineSeries s = tiny(t);
        AssetAlignment aligned = AssetAlignment.of(s, List.of("ETHUSDT"), List.of(eth));
        assertEquals(1, aligned.missing()[0]);
        assertEquals(10, aligned.inputs()[3][0], 0); // ETH close at bar 0's time
        assertTrue(Double.isNaN(aligned.inputs()[3][3]));
        assertEquals("assets aligned on the 7 bars of tiny: ETHUSDT 6 matched, 1 missing (a missing bar ends that "
                + "asset's run)", aligned.report());
        FeatureSet set = FeatureSet.of(List.of(FeatureSpec.indicator("return", 1),
                FeatureSpec.indicator("return", 1, "ETHUSDT")));
        assertEquals(List.of("return_1", "return_1_ETHUSDT"), set.names());
        double[][] rows = FeatureEngineer.compute(s, Contiguity.of(s), set, aligned.inputs());
        assertTrue(Double.isNaN(rows[0][0]));
        assertEquals(Math.log(11.0 / 10), rows[1][1], 1e-12);
        assertEquals(Math.log(12.0 / 11), rows[2][1], 1e-12);
        assertTrue(Double.isNaN(rows[3][0]), "ETH has no bar 3");
        assertTrue(Double.isNaN(rows[4][0]), "ETH's run restarts at bar 4: no return across the missing bar");
        assertEquals(Math.log(15.0 / 13), rows[5][1], 1e-12);
        assertEquals(Math.log(107.0 / 103), rows[5][0], 1e-12);
        assertEquals(Math.log(14.0 / 15), rows[6][1], 1e-12);
    }

    @Test
    void aDeclaredCopyOfTheBuiltInFeaturesEqualsTheBuiltInCode() {
        KlineSeries s = SyntheticMarket.generate(new SyntheticConfig(3000, 3, 300_000)).series();
        FeatureSet copy = FeatureSet.of(List.of(FeatureSpec.indicator("return", 1), FeatureSpec.indicator("return", 3),
                FeatureSpec.indicator("return", 5), FeatureSpec.indicator("return", 10),
                FeatureSpec.indicator("return", 20), FeatureSpec.indicator("volatility", 10),
                FeatureSpec.indicator("volatility", 20), FeatureSpec.indicator("vwap_distance", 20),
                FeatureSpec.indicator("range", 0), FeatureSpec.indicator("ma_distance", 20),
                FeatureSpec.indicator("rsi", 14), FeatureSpec.indicator("volume_ratio", 20)));
        assertEquals(FeatureEngineer.WARMUP, copy.warmup());
        double[][] declared = FeatureEngineer.compute(s, Contiguity.of(s), copy, new double[0][]);
        double[][] builtIn = FeatureEngineer.compute(s);
        int compared = 0;
        for (int i = 0; i < s.size(); i++) {
            assertEquals(Double.isNaN(builtIn[i][0]), Double.isNaN(declared[i][0]), "row " + i + " defined");
            if (Double.isNaN(builtIn[i][0])) {
                continue;
            }
            for (int j = 0; j < 12; j++) {
                assertEquals(builtIn[i][j], declared[i][j], 1e-9 * Math.max(1e-3, Math.abs(builtIn[i][j])),
                        "bar " + i + " " + FeatureEngineer.NAMES.get(j));
            }
            compared++;
        }
        assertEquals(s.size() - FeatureEngineer.WARMUP, compared);
    }

    @Test
    void samplesHaveTheDeclaredWidthAndTheAutoGapFollowsTheDeclaredWarmUp() {
        KlineSeries s = SyntheticMarket.generate(new SyntheticConfig(2000, 4, 300_000)).series();
        FeatureSet set = FeatureSet.of(List.of(FeatureSpec.indicator("return", 50), FeatureSpec.indicator("rsi", 7),
                FeatureSpec.indicator("range", 0)));
        DataConfig config = new DataConfig(new DataConfig.SyntheticSource(2000, 4, "5m"), 8, 4, OptionalDouble.empty(),
                new DataConfig.Split(0.6, 0.2, 0.2, OptionalInt.empty()), DataConfig.Target.CLASSES, set);
        assertEquals(8 + 50 + 4, config.gapBars());
        PreparedData d = DatasetPreparer.prepare(s, config);
        assertEquals(List.of("return_50", "rsi_7", "range"), d.featureNames());
        assertEquals(3, d.train().features().size(1));
        assertEquals(3, d.test().windows().size(1));
        assertEquals(3, d.standardiser().mean().length);
        // the first sample needs 50 feature warm-up bars and 8 lookback rows: bar 57
        assertEquals(57, d.train().barIndices()[0]);
        // standardised on train only: the train rows have mean 0 and (population) std 1
        double[] rows = d.train().features().getColumn(0).toDoubleVector();
        double mean = java.util.Arrays.stream(rows).average().orElseThrow();
        assertEquals(0, mean, 1e-5);
        assertEquals(62, d.gapBars());
    }

    @Test
    void theDefaultSetIsTheTwelveBuiltInFeatures() {
        assertEquals(FeatureEngineer.NAMES, FeatureSet.DEFAULT.names());
        assertEquals(FeatureEngineer.WARMUP, FeatureSet.DEFAULT.warmup());
        assertEquals(FeatureSet.DEFAULT, DataConfig.defaults().features());
        assertEquals(FeatureSet.DEFAULT, FeatureSet.parse(""));
        assertEquals(SET, FeatureSet.parse(SET.canonical()));
        assertEquals("return(2);volatility(3);rsi(3);range;volume_ratio(3);vwap_distance(3);ma_distance(3);"
                + "column(funding_rate)", SET.canonical());
        assertTrue(new DataConfig(new DataConfig.CsvSource(Path.of("x.csv")), 8, 4, OptionalDouble.empty(),
                new DataConfig.Split(0.6, 0.2, 0.2, OptionalInt.empty()), DataConfig.Target.CLASSES, SET)
                .features().columns().contains("funding_rate"));
    }
}
