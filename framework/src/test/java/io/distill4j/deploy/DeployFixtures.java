package io.distill4j.deploy;

import io.distill4j.api.InputKind;
import io.distill4j.api.InputShape;
import io.distill4j.api.KlineSeries;
import io.distill4j.api.Student;
import io.distill4j.data.DataConfig;
import io.distill4j.data.features.DatasetPreparer;
import io.distill4j.data.features.PreparedData;
import io.distill4j.data.synthetic.SyntheticConfig;
import io.distill4j.data.synthetic.SyntheticMarket;
import io.distill4j.loss.HardLabelCrossEntropy;
import io.distill4j.model.Networks;
import io.distill4j.config.ConfigNode;
import io.distill4j.config.StudyFileReader;
import io.distill4j.plugin.Plugins;
import io.distill4j.train.TrainingSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A small synthetic market with gaps, flat stretches and zero-volume bars, and students built on it. */
final class DeployFixtures {
    static final long INTERVAL = 300_000L;
    static final int LOOKBACK = 12;
    /** Bars removed (gaps), some inside the test split, and the flat / zero-volume stretches. */
    static final KlineSeries SERIES = gapped();
    static final PreparedData DATA = DatasetPreparer.prepare(SERIES, new DataConfig(
            new DataConfig.SyntheticSource(SERIES.size(), 7, "5m"), LOOKBACK, 6, OptionalDouble.empty(),
            new DataConfig.Split(0.6, 0.2, 0.2, OptionalInt.empty())));

    private DeployFixtures() {
    }

    private static KlineSeries gapped() {
        KlineSeries s = SyntheticMarket.generate(new SyntheticConfig(3000, 11, INTERVAL)).series();
        int n = s.size();
        double[] close = s.close().clone();
        double[] high = s.high().clone();
        double[] low = s.low().clone();
        double[] volume = s.volume().clone();
        for (int i = 700; i < 730; i++) { // a flat, volume-less stretch: RSI 50, volatility 0, VWAP's plain mean
            close[i] = close[699];
            high[i] = close[699];
            low[i] = close[699];
            volume[i] = 0;
        }
        for (int i = 2650; i < 2656; i++) { // zero volume inside the test split
            volume[i] = 0;
        }
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean dropped = (i >= 1200 && i < 1203) || i == 2500 || (i >= 2800 && i < 2805) || i == 2870;
            if (!dropped) {
                keep.add(i);
            }
        }
        int m = keep.size();
        long[] t = new long[m];
        double[][] cols = new double[6][m];
        double[][] src = {s.open(), high, low, close, volume, s.turnover()};
        for (int k = 0; k < m; k++) {
            int i = keep.get(k);
            t[k] = s.timeMs()[i];
            for (int c = 0; c < 6; c++) {
                cols[c][k] = src[c][i];
            }
        }
        return new KlineSeries("synthetic gapped", t, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5]);
    }

    /** A deployable student of {@code yaml}'s type with every parameter random (biases too), seeded. */
    static ComputationGraph student(String yaml, long seed) {
        return student(yaml, seed, 12);
    }

    /** A deployable student of {@code yaml}'s type reading {@code features} features, every parameter random. */
    static ComputationGraph student(String yaml, long seed, int features) {
        Student student = Plugins.create(Student.class, section(yaml));
        InputShape shape = new InputShape(features, LOOKBACK, 3);
        ComputationGraph graph = Networks.build(student, List.of(new HardLabelCrossEntropy()), shape,
                new TrainingSettings(1, 32, 0.01, 0, 0), seed);
        Random r = new Random(seed);
        INDArray p = graph.params();
        float[] v = new float[(int) p.length()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * 0.4);
        }
        graph.setParams(Nd4j.create(v, new long[] {1, v.length}));
        return Networks.deployable(graph);
    }

    static ConfigNode section(String yaml) {
        return ConfigNode.root("student.yaml", StudyFileReader.parse("student.yaml", yaml));
    }

    static boolean sequence(String yaml) {
        return Plugins.create(Student.class, section(yaml)).inputKind() == InputKind.SEQUENCE;
    }

    static ExportInfo info(boolean sequence) {
        return ExportInfo.of(sequence, LOOKBACK, INTERVAL, DATA.standardiser(),
                Map.of("study", "fixture", "trial_id", "000000000000", "config_hash", "none"));
    }

    /** Sample {@code k} of a split's input as the runtime reads it: a row, or the window time-major. */
    static float[] runtimeInput(INDArray input, int k) {
        if (input.rank() == 2) {
            return input.getRow(k).dup().toFloatVector();
        }
        int f = (int) input.size(1);
        int l = (int) input.size(2);
        float[] out = new float[f * l];
        for (int t = 0; t < l; t++) {
            for (int j = 0; j < f; j++) {
                out[t * f + j] = input.getFloat(k, j, t);
            }
        }
        return out;
    }
}
