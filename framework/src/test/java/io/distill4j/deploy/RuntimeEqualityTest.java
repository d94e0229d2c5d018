package io.distill4j.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.InputKind;
import io.distill4j.data.features.SampleSplit;
import io.distill4j.runtime.Predictor;
import io.distill4j.runtime.SignalStream;
import io.distill4j.runtime.StudentModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The runtime answers as DL4J does, within 1e-5, on every sample of the test split of a gapped market: from the
 * split's standardised input ({@link Predictor}), and from the raw bars streamed one by one ({@link SignalStream}:
 * features, standardiser, window and network), for every kind of student the runtime supports.
 */
class RuntimeEqualityTest {
    private static final double TOLERANCE = 1e-5;

    @ParameterizedTest
    @ValueSource(strings = {
        "{type: mlp, hidden: [16, 8]}",
        "{type: mlp, hidden: [8], activation: tanh}",
        "{type: mlp, hidden: [8, 4], activation: leakyrelu}",
        "{type: mlp, hidden: [8], activation: elu}",
        "{type: mlp, hidden: [8], activation: gelu}",
        "{type: mlp, hidden: [8], activation: swish}",
        "{type: linear}",
        "{type: lstm, hidden: [16]}",
        "{type: lstm, hidden: [8, 6]}",
        "{type: cnn1d, channels: [8, 6], kernel: 3, pool: max, hidden: [8]}",
        "{type: cnn1d, channels: [5], kernel: 4, pool: avg}"})
    void runtimeEqualsDl4jOnTheWholeTestSplitFromInputsAndFromBars(String yaml) throws IOException {
        boolean sequence = DeployFixtures.sequence(yaml);
        ComputationGraph graph = DeployFixtures.student(yaml, 5);
        StudentModel model = roundTrip(RuntimeExporter.export(graph, DeployFixtures.info(sequence)));
        SampleSplit test = DeployFixtures.DATA.test();
        INDArray input = test.input(sequence ? InputKind.SEQUENCE : InputKind.TABULAR);
        INDArray expected = graph.output(false, input)[0];
        assertEquals(graph.numParams(), model.parameters(), "parameter count");

        Predictor predictor = model.newPredictor();
        float[] out = new float[3];
        double worst = 0;
        for (int k = 0; k < test.size(); k++) {
            predictor.predict(DeployFixtures.runtimeInput(input, k), out);
            for (int c = 0; c < 3; c++) {
                worst = Math.max(worst, Math.abs(out[c] - expected.getDouble(k, c)));
            }
        }
        assertTrue(worst <= TOLERANCE, yaml + ": largest difference from DL4J " + worst);

        Map<Integer, Integer> sampleOfBar = new HashMap<>();
        int[] bars = test.barIndices();
        for (int k = 0; k < bars.length; k++) {
            sampleOfBar.put(bars[k], k);
        }
        SignalStream stream = model.newSignalStream();
        var s = DeployFixtures.SERIES;
        int compared = 0;
        double worstStream = 0;
        for (int i = 0; i < s.size(); i++) {
            boolean answered = stream.onBar(s.timeMs()[i], s.open()[i], s.high()[i], s.low()[i], s.close()[i],
                    s.volume()[i], out);
            Integer k = sampleOfBar.get(i);
            if (k != null) {
                assertTrue(answered, "no signal at test sample bar " + i);
                compared++;
                for (int c = 0; c < 3; c++) {
                    worstStream = Math.max(worstStream, Math.abs(out[c] - expected.getDouble(k, c)));
                }
            }
        }
        assertEquals(test.size(), compared);
        assertTrue(worstStream <= TOLERANCE, yaml + ": streamed bars differ from DL4J by " + worstStream);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{type: lstm, hidden: [4]}", "{type: mlp, hidden: [4]}"})
    void noSignalBeforeEnoughBarsOfOneRunNorAcrossAGap(String yaml) throws IOException {
        boolean sequence = DeployFixtures.sequence(yaml);
        StudentModel model = RuntimeExporter.export(DeployFixtures.student(yaml, 1), DeployFixtures.info(sequence));
        SignalStream stream = model.newSignalStream();
        int need = 20 + (sequence ? DeployFixtures.LOOKBACK : 1); // bars before the first answer, counted by hand
        float[] out = new float[3];
        long t = 0;
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < need; i++) {
                boolean answered = stream.onBar(t, 100, 101 + i % 3, 99, 100 + (i % 5), 10 + i, out);
                assertEquals(i == need - 1, answered, "bar " + i + " of run " + round);
                t += DeployFixtures.INTERVAL;
            }
            t += DeployFixtures.INTERVAL; // a missing bar: the next bar starts a new run
        }
        assertFalse(stream.onBar(t + 1, 100, 101, 99, 100, 10, out), "a bar off the interval grid starts a new run");
    }

    static StudentModel roundTrip(StudentModel model) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        model.write(bytes);
        return StudentModel.read(new ByteArrayInputStream(bytes.toByteArray()));
    }
}
