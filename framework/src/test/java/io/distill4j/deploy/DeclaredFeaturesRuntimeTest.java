package io.distill4j.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.InputKind;
import io.distill4j.api.KlineSeries;
import io.distill4j.data.DataConfig;
import io.distill4j.data.features.DatasetPreparer;
import io.distill4j.data.features.PreparedData;
import io.distill4j.data.features.SampleSplit;
import io.distill4j.runtime.FeatureSet;
import io.distill4j.runtime.FeatureSpec;
import io.distill4j.runtime.SignalStream;
import io.distill4j.runtime.StudentModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A student trained on a declared feature set (indicators and an extra column) is exported with that set: the
 * {@code .d4jr} file names it, and the runtime's {@link SignalStream}, fed the raw bars and the column one by one,
 * computes the declared features itself and answers as DL4J does on every sample of the test split, on a market
 * with gaps, a flat volume-less stretch and zero-volume bars.
 */
class DeclaredFeaturesRuntimeTest {
    private static final FeatureSet SET = FeatureSet.of(List.of(FeatureSpec.indicator("return", 4),
            FeatureSpec.indicator("volatility", 30), FeatureSpec.indicator("rsi", 9), FeatureSpec.indicator("range", 0),
            FeatureSpec.indicator("volume_ratio", 7), FeatureSpec.indicator("vwap_distance", 12),
            FeatureSpec.indicator("ma_distance", 40), FeatureSpec.column("funding_rate")));

    /** An extra column with a value per bar (as a funding rate would be). */
    private static double[] funding(KlineSeries s) {
        double[] f = new double[s.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = 1e-4 * Math.sin(i / 17.0) + 2e-5 * (i % 3);
        }
        return f;
    }

    @Test
    void theExportedStudentComputesTheDeclaredFeaturesFromBarsAsTheBatchPipelineDid() throws IOException {
        KlineSeries s = DeployFixtures.SERIES;
        double[] funding = funding(s);
        DataConfig config = new DataConfig(new DataConfig.CsvSource(Path.of("declared.csv")), DeployFixtures.LOOKBACK,
                6, OptionalDouble.empty(), new DataConfig.Split(0.6, 0.2, 0.2, OptionalInt.empty()),
                DataConfig.Target.CLASSES, SET);
        streamedEqualsBatch(s, new double[][] {funding}, config, "39"); // ma_distance(40): 39 earlier bars
    }

    /**
     * Another asset's bars (a different market, with bars missing where the study's bars have none and elsewhere)
     * feed cross-asset indicators; the runtime takes them bar by bar beside the study's own bar.
     */
    @Test
    void crossAssetFeaturesStreamAsTheyWereComputedInBatchAcrossTheOtherAssetsGaps() throws IOException {
        KlineSeries s = DeployFixtures.SERIES;
        KlineSeries full = io.distill4j.data.synthetic.SyntheticMarket.generate(
                new io.distill4j.data.synthetic.SyntheticConfig(3000, 99, DeployFixtures.INTERVAL)).series();
        java.util.List<Integer> keep = new java.util.ArrayList<>();
        for (int i = 0; i < full.size(); i++) {
            if (!(i >= 1500 && i < 1504) && i != 2700 && i != 2701) { // ETH gaps, one inside the test split
                keep.add(i);
            }
        }
        long[] t = keep.stream().mapToLong(i -> full.timeMs()[i]).toArray();
        KlineSeries eth = new KlineSeries("eth", t, pick(full.open(), keep), pick(full.high(), keep), pick(full.low(), keep),
                pick(full.close(), keep), pick(full.volume(), keep), pick(full.turnover(), keep));
        FeatureSet set = FeatureSet.of(List.of(FeatureSpec.indicator("return", 3),
                FeatureSpec.indicator("return", 3, "ETHUSDT"), FeatureSpec.indicator("volatility", 10, "ETHUSDT"),
                FeatureSpec.indicator("rsi", 5, "ETHUSDT"), FeatureSpec.indicator("vwap_distance", 8, "ETHUSDT"),
                FeatureSpec.indicator("range", 0)));
        assertEquals(List.of("ETHUSDT.open", "ETHUSDT.high", "ETHUSDT.low", "ETHUSDT.close", "ETHUSDT.volume"),
                set.inputs());
        var aligned = io.distill4j.data.features.AssetAlignment.of(s, List.of("ETHUSDT"), List.of(eth));
        assertEquals(6, aligned.missing()[0], "4 + 2 ETH bars missing; the study's own gaps are not ETH's");
        DataConfig config = new DataConfig(new DataConfig.CsvSource(Path.of("btc.csv")), DeployFixtures.LOOKBACK, 6,
                OptionalDouble.empty(), new DataConfig.Split(0.6, 0.2, 0.2, OptionalInt.empty()),
                DataConfig.Target.CLASSES, set, Map.of("ETHUSDT", Path.of("eth.csv")));
        streamedEqualsBatch(s, aligned.inputs(), config, "10");
    }

    private static double[] pick(double[] a, List<Integer> keep) {
        return keep.stream().mapToDouble(i -> a[i]).toArray();
    }

    private static void streamedEqualsBatch(KlineSeries s, double[][] inputs, DataConfig config, String warmup)
            throws IOException {
        FeatureSet set = config.features();
        PreparedData data = DatasetPreparer.prepare(s, inputs, config);
        for (String yaml : List.of("{type: mlp, hidden: [8]}", "{type: lstm, hidden: [6]}")) {
            boolean sequence = DeployFixtures.sequence(yaml);
            ComputationGraph graph = DeployFixtures.student(yaml, 3, set.names().size());
            ExportInfo info = ExportInfo.of(sequence, DeployFixtures.LOOKBACK, DeployFixtures.INTERVAL,
                    data.standardiser(), Map.of("study", "declared"), data.featureSet());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            info.write(bytes);
            assertEquals(info.features(), ExportInfo.read(new ByteArrayInputStream(bytes.toByteArray())).features());
            StudentModel model = RuntimeEqualityTest.roundTrip(RuntimeExporter.export(graph, info));
            assertEquals(set, model.featureSet());
            assertEquals(set.names(), model.featureNames());
            assertEquals(set.canonical(), model.metadata().get("feature_set"));
            assertEquals(warmup, model.metadata().get("feature.warmup_bars"));

            SampleSplit test = data.test();
            INDArray expected = graph.output(false, test.input(sequence ? InputKind.SEQUENCE : InputKind.TABULAR))[0];
            Map<Integer, Integer> sampleOfBar = new HashMap<>();
            for (int k = 0; k < test.size(); k++) {
                sampleOfBar.put(test.barIndices()[k], k);
            }
            SignalStream stream = model.newSignalStream();
            float[] out = new float[3];
            double[] column = new double[inputs.length];
            int compared = 0;
            double worst = 0;
            for (int i = 0; i < s.size(); i++) {
                for (int c = 0; c < column.length; c++) {
                    column[c] = inputs[c][i];
                }
                boolean answered = stream.onBar(s.timeMs()[i], s.open()[i], s.high()[i], s.low()[i], s.close()[i],
                        s.volume()[i], column, out);
                Integer k = sampleOfBar.get(i);
                if (k != null) {
                    assertTrue(answered, yaml + ": no signal at test sample bar " + i);
                    compared++;
                    for (int c = 0; c < 3; c++) {
                        worst = Math.max(worst, Math.abs(out[c] - expected.getDouble(k, c)));
                    }
                }
            }
            assertEquals(test.size(), compared);
            assertTrue(worst <= 1e-5, yaml + ": streamed bars differ from DL4J by " + worst);
            assertTrue(assertThrows(IllegalStateException.class, () -> model.newSignalStream().onBar(0, 1, 1, 1, 1, 1,
                    out)).getMessage().contains(set.inputs().toString()));
        }
    }
}
