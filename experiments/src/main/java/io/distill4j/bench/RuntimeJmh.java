package io.distill4j.bench;

import io.distill4j.api.KlineSeries;
import io.distill4j.runtime.Predictor;
import io.distill4j.runtime.SignalStream;
import io.distill4j.runtime.StudentModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** JMH: the runtime's average time per single-sample call, per bar, and per sample in batches of 256. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RuntimeJmh {
    /** Samples per batch in {@link #batch256}. */
    public static final int BATCH = 256;
    private static final int MASK = 4095;

    /** The runtime model file. */
    @Param({""})
    public String model;

    private Predictor predictor;
    private SignalStream stream;
    private float[][] inputs;
    private float[] out;
    private KlineSeries bars;
    private int i;
    private int bar;

    /** Loads the model and its inputs. */
    @Setup
    public void setup() throws IOException {
        StudentModel m = StudentModel.load(Path.of(model));
        BenchData data = BenchData.of(m);
        predictor = m.newPredictor();
        stream = m.newSignalStream();
        inputs = data.inputArray(MASK + 1);
        bars = data.bars();
        out = new float[m.numClasses()];
    }

    /** One single-sample prediction from standardised input. */
    @Benchmark
    public float predict() {
        i = (i + 1) & MASK;
        return predictor.predict(inputs[i], out)[0];
    }

    /** One bar: features, standardisation, window and network (no answer during a run's warm-up). */
    @Benchmark
    public float barToSignal() {
        int b = bar;
        bar = b + 1 == bars.size() ? 0 : b + 1;
        if (b == 0) {
            stream.reset();
        }
        return stream.onBar(bars.timeMs()[b], bars.open()[b], bars.high()[b], bars.low()[b], bars.close()[b],
                bars.volume()[b], out) ? out[0] : -1f;
    }

    /** 256 predictions in a loop: the runtime's batch throughput, per sample. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public float batch256() {
        float s = 0;
        for (int k = 0; k < BATCH; k++) {
            i = (i + 1) & MASK;
            s += predictor.predict(inputs[i], out)[0];
        }
        return s;
    }
}
