package io.distill4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.distill4j.api.InputShape;
import io.distill4j.api.PipelineVersion;
import io.distill4j.api.TeacherFitContext;
import io.distill4j.api.TrainingObserver;
import io.distill4j.data.DataConfig;
import io.distill4j.data.features.DatasetPreparer;
import io.distill4j.data.features.PreparedData;
import io.distill4j.data.features.SampleSplit;
import io.distill4j.distill.StudentDistiller;
import io.distill4j.loss.HardLabelCrossEntropy;
import io.distill4j.loss.HintonKd;
import io.distill4j.model.AttentionNetwork;
import io.distill4j.model.MlpNetwork;
import io.distill4j.model.NetworkTeacher;
import io.distill4j.model.Networks;
import io.distill4j.schedule.Schedules;
import io.distill4j.train.TrainingSettings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Guards {@link PipelineVersion}: fingerprints what the pipeline makes of a small synthetic market (features,
 * windows, labels, forward returns, splits, threshold, standardisation) and of a tiny deterministic training run (an
 * MLP teacher, a distilled MLP student with a temperature schedule and early stopping, an attention body's output),
 * and fails when that output changed while {@link PipelineVersion#CURRENT} did not.
 *
 * <p>Data values are compared to 6 significant digits, training results through a few averages to 3, so that the
 * fingerprint does not depend on the last bits of a machine's floating-point kernels.
 */
class PipelineVersionTest {
    /** The fingerprint recorded for each pipeline version. */
    private static final Map<Integer, String> GOLDEN = Map.of(
            1, "data:4a13064ac35dba46 training:6f7b436890a7093f",
            2, "data:cf1ca0bf11f4a97e training:7b425014e4b653c1",
            3, "data:34dadcd05007ca33 training:5a28c03abb9a2d91");

    @Test
    void theOutputOfThePipelineMatchesItsVersion() throws Exception {
        PreparedData d = DatasetPreparer.prepare(new DataConfig(new DataConfig.SyntheticSource(1500, 5, "5m"), 8, 4,
                OptionalDouble.empty(), new DataConfig.Split(0.6, 0.2, 0.2, OptionalInt.empty())));
        String fingerprint = "data:" + sha(data(d)) + " training:" + sha(training(d));
        String recorded = GOLDEN.get(PipelineVersion.CURRENT);
        if (recorded == null) {
            fail("no fingerprint recorded for PipelineVersion.CURRENT = " + PipelineVersion.CURRENT
                    + "; record \"" + fingerprint + "\" in PipelineVersionTest.GOLDEN");
        }
        if (!recorded.equals(fingerprint)) {
            fail("the pipeline's output changed (fingerprint " + fingerprint + ", recorded for version "
                    + PipelineVersion.CURRENT + ": " + recorded + "). If the change is intended, bump "
                    + "PipelineVersion.CURRENT to " + (PipelineVersion.CURRENT + 1) + " (so that cached teachers and "
                    + "finished trials made by the older code are not reused) and record \"" + fingerprint
                    + "\" for it in PipelineVersionTest.GOLDEN");
        }
        assertEquals(recorded, fingerprint);
    }

    private static String data(PreparedData d) {
        StringBuilder b = new StringBuilder();
        b.append(num(d.labelThreshold())).append(d.gapBars()).append('\n');
        for (double v : d.standardiser().mean()) {
            b.append(num(v)).append(',');
        }
        for (double v : d.standardiser().std()) {
            b.append(num(v)).append(',');
        }
        for (SampleSplit s : List.of(d.train(), d.validation(), d.test())) {
            b.append('\n').append(s.name()).append(java.util.Arrays.toString(s.barIndices()))
                    .append(java.util.Arrays.toString(s.labels()));
            for (double r : s.forwardReturns()) {
                b.append(num(r)).append(',');
            }
            for (float v : s.features().data().asFloat()) {
                b.append(num(v)).append(',');
            }
            for (float v : s.windows().dup('c').data().asFloat()) {
                b.append(num(v)).append(',');
            }
        }
        return b.toString();
    }

    private static String training(PreparedData d) {
        InputShape shape = new InputShape(d.featureNames().size(), d.lookback(), d.numClasses());
        TeacherFitContext ctx = new TeacherFitContext(shape, d.train(), d.train().labelsOneHot(), d.validation(),
                d.validation().labelsOneHot(), d.series(), 1, TrainingObserver.NONE);
        var teacher = new NetworkTeacher(new MlpNetwork(List.of(8), "relu", 0),
                new TrainingSettings(3, 64, 1e-2, 1e-4, 1)).fit(ctx);
        StringBuilder b = new StringBuilder("teacher ").append(means(teacher.infer(d.test()).logits()));

        HintonKd kd = new HintonKd(2, 0.5);
        var train = new StudentDistiller.SplitData(d.train().features(), d.train().labelsOneHot(),
                Map.of("teacher", teacher.infer(d.train())));
        var validation = new StudentDistiller.SplitData(d.validation().features(), d.validation().labelsOneHot(),
                Map.of("teacher", teacher.infer(d.validation())));
        StringBuilder epochs = new StringBuilder();
        var student = StudentDistiller.train("student", new MlpNetwork(List.of(4), "relu", 0), List.of(kd),
                List.of(new StudentDistiller.ScheduledParameter(kd, HintonKd.TEMPERATURE,
                        new Schedules.Linear(null, 1.0))), shape, new TrainingSettings(4, 64, 1e-2, 0, 1), train,
                validation, 2, 3, r -> epochs.append(num3(r.trainLoss())).append('/')
                        .append(num3(r.validationLoss())).append(' '));
        b.append("\nstudent ").append(epochs).append(student.outcome().epochsRun()).append(' ')
                .append(student.outcome().bestEpoch()).append(' ')
                .append(means(student.logits(d.test().features())));

        ComputationGraph attention = Networks.build(new AttentionNetwork(4, 1, 4, List.of(), 0),
                List.of(new HardLabelCrossEntropy()), shape, new TrainingSettings(1, 64, 1e-3, 0, 0), 4);
        b.append("\nattention ").append(means(attention.feedForward(d.test().windows(), false).get("logits")));
        return b.toString();
    }

    /** Per-class mean logits and the share of argmax per class, to 3 significant digits. */
    private static String means(INDArray logits) {
        INDArray mean = logits.mean(0);
        int[] argmax = logits.argMax(1).toIntVector();
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < mean.length(); k++) {
            int count = 0;
            for (int a : argmax) {
                count += a == k ? 1 : 0;
            }
            b.append(num3(mean.getDouble(k))).append(':').append(num3((double) count / argmax.length)).append(' ');
        }
        return b.toString();
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    private static String num3(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private static String sha(String text) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest).substring(0, 16);
    }
}
