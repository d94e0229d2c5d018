package io.distill4j.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.KlineSeries;
import io.distill4j.runtime.Predictor;
import io.distill4j.runtime.SignalStream;
import io.distill4j.runtime.StudentModel;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Predictor#predict} and {@link SignalStream#onBar} allocate nothing: measured per thread around a loop. */
class ZeroAllocationTest {
    private static final int CALLS = 50_000;

    @ParameterizedTest
    @ValueSource(strings = {"{type: mlp, hidden: [16, 8]}", "{type: lstm, hidden: [16]}",
        "{type: cnn1d, channels: [8], kernel: 3, pool: avg, hidden: [8]}"})
    void predictAndOnBarAllocateNothing(String yaml) {
        boolean sequence = DeployFixtures.sequence(yaml);
        StudentModel model = RuntimeExporter.export(DeployFixtures.student(yaml, 3), DeployFixtures.info(sequence));
        Predictor predictor = model.newPredictor();
        SignalStream stream = model.newSignalStream();
        float[] in = new float[model.inputSize()];
        for (int i = 0; i < in.length; i++) {
            in[i] = (i % 7) * 0.1f - 0.3f;
        }
        float[] out = new float[3];
        KlineSeries s = DeployFixtures.SERIES;
        for (int warm = 0; warm < 3; warm++) { // let the JIT compile both paths first
            loop(predictor, stream, in, out, s);
        }
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        loop(predictor, stream, in, out, s);
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        // 2 x CALLS calls: less than one byte per call means no call allocates (an array is at least 16 bytes)
        assertTrue(allocated < CALLS / 10, yaml + ": " + allocated + " bytes allocated over " + 2 * CALLS + " calls");
    }

    private static float loop(Predictor predictor, SignalStream stream, float[] in, float[] out, KlineSeries s) {
        float sum = 0;
        for (int k = 0; k < CALLS; k++) {
            sum += predictor.predict(in, out)[0];
            int i = k % s.size();
            if (i == 0) {
                stream.reset();
            }
            if (stream.onBar(s.timeMs()[i], s.open()[i], s.high()[i], s.low()[i], s.close()[i], s.volume()[i],
                    out)) {
                sum += out[1];
            }
        }
        return sum;
    }
}
