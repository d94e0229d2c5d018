package io.distill4j.data.features;

import io.distill4j.data.DataConfig;
import io.distill4j.data.DataException;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The data of a cross-timeframe study: the student's bars ({@code data}) and the teacher's finer bars of the same
 * market ({@code teacher_data}), prepared so that the teacher never sees the student's future.
 *
 * <ol>
 *   <li>The student's data is prepared as usual (split by fractions, with its purge gap).</li>
 *   <li>The teacher's data is split at the student's cut times, the open times of the student's first validation
 *       and first test samples, with its own purge gap taken before each cut
 *       ({@link DatasetPreparer#prepareSplitAt}): the teacher trains only on bars before the student's validation
 *       period, and its labels end before it.</li>
 *   <li>Each student sample of a split gets the teacher sample of the same split that {@link TimeAlignment} aligns to
 *       it (inputs ending at or before the student bar's close, less than one student bar old). Student samples
 *       without one are dropped, for the distilled students and the student-alone baselines alike, and counted.</li>
 * </ol>
 *
 * The teacher's interval must divide the student's (equal is allowed: a teacher on the same bars, for comparison).
 * That both files are the same market is checked on the closes: at an aligned pair the fine bar closing with the
 * student's bar has the student bar's close, so a median relative difference above {@value #MAX_CLOSE_MISMATCH} is
 * an error, unless both sides name different markets ({@code data.asset}, {@code teacher_data.asset}): a cross-asset
 * teacher (e.g. trained on ETHUSDT, distilled into a BTCUSDT student), aligned on time in the same way.
 */
public final class CrossTimeframeData {
    /** The largest median relative difference of aligned closes accepted as one market. */
    static final double MAX_CLOSE_MISMATCH = 0.01;
    private static final List<String> SPLITS = List.of("train", "validation", "test");

    private final PreparedData student;
    private final PreparedData teacher;
    private final Map<String, SampleSplit> teacherInputs;
    private final Map<String, Integer> dropped;

    private CrossTimeframeData(PreparedData student, PreparedData teacher, Map<String, SampleSplit> teacherInputs,
            Map<String, Integer> dropped) {
        this.student = student;
        this.teacher = teacher;
        this.teacherInputs = teacherInputs;
        this.dropped = dropped;
    }

    /** Prepares the student's data ({@code studentConfig}) and the teacher's ({@code teacherConfig}), aligned. */
    public static CrossTimeframeData prepare(DataConfig studentConfig, DataConfig teacherConfig) {
        PreparedData coarse = DatasetPreparer.prepare(studentConfig);
        long coarseMs = coarse.description().intervalMs();
        PreparedData fine = DatasetPreparer.prepareSplitAt(teacherConfig, coarse.validation().timeMs()[0],
                coarse.test().timeMs()[0]);
        long fineMs = fine.description().intervalMs();
        if (fineMs <= 0 || fineMs > coarseMs || coarseMs % fineMs != 0) {
            throw new DataException("teacher_data " + fine.description().source() + " has " + minutes(fineMs)
                    + " bars and data " + coarse.description().source() + " has " + minutes(coarseMs)
                    + " bars; expected the teacher's bar interval to divide the student's (e.g. 1m teacher, 5m student)");
        }
        Map<String, SampleSplit> inputs = new LinkedHashMap<>();
        Map<String, SampleSplit> kept = new LinkedHashMap<>();
        Map<String, Integer> dropped = new LinkedHashMap<>();
        double[] mismatch = new double[0];
        for (String name : SPLITS) {
            SampleSplit s = coarse.split(name);
            SampleSplit f = fine.split(name);
            int[] aligned = TimeAlignment.alignAll(s.timeMs(), coarseMs, f.timeMs(), fineMs);
            int[] positions = java.util.stream.IntStream.range(0, aligned.length).filter(k -> aligned[k] >= 0)
                    .toArray();
            int[] teacherPositions = Arrays.stream(positions).map(k -> aligned[k]).toArray();
            kept.put(name, s.subset(positions));
            inputs.put(name, f.subset(teacherPositions));
            dropped.put(name, aligned.length - positions.length);
            mismatch = concat(mismatch, closeMismatch(coarse, s, positions, fine, f, teacherPositions));
        }
        for (String name : SPLITS) {
            if (kept.get(name).size() < (name.equals("train") ? 3 : 1)) {
                throw new DataException("teacher_data " + fine.description().source() + " and data "
                        + coarse.description().source() + ": only " + kept.get(name).size() + " " + name
                        + " sample(s) of the student have a teacher output aligned to them (" + dropped.get(name)
                        + " dropped); expected the two files to cover the same period (restrict both with "
                        + "source.start and source.end to their overlap)");
            }
        }
        Arrays.sort(mismatch);
        double median = mismatch[mismatch.length / 2];
        boolean crossAsset = crossAsset(studentConfig, teacherConfig);
        if (median > MAX_CLOSE_MISMATCH && !crossAsset) {
            throw new DataException("teacher_data " + fine.description().source() + " and data "
                    + coarse.description().source() + " do not look like the same market: the closes of aligned "
                    + "bars differ by " + String.format(java.util.Locale.ROOT, "%.1f%%", 100 * median)
                    + " (median); expected the same market at two bar intervals (or name two different markets with "
                    + "data.asset and teacher_data.asset for a cross-asset teacher)");
        }
        String kind = crossAsset ? "cross-asset: teacher on " + teacherConfig.asset() + " " : "cross-timeframe: "
                + "teacher on ";
        String student = crossAsset ? studentConfig.asset() + " " : "";
        String note = String.format(java.util.Locale.ROOT, kind + "%s bars of %s (%s to %s), "
                + "student on " + student + "%s bars; student samples with an aligned teacher output "
                + "train/validation/test = %d/%d/%d (dropped without one: %d/%d/%d)", minutes(fineMs),
                fine.description().source(),
                Instant.ofEpochMilli(fine.description().firstTimeMs()),
                Instant.ofEpochMilli(fine.description().lastTimeMs()), minutes(coarseMs), kept.get("train").size(),
                kept.get("validation").size(), kept.get("test").size(), dropped.get("train"),
                dropped.get("validation"), dropped.get("test"));
        return new CrossTimeframeData(coarse.withSplits(kept.get("train"), kept.get("validation"), kept.get("test"),
                note), fine, Map.copyOf(inputs), Map.copyOf(dropped));
    }

    /**
     * Whether the teacher's data is another market than the student's: both name their asset ({@code data.asset},
     * {@code teacher_data.asset}) and the names differ. Then the closes are not required to match.
     */
    public static boolean crossAsset(DataConfig student, DataConfig teacher) {
        return !student.asset().isEmpty() && !teacher.asset().isEmpty() && !student.asset().equals(teacher.asset());
    }

    /** The student's data: only the samples that have an aligned teacher output. */
    public PreparedData student() {
        return student;
    }

    /** The teacher's own data (its splits at the student's cut times): what the teacher trains and validates on. */
    public PreparedData teacher() {
        return teacher;
    }

    /**
     * The teacher samples aligned to the student's samples of split {@code name}, one per student sample in the same
     * order: the teacher's outputs on them are the student's targets.
     */
    public SampleSplit teacherInput(String name) {
        SampleSplit s = teacherInputs.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown split '" + name + "'");
        }
        return s;
    }

    /** Student samples dropped for want of an aligned teacher output, by split. */
    public Map<String, Integer> dropped() {
        return dropped;
    }

    /** |fine close / coarse close - 1| of every aligned pair. */
    private static double[] closeMismatch(PreparedData coarse, SampleSplit s, int[] positions, PreparedData fine,
            SampleSplit f, int[] finePositions) {
        int[] coarseBars = s.barIndices();
        int[] fineBars = f.barIndices();
        double[] out = new double[positions.length];
        for (int k = 0; k < positions.length; k++) {
            double c = coarse.series().close()[coarseBars[positions[k]]];
            out[k] = Math.abs(fine.series().close()[fineBars[finePositions[k]]] / c - 1);
        }
        return out;
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String minutes(long ms) {
        return ms % 60_000 == 0 ? ms / 60_000 + "m" : ms + " ms";
    }
}
