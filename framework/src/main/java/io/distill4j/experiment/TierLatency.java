package io.distill4j.experiment;

import io.distill4j.eval.Stats;
import java.util.Arrays;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The single-sample latency of a tier of a routed family ({@link ChainRouter}), measured like {@code distill4j bench}
 * measures it: one {@code output} call on one sample (batch of 1), each call timed alone with
 * {@code System.nanoTime()} after untimed warm-up calls, on the trained DL4J graph. Facts
 * {@value RouterSummary#LATENCY_P50} and {@value RouterSummary#LATENCY_P99} (ns; the clock's own cost, tens of ns, is
 * left in). Measured, never asserted: it depends on the machine and on what else runs on it.
 */
final class TierLatency {
    /** Untimed calls first. */
    static final int WARMUP = 500;
    /** Timed calls. */
    static final int CALLS = 3000;
    private static final int DISTINCT_INPUTS = 256;

    private TierLatency() {
    }

    /** p50 and p99 of {@link #CALLS} single-sample calls of {@code graph} on rows of {@code inputs}. */
    static Map<String, Double> of(ComputationGraph graph, INDArray inputs) {
        int rows = (int) Math.min(DISTINCT_INPUTS, inputs.size(0));
        INDArray[] one = new INDArray[rows];
        for (int i = 0; i < rows; i++) {
            INDArrayIndex[] index = new INDArrayIndex[inputs.rank()];
            Arrays.fill(index, NDArrayIndex.all());
            index[0] = NDArrayIndex.interval(i, i + 1);
            one[i] = inputs.get(index).dup();
        }
        double keep = 0;
        for (int w = 0; w < WARMUP; w++) {
            keep += graph.outputSingle(false, one[w % rows]).getDouble(0);
        }
        double[] ns = new double[CALLS];
        for (int c = 0; c < CALLS; c++) {
            long t0 = System.nanoTime();
            INDArray out = graph.outputSingle(false, one[c % rows]);
            ns[c] = System.nanoTime() - t0;
            keep += out.getDouble(0);
        }
        Arrays.sort(ns);
        if (Double.isNaN(keep)) { // keeps the outputs used
            ns[0] = Double.NaN;
        }
        return Map.of(RouterSummary.LATENCY_P50, Stats.quantile(ns, 0.5), RouterSummary.LATENCY_P99,
                Stats.quantile(ns, 0.99));
    }
}
