package io.distill4j.data.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.data.DataConfig;
import io.distill4j.data.DataException;
import io.distill4j.data.SharedData;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A 1-minute teacher's data aligned to a 5-minute student's: same market, no look-ahead, the teacher's splits. */
class CrossTimeframeDataTest {
    private static final long MIN = 60_000;
    private static final List<String> SPLITS = List.of("train", "validation", "test");

    private static DataConfig config(DataConfig.Source source, int lookback, int horizon) {
        return new DataConfig(source, lookback, horizon, OptionalDouble.empty(),
                new DataConfig.Split(0.6, 0.2, 0.2, OptionalInt.empty()));
    }

    /** The student on the 5m aggregation of the synthetic 1m market, the teacher on the 1m bars themselves. */
    private static DataConfig student(long seed) {
        return config(new DataConfig.SyntheticSource(20_000, seed, "1m", Optional.of("5m"), DataConfig.Window.ALL),
                8, 6);
    }

    private static DataConfig teacher(long seed) {
        return config(new DataConfig.SyntheticSource(20_000, seed, "1m"), 16, 30);
    }

    @Test
    void everyStudentSampleGetsTheLatestTeacherSampleKnownAtItsClose() {
        CrossTimeframeData x = CrossTimeframeData.prepare(student(7), teacher(7));
        PreparedData s = x.student();
        PreparedData t = x.teacher();
        assertEquals(5 * MIN, s.description().intervalMs());
        assertEquals(MIN, t.description().intervalMs());
        for (String name : SPLITS) {
            SampleSplit coarse = s.split(name);
            SampleSplit fine = x.teacherInput(name);
            assertEquals(coarse.size(), fine.size(), name);
            long[] ct = coarse.timeMs();
            long[] ft = fine.timeMs();
            int[] cb = coarse.barIndices();
            int[] fb = fine.barIndices();
            for (int k = 0; k < ct.length; k++) {
                // no look-ahead: the teacher's inputs end at or before the student bar's close
                assertTrue(ft[k] + MIN <= ct[k] + 5 * MIN, name + " sample " + k);
                // a gap-free 1m market: the fine bar closing with the student's bar, whose close is the student's
                assertEquals(ct[k] + 4 * MIN, ft[k], name + " sample " + k);
                assertEquals(s.series().close()[cb[k]], t.series().close()[fb[k]], 0.0, "same market");
            }
        }
        // the teacher trains before the student's validation period: its train labels (30 bars ahead) end by then
        long validationStart = s.validation().timeMs()[0];
        long testStart = s.test().timeMs()[0];
        for (long u : t.train().timeMs()) {
            assertTrue(u + (30 + 1) * MIN <= validationStart, "teacher train label reaches past the cut");
        }
        for (long u : t.validation().timeMs()) {
            assertTrue(u >= validationStart && u + (30 + 1) * MIN <= testStart);
        }
        assertTrue(t.test().timeMs()[0] >= testStart);
        int kept = s.train().size() + s.validation().size() + s.test().size();
        int dropped = x.dropped().values().stream().mapToInt(Integer::intValue).sum();
        PreparedData unaligned = DatasetPreparer.prepare(student(7));
        assertEquals(unaligned.train().size() + unaligned.validation().size() + unaligned.test().size(),
                kept + dropped);
        assertTrue(s.note().contains("train/validation/test = " + s.train().size() + "/" + s.validation().size()
                + "/" + s.test().size()), s.note());
    }

    @Test
    void anotherMarketIsRejected() {
        DataException e = assertThrows(DataException.class,
                () -> CrossTimeframeData.prepare(student(7), teacher(8)));
        assertTrue(e.getMessage().contains("do not look like the same market"), e.getMessage());
    }

    @Test
    void anotherMarketNamedAsSuchIsACrossAssetTeacherAlignedOnTime() {
        DataConfig btc = named(student(7), "BTCUSDT");
        DataConfig eth = named(teacher(8), "ETHUSDT");
        assertTrue(CrossTimeframeData.crossAsset(btc, eth));
        CrossTimeframeData x = CrossTimeframeData.prepare(btc, eth);
        assertTrue(x.student().note().startsWith("cross-asset: teacher on ETHUSDT 1m bars of "), x.student().note());
        assertTrue(x.student().note().contains("student on BTCUSDT 5m bars"), x.student().note());
        SampleSplit s = x.student().test();
        SampleSplit t = x.teacherInput("test");
        for (int k = 0; k < s.size(); k++) { // the latest teacher sample closing by the student bar's close
            assertTrue(t.timeMs()[k] + MIN <= s.timeMs()[k] + 5 * MIN && t.timeMs()[k] + MIN > s.timeMs()[k]);
        }
        // one name, or the same name twice, is the same market: the closes are checked
        assertThrows(DataException.class, () -> CrossTimeframeData.prepare(btc, teacher(8)));
        assertThrows(DataException.class, () -> CrossTimeframeData.prepare(btc, named(teacher(8), "BTCUSDT")));
    }

    private static DataConfig named(DataConfig c, String asset) {
        return new DataConfig(c.source(), c.lookback(), c.horizon(), c.threshold(), c.split(), c.target(),
                c.features(), c.assets(), asset);
    }

    @Test
    void aTeacherIntervalThatDoesNotDivideTheStudentsIsRejected() {
        DataConfig coarse = config(new DataConfig.SyntheticSource(6_000, 7, "3m"), 8, 6);
        DataConfig fine = config(new DataConfig.SyntheticSource(6_000, 7, "5m"), 8, 6);
        DataException e = assertThrows(DataException.class, () -> CrossTimeframeData.prepare(coarse, fine));
        assertEquals("teacher_data synthetic(seed=7,bars=6000,intervalMs=300000) has 5m bars and data "
                + "synthetic(seed=7,bars=6000,intervalMs=180000) has 3m bars; expected the teacher's bar interval to divide the student's (e.g. 1m teacher, 5m student)",
                e.getMessage());
    }

    /** The time split's guarantee: parts in their time ranges and more than {@code gap} bars apart. */
    @Test
    void splittingAtTimesPurgesBeforeEachCut() {
        Random rnd = new Random(3);
        for (int round = 0; round < 200; round++) {
            int n = 200 + rnd.nextInt(400);
            long[] time = new long[n];
            int[] bars = new int[n];
            int m = 0;
            for (int i = 0; i < n; i++) {
                time[i] = i * MIN;
                if (rnd.nextDouble() > 0.2) {
                    bars[m++] = i;
                }
            }
            int[] sample = java.util.Arrays.copyOf(bars, m);
            long cut1 = (50 + rnd.nextInt(100)) * MIN;
            long cut2 = cut1 + (30 + rnd.nextInt(100)) * MIN;
            int gap = rnd.nextInt(30);
            TimeSplit split = TimeSplit.atTimes(sample, time, cut1, cut2, gap);
            int[][] parts = {split.train(), split.validation(), split.test()};
            assertEquals(m, parts[0].length + parts[1].length + parts[2].length + split.purged());
            for (int p : parts[0]) {
                assertTrue(time[sample[p]] < cut1);
            }
            for (int p : parts[1]) {
                assertTrue(time[sample[p]] >= cut1 && time[sample[p]] < cut2);
            }
            for (int p : parts[2]) {
                assertTrue(time[sample[p]] >= cut2);
            }
            for (int a = 0; a < 3; a++) {
                for (int b = a + 1; b < 3; b++) {
                    for (int i : parts[a]) {
                        for (int j : parts[b]) {
                            assertTrue(sample[j] - sample[i] > gap, "parts " + a + " and " + b + " too close");
                        }
                    }
                }
            }
            // the test part is never purged: it starts at the first sample at or after cut2
            int firstTest = 0;
            while (firstTest < m && time[sample[firstTest]] < cut2) {
                firstTest++;
            }
            assertEquals(m - firstTest, parts[2].length);
        }
    }

    /** The real Bybit BTCUSDT 1m and 5m files, restricted to their overlap (skipped when ../shared/data is absent). */
    @Test
    void realBybitFilesAlignExactly() {
        var fine = SharedData.file("klines/bybit-linear/BTCUSDT-1m.csv");
        var coarse = SharedData.file("klines/bybit-linear/BTCUSDT-5m.csv");
        var window = new DataConfig.Window(OptionalLong.of(Instant.parse("2025-05-30T00:00:00Z").toEpochMilli()),
                OptionalLong.of(Instant.parse("2025-06-29T00:00:00Z").toEpochMilli()));
        CrossTimeframeData x = CrossTimeframeData.prepare(config(new DataConfig.CsvSource(coarse, window), 16, 12),
                config(new DataConfig.CsvSource(fine, window), 16, 60));
        assertEquals(0, x.dropped().values().stream().mapToInt(Integer::intValue).sum(), x.student().note());
        for (String name : SPLITS) {
            SampleSplit s = x.student().split(name);
            SampleSplit f = x.teacherInput(name);
            long[] ct = s.timeMs();
            long[] ft = f.timeMs();
            int[] cb = s.barIndices();
            int[] fb = f.barIndices();
            for (int k = 0; k < ct.length; k++) {
                assertEquals(ct[k] + 4 * MIN, ft[k]);
                // Bybit's 1m bars aggregate exactly to its 5m bars: the same close
                assertEquals(x.student().series().close()[cb[k]], x.teacher().series().close()[fb[k]], 0.0);
            }
        }
        assertEquals(Instant.parse("2025-05-30T00:00:00Z").toEpochMilli(), x.student().description().firstTimeMs());
        assertEquals(Instant.parse("2025-06-28T23:55:00Z").toEpochMilli(), x.student().description().lastTimeMs());
    }
}
