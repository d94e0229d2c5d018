package io.distill4j.experiment;

import io.distill4j.data.features.PreparedData;
import io.distill4j.data.features.RollingWindows;
import io.distill4j.data.features.Standardiser;
import io.distill4j.train.GraphTrainer;
import io.distill4j.train.TeacherCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a walk-forward ({@link Rolling}) trial adds in the {@link TrialExecutor}: where its student starts (the previous
 * window's student of the same seed with {@code warm_start}, read from the teacher cache where every window's
 * distilled student is stored), the never-updated baseline's model (window 1's student), the re-standardisation that
 * lets that model read a later window as it was trained to, and the lineage recorded on every run and result.
 */
final class RollingTrials {
    /** Prefix of a rolling trial's lineage params ({@code trial.rolling.window}, ...). */
    static final String PARAM = "trial.rolling.";
    /** Prefix of a rolling trial's lineage facts ({@code rolling.window}, {@code rolling.train_from_bar}, ...). */
    static final String FACT = "rolling.";

    private RollingTrials() {
    }

    /**
     * The distilled trial whose trained student a rolling trial starts from or is: for a re-distilled student with
     * {@code warm_start}, the previous window's (none in window 1); for the never-updated baseline, window 1's;
     * {@code null} otherwise (from scratch, and every trial outside a rolling study).
     */
    static Trial source(Trial trial) {
        if (trial.role() != Trial.Role.DISTILLED || trial.window() < 0) {
            return null;
        }
        if (trial.neverUpdated()) {
            return distilledIn(trial, 0);
        }
        boolean warm = trial.config().rolling().orElseThrow().warmStart();
        return warm && trial.window() > 0 ? distilledIn(trial, trial.window() - 1) : null;
    }

    /** The re-distilled trial of window {@code k} with the same seed and cell as {@code trial}. */
    static Trial distilledIn(Trial trial, int k) {
        return new Trial(Trial.Role.DISTILLED, trial.cell().equals(Rolling.NEVER_UPDATED) ? "" : trial.cell(),
                trial.assignments(), trial.seed(), null, trial.file(), Rolling.windowTree(trial.resolved(), k, false));
    }

    /** Whether a trial's trained student is stored for later windows: every re-distilled student of a window. */
    static boolean stored(Trial trial) {
        return trial.role() == Trial.Role.DISTILLED && trial.window() >= 0 && !trial.neverUpdated();
    }

    /** The teacher cache key of a re-distilled window student: its trial id and the data's content hash. */
    static String cacheKey(Trial trial, PreparedData data) {
        return ChainStages.trainedStudentKey("rolling_student_trial", trial, data);
    }

    /** The trained (deployable) student of {@code source}, from its cache entry. */
    static ComputationGraph student(TrialContext context, Trial source, Trial trial) {
        PreparedData data = context.data(source.config());
        String key = cacheKey(source, data);
        TeacherCache.Entry entry = context.teacher(key).orElseThrow(() -> new IllegalStateException("the student of "
                + source.description() + " (where " + trial.description() + " starts) is not in the teacher cache "
                + "(key " + key + "): its window must run first"));
        try {
            return ModelSerializer.restoreComputationGraph(entry.folder().resolve("teacher.zip").toFile(), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + entry.folder().resolve("teacher.zip") + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * {@code input}, standardised by {@code from}, as {@code to} standardises the same raw features: the never-updated
     * student keeps the standardisation fitted on its own window's train part, as a deployed model would. Features
     * are dimension 1 of {@code [n, features]} and {@code [n, features, time]}.
     */
    static INDArray restandardised(INDArray input, Standardiser from, Standardiser to) {
        int d = from.mean().length;
        float[] scale = new float[d];
        float[] shift = new float[d];
        for (int j = 0; j < d; j++) {
            scale[j] = (float) (from.std()[j] / to.std()[j]);
            shift[j] = (float) ((from.mean()[j] - to.mean()[j]) / to.std()[j]);
        }
        long[] shape = input.shape();
        float[] x = input.castTo(DataType.FLOAT).dup('c').data().asFloat();
        long inner = shape.length == 3 ? shape[2] : 1;
        for (int i = 0; i < x.length; i++) {
            int j = (int) ((i / inner) % d);
            x[i] = x[i] * scale[j] + shift[j];
        }
        return Nd4j.create(x, shape, 'c').castTo(input.dataType());
    }

    /** The logits of a deployable student on {@code input}. */
    static INDArray logits(ComputationGraph deployable, INDArray input) {
        return GraphTrainer.logits(deployable, input).detach();
    }

    /**
     * The lineage of a rolling trial as params: its window ({@code w2 of 5}), the bar ranges and times of the
     * window's train part, validation part and test window, and where its student comes from.
     */
    static Map<String, String> params(Trial trial, PreparedData data, String teacherRun) {
        Map<String, String> p = new LinkedHashMap<>();
        Rolling rolling = trial.config().rolling().orElseThrow();
        RollingWindows.Window w = rolling.windows().window(trial.window());
        long[] time = data.series().timeMs();
        p.put(PARAM + "window", rolling.label());
        for (String part : new String[] {"train", "validation", "test"}) {
            int[] r = w.range(part);
            p.put(PARAM + part, "bars [" + r[0] + ", " + r[1] + ") " + Instant.ofEpochMilli(time[r[0]]) + " to "
                    + Instant.ofEpochMilli(time[r[1] - 1]) + ", " + data.split(part).size() + " samples");
        }
        if (teacherRun != null) {
            p.put(PARAM + "teacher", teacherRun);
        }
        if (trial.role() == Trial.Role.DISTILLED) {
            Trial source = source(trial);
            p.put(PARAM + (trial.neverUpdated() ? "student" : "start"), source == null ? "scratch"
                    : source.runName() + " (trial " + source.id() + ")");
        }
        return p;
    }

    /** The lineage of a rolling trial as facts: its window (0-based), bar ranges and their first and last times. */
    static Map<String, Double> facts(Trial trial, PreparedData data) {
        Map<String, Double> f = new LinkedHashMap<>();
        Rolling rolling = trial.config().rolling().orElseThrow();
        RollingWindows.Window w = rolling.windows().window(trial.window());
        long[] time = data.series().timeMs();
        f.put(FACT + "window", (double) trial.window());
        for (String part : new String[] {"train", "validation", "test"}) {
            int[] r = w.range(part);
            f.put(FACT + part + "_from_bar", (double) r[0]);
            f.put(FACT + part + "_to_bar", (double) r[1]);
            f.put(FACT + part + "_from_ms", (double) time[r[0]]);
            f.put(FACT + part + "_last_ms", (double) time[r[1] - 1]);
        }
        return f;
    }
}
