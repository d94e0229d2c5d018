package io.distill4j.sequence;

import io.distill4j.api.TeacherOutputs;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A split's samples as one run of consecutive bars, and that run cut into parallel streams.
 *
 * <p>A sequence split's input holds sample {@code k}'s window of the {@code L} bars ending at its bar
 * ({@code [n, F, L]}, NCW). When the samples are consecutive bars (window {@code k} is window {@code k - 1} moved on
 * by one bar, which is checked), the split is the run of {@code L - 1 + n} bars: the {@code L - 1} bars before the
 * first sample (warm-up, no label) and then one bar per sample. {@link #streams} cuts such a run into {@code S}
 * contiguous pieces of equal length {@code m = floor(M / S)} (the {@code M mod S} oldest bars are left out), stream
 * {@code s} holding bars {@code r + s m .. r + (s + 1) m - 1}, {@code r = M mod S}, so consecutive segments of one
 * stream are consecutive bars.
 */
public final class BarStreams {
    private BarStreams() {
    }

    /** The contiguous run {@code [1, F, L - 1 + n]} of a split's windows {@code [n, F, L]}. */
    public static INDArray run(INDArray windows) {
        if (windows.rank() != 3) {
            throw new IllegalArgumentException("expected windows [n, features, lookback], got "
                    + Arrays.toString(windows.shape()));
        }
        long n = windows.size(0);
        long l = windows.size(2);
        if (n > 1 && l > 1 && !windows.get(NDArrayIndex.interval(1, n), NDArrayIndex.all(), NDArrayIndex.interval(0,
                l - 1)).equalsWithEps(windows.get(NDArrayIndex.interval(0, n - 1), NDArrayIndex.all(),
                NDArrayIndex.interval(1, l)), 0)) {
            throw new IllegalStateException("the samples are not consecutive bars (window k is not window k - 1 moved"
                    + " on by one bar): a sequential student needs every bar of its split");
        }
        INDArray first = windows.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.interval(0, l - 1));
        INDArray last = windows.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(l - 1)); // [n, F]
        INDArray out = Nd4j.concat(1, first, last.transpose());
        return out.reshape(1, out.size(0), out.size(1)).dup('c');
    }

    /**
     * Per-bar labels of the run {@code [1, W, L - 1 + n]} from per-sample labels {@code [n, W]}: the warm-up bars get
     * zeros (masked by {@link #mask}).
     */
    public static INDArray labels(INDArray perSample, int lookback) {
        long n = perSample.size(0);
        INDArray out = Nd4j.zeros(perSample.dataType(), 1, perSample.size(1), lookback - 1 + n);
        out.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.interval(lookback - 1, lookback - 1 + n))
                .assign(perSample.transpose());
        return out;
    }

    /** The label mask {@code [1, L - 1 + n]} of a run: 0 on the warm-up bars, 1 on the samples. */
    public static INDArray mask(long n, int lookback) {
        INDArray out = Nd4j.ones(DataType.FLOAT, 1, lookback - 1 + n);
        if (lookback > 1) {
            out.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, lookback - 1)).assign(0);
        }
        return out;
    }

    /** A run {@code [1, W, M]} (or mask {@code [1, M]}) as {@code S} streams {@code [S, W, m]} ({@code [S, m]}). */
    public static INDArray streams(INDArray run, int s) {
        long total = run.size(run.rank() - 1);
        long m = total / s;
        if (m < 1) {
            throw new IllegalArgumentException("cannot cut " + total + " bars into " + s + " streams");
        }
        long r = total - m * s;
        if (run.rank() == 2) {
            return run.get(NDArrayIndex.point(0), NDArrayIndex.interval(r, total)).reshape('c', s, m).dup('c');
        }
        long w = run.size(1);
        INDArray tail = run.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.interval(r, total)).dup('c');
        // [W, S*m] -> [W, S, m] -> [S, W, m]
        return tail.reshape('c', w, s, m).permute(1, 0, 2).dup('c');
    }

    /** The primary teacher's outputs, or {@code null}: a convenience for labels of a teacher-free head. */
    static TeacherOutputs teacher(java.util.Map<String, TeacherOutputs> teachers, String name) {
        return name == null ? null : teachers.get(name);
    }
}
