package io.distill4j.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.InputKind;
import io.distill4j.api.ModelInput;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.data.DataException;
import io.distill4j.api.KlineSeries;
import io.distill4j.experiment.Study;
import io.distill4j.experiment.StudyListener;
import io.distill4j.experiment.StudyRunner;
import io.distill4j.experiment.Trial;
import io.distill4j.tracking.MlflowFileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class StrategyTeacherTest {
    private static KlineSeries series(double... close) {
        int n = close.length;
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = 1_000L * i;
        }
        double[] nan = new double[n];
        Arrays.fill(nan, Double.NaN);
        return new KlineSeries("test", t, close.clone(), close.clone(), close.clone(), close.clone(), new double[n],
                nan);
    }

    @Test
    void crossoverGoesLongInUptrendsShortInDowntrendsFlatBeforeWarmUp() {
        // fast 2, slow 4: bar 3 is the first with a complete slow average
        KlineSeries up = series(100, 101, 102, 103, 104, 105);
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1},
                Positions.movingAverageCrossover(up, 2, 4, 0, 2, Double.POSITIVE_INFINITY));
        KlineSeries down = series(105, 104, 103, 102, 101, 100);
        assertArrayEquals(new int[] {0, 0, 0, -1, -1, -1},
                Positions.movingAverageCrossover(down, 2, 4, 0, 2, Double.POSITIVE_INFINITY));
        // a band wider than the gap between the averages keeps the strategy flat
        assertArrayEquals(new int[6], Positions.movingAverageCrossover(up, 2, 4, 0.5, 2, Double.POSITIVE_INFINITY));
    }

    @Test
    void volatilityFilterFlattens() {
        KlineSeries choppy = series(100, 101, 102, 110, 104, 120);
        double[] vol = Positions.realisedVolatility(choppy, 2);
        assertTrue(Double.isNaN(vol[1]));
        double r2 = Math.log(102 / 101.0);
        double r3 = Math.log(110 / 102.0);
        double mean = (r2 + r3) / 2;
        assertEquals(Math.sqrt((r2 - mean) * (r2 - mean) + (r3 - mean) * (r3 - mean)), vol[3], 1e-12);
        int[] filtered = Positions.movingAverageCrossover(choppy, 2, 4, 0, 2, 0.0);
        assertArrayEquals(new int[6], filtered, "a zero volatility cap keeps every bar flat");
    }

    @Test
    void positionsCsvIsAStepFunction(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("pos.csv");
        Files.writeString(csv, "timestamp_ms,position\n1000,1\n3500,-1\n5000,0\n");
        assertArrayEquals(new int[] {0, 1, 1, 1, -1, 0}, Positions.fromCsv(csv, series(1, 1, 1, 1, 1, 1)));
        Files.writeString(csv, "timestamp_ms,position\n1000,2\n");
        assertEquals(csv + ": row 1: position must be -1, 0 or 1, got 2",
                assertThrows(DataException.class, () -> Positions.fromCsv(csv, series(1, 1))).getMessage());
        Files.writeString(csv, "time,pos\n");
        assertEquals(csv + ": header: expected 'timestamp_ms,position'",
                assertThrows(DataException.class, () -> Positions.fromCsv(csv, series(1, 1))).getMessage());
        Files.writeString(csv, "timestamp_ms,position\n2000,1\n1000,0\n");
        assertTrue(assertThrows(DataException.class, () -> Positions.fromCsv(csv, series(1, 1))).getMessage()
                .contains("row 2: timestamps must be strictly ascending"));
    }

    @Test
    void softTargetsFollowThePositionWithSmoothing() {
        var fitted = new StrategyTeacher.Fitted(new int[] {-1, 0, 1}, 0.1, "test");
        ModelInput all = new ModelInput() {
            @Override
            public int size() {
                return 3;
            }

            @Override
            public INDArray input(InputKind kind) {
                throw new UnsupportedOperationException();
            }

            @Override
            public int[] barIndices() {
                return new int[] {2, 0, 1};
            }
        };
        TeacherOutputs out = fitted.infer(all);
        assertEquals(Math.log(0.9), out.logits().getDouble(0, 2), 1e-6); // bar 2 long -> buy
        assertEquals(Math.log(0.05), out.logits().getDouble(0, 0), 1e-6);
        assertEquals(Math.log(0.9), out.logits().getDouble(1, 0), 1e-6); // bar 0 short -> sell
        assertEquals(Math.log(0.9), out.logits().getDouble(2, 1), 1e-6); // bar 1 flat -> hold
        assertEquals(0, fitted.parameterCount());
    }

    @Test
    void studentLearnsToImitateTheStrategy(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("strategy.yaml");
        Files.writeString(file, """
                study: strategy-tiny
                data:
                  source: {type: synthetic, bars: 3000, seed: 4}
                  features: {lookback: 4}
                  labels: {horizon: 6}
                teacher: {type: strategy, fast: 5, slow: 20, volatility_window: 20}
                student: {type: mlp, hidden: [8]}
                distillation: {loss: {type: hinton, temperature: 1, alpha: 0.0}}
                training: {epochs: 4}
                seeds: [1]
                """);
        Study study = Study.load(file, List.of());
        try (var store = new MlflowFileStore(dir.resolve("mlruns"))) {
            var outcome = new StudyRunner(dir.resolve("results"), store, StudyListener.NONE, 1).run(study);
            var distilled = outcome.results().stream().filter(r -> r.trial().role() == Trial.Role.DISTILLED)
                    .findFirst().orElseThrow();
            var alone = outcome.results().stream().filter(r -> r.trial().role() == Trial.Role.STUDENT_ALONE)
                    .findFirst().orElseThrow();
            // the strategy is a deterministic function of recent prices, which the features describe: imitation
            // must clearly beat chance and the student trained on market labels (on the synthetic market's
            // self-sustaining trends the market labels already agree with this trend-following strategy more
            // often than not: measured 0.663 imitating against 0.566 alone)
            assertTrue(distilled.test("agreement") > 0.6, "agreement " + distilled.test("agreement"));
            assertTrue(distilled.test("agreement") > alone.test("agreement") + 0.05,
                    distilled.test("agreement") + " vs " + alone.test("agreement"));
            assertEquals(0, outcome.results().get(0).parameters());
        }
    }
}
