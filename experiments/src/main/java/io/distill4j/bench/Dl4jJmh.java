package io.distill4j.bench;

import io.distill4j.runtime.StudentModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** JMH: a DL4J model's inference time per sample on batches of 256 ({@code output(false, batch)}). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class Dl4jJmh {
    /** The DL4J model zip. */
    @Param({""})
    public String zip;
    /** A runtime model file whose standardiser and lookback shape the inputs. */
    @Param({""})
    public String reference;

    private ComputationGraph graph;
    private INDArray batch;

    /** Loads the model and one batch of inputs. */
    @Setup
    public void setup() throws IOException {
        StudentModel m = StudentModel.load(Path.of(reference));
        graph = ModelSerializer.restoreComputationGraph(Path.of(zip).toFile(), false);
        BenchData data = BenchData.of(m);
        boolean sequence = BenchData.readsSequences(graph, m.numFeatures());
        float[][] inputs = data.inputArray(RuntimeJmh.BATCH, sequence ? m.lookback() : 1);
        batch = BenchData.dl4jBatch(inputs, 0, RuntimeJmh.BATCH, m.numFeatures(), sequence);
    }

    /** One batch of 256 through DL4J. */
    @Benchmark
    @OperationsPerInvocation(RuntimeJmh.BATCH)
    public INDArray batch256() {
        return graph.output(false, batch)[0];
    }
}
