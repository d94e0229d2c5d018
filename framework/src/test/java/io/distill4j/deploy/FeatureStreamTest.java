package io.distill4j.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.KlineSeries;
import io.distill4j.data.features.FeatureEngineer;
import io.distill4j.data.features.Standardiser;
import io.distill4j.runtime.FeatureStream;
import org.junit.jupiter.api.Test;

/**
 * The streaming features equal the batch pipeline's on every bar of a market with gaps, a flat volume-less stretch
 * and zero-volume bars: the same rows are defined, raw values agree to 1e-7 (relative to their scale: the stream's
 * O(1) running sums, added to and subtracted from over thousands of bars, round differently from the batch's fresh
 * sums; 2.2e-8 on the fixture's synthetic market, whose volume and volatility swing by a factor of up to 4) and
 * standardised values, what a model sees, to 1e-5.
 */
class FeatureStreamTest {
    @Test
    void streamEqualsBatchPipelineOnEveryBarIncludingAcrossGaps() {
        KlineSeries s = DeployFixtures.SERIES;
        double[][] batch = FeatureEngineer.compute(s);
        Standardiser std = DeployFixtures.DATA.standardiser();
        FeatureStream stream = new FeatureStream(DeployFixtures.INTERVAL);
        double[] row = new double[12];
        int defined = 0;
        double worstRaw = 0;
        double worstStd = 0;
        for (int i = 0; i < s.size(); i++) {
            boolean ok = stream.update(s.timeMs()[i], s.open()[i], s.high()[i], s.low()[i], s.close()[i],
                    s.volume()[i], row);
            assertEquals(!Double.isNaN(batch[i][0]), ok, "row " + i + " defined");
            if (!ok) {
                continue;
            }
            defined++;
            for (int j = 0; j < 12; j++) {
                worstRaw = Math.max(worstRaw, Math.abs(row[j] - batch[i][j]) / Math.max(1e-3, Math.abs(batch[i][j])));
                worstStd = Math.max(worstStd, Math.abs((row[j] - batch[i][j]) / std.std()[j]));
            }
        }
        assertTrue(defined > 2000, "rows compared " + defined);
        assertTrue(worstRaw < 1e-7, "largest raw difference " + worstRaw);
        assertTrue(worstStd < 1e-5, "largest standardised difference " + worstStd);
    }

    @Test
    void definitionsAgreeWithValuesWorkedOutByHand() {
        // 21 bars of one run: close 100 + i, high close + 1, low close - 1, volume 10 (bar 20 has volume 30)
        FeatureStream stream = new FeatureStream(60_000);
        double[] row = new double[12];
        boolean ok = false;
        for (int i = 0; i <= 20; i++) {
            double c = 100 + i;
            ok = stream.update(i * 60_000L, c, c + 1, c - 1, c, i == 20 ? 30 : 10, row);
        }
        assertTrue(ok);
        assertEquals(Math.log(120.0 / 119), row[0], 1e-12);
        assertEquals(Math.log(120.0 / 100), row[4], 1e-12);
        assertEquals((121.0 - 119) / 120, row[8], 1e-12);
        double sma = (101 + 120) / 2.0; // mean of 101..120
        assertEquals(120 / sma - 1, row[9], 1e-12);
        double vwap = (10 * (101 + 119) / 2.0 * 19 + 30 * 120) / (10 * 19 + 30.0); // typical price = close here
        assertEquals(120 / vwap - 1, row[7], 1e-12);
        assertEquals(1.0, row[10], 1e-12); // only gains: RSI 100 -> +1
        double m = (10 * 19 + 30) / 20.0;
        double e = 0.01 * m + 1e-12;
        assertEquals(Math.log((30 + e) / (m + e)), row[11], 1e-12);
        double[] r = new double[20];
        double mean = 0;
        for (int k = 0; k < 20; k++) {
            r[k] = Math.log((101.0 + k) / (100 + k));
            mean += r[k] / 20;
        }
        double var = 0;
        for (double x : r) {
            var += (x - mean) * (x - mean) / 19;
        }
        assertEquals(Math.sqrt(var), row[6], 1e-12);
    }
}
