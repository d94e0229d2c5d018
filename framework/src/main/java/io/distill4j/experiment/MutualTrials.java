package io.distill4j.experiment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distill4j.api.DistillationLoss;
import io.distill4j.api.InputKind;
import io.distill4j.api.Seeds;
import io.distill4j.api.Student;
import io.distill4j.api.TrainingObserver;
import io.distill4j.config.ConfigHash;
import io.distill4j.data.features.PreparedData;
import io.distill4j.data.features.SampleSplit;
import io.distill4j.distill.MutualLearning;
import io.distill4j.eval.ClassificationMetrics;
import io.distill4j.model.Networks;
import io.distill4j.train.TeacherCache;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs a {@link Trial.Role#MUTUAL} trial for the {@link TrialExecutor}: student {@code k} of a {@link Mutual}
 * cohort. The cohort is trained once per process, seed and config ({@link TrialContext#once}) by whichever of its
 * students' trials comes first; every student's trial then evaluates its own student, on validation and test, against
 * the labels, the study's (reference) teacher and its peers ({@code agreement.peers}: mean agreement with the others).
 */
final class MutualTrials {
    /** The test metric: mean top-1 agreement with the other students of the cohort. */
    static final String PEER_AGREEMENT = "agreement.peers";

    private MutualTrials() {
    }

    /** A trained cohort and whether it came from another student's trial of this process. */
    private record Cohort(MutualLearning.Result result, String trainedBy) {
    }

    static TrialResult run(TrialExecutor executor, Trial trial, TrialListener listener, long t0) {
        TrialContext context = executor.context();
        StudyConfig c = trial.config();
        PreparedData prepared = context.data(c);
        listener.dataReady(trial, prepared);
        TrialData data = new TrialData(prepared, context.scope());
        String teacherKey = executor.teacherCacheKey(c, c.primaryTeacher(), trial.seed());
        TeacherCache.Entry teacher = context.teacher(teacherKey).orElseThrow(() -> new IllegalStateException(
                "the reference teacher of " + trial.description() + " is not in the teacher cache (key " + teacherKey
                        + "): its teacher trial must run first"));
        Mutual mutual = trial.mutual();
        int k = mutual.student();
        DistillationLoss loss = c.newLosses().get(0);
        Map<String, String> params = new LinkedHashMap<>();
        params.put("trial.loss", loss.describe());
        params.put("trial.mutual.student", trial.memberLabel());
        List<String> peers = new ArrayList<>();
        for (int j = 1; j <= mutual.size(); j++) {
            if (j != k) {
                peers.add("m" + j + " " + mutual.member(trial.file(), j).describe());
            }
        }
        params.put("trial.mutual.peers", String.join(", ", peers));
        listener.described(trial, params, Map.of("distill4j.teacher_key", teacherKey));

        Cohort cohort = context.once(cohortKey(trial, prepared), () -> new Cohort(train(trial, c, mutual, loss, data),
                trial.id()));
        cohort.result().reports().get(k - 1).forEach(r -> listener.epochFinished(trial, r));
        ComputationGraph graph = cohort.result().graphs().get(k - 1);

        InputKind kind = c.student().inputKind();
        Map<String, Double> validation = metrics(cohort, k, data.split("validation"), kind, teacher, c);
        validation.putAll(TrialExecutor.trading(logits(graph, data.split("validation").input(kind)),
                data.split("validation"), prepared, c));
        Map<String, Double> test = Map.of();
        String predictions = "";
        Map<String, Double> facts = new LinkedHashMap<>();
        if (context.scope().includesTest()) {
            SampleSplit split = data.split("test");
            INDArray logits = logits(graph, split.input(kind));
            test = metrics(cohort, k, split, kind, teacher, c);
            test.putAll(TrialExecutor.trading(logits, split, prepared, c));
            predictions = TrialExecutor.predictionText(logits);
            facts.putAll(TrialExecutor.reliability(logits, split));
        }
        ComputationGraph deployable = Networks.deployable(graph);
        listener.studentTrained(trial, deployable);
        facts.put("mutual_student", (double) k);
        facts.put("cohort_trained_by_this_trial", cohort.trainedBy().equals(trial.id()) ? 1.0 : 0.0);
        facts.put("teacher_parameters", (double) teacher.parameterCount());
        facts.put("epochs_run", (double) cohort.result().reports().get(k - 1).size());
        facts.put(Summary.TRAIN_SECONDS, cohort.result().millis() / 1000.0); // the whole cohort's training
        return new TrialResult(trial, trial.id(), test, validation, deployable.numParams(),
                System.currentTimeMillis() - t0, null, null, facts, predictions);
    }

    /**
     * The key of a trial's cohort: the cohort's config (no member, no device), the seed, the data's content hash and
     * the pipeline version; the same for every student of the cohort.
     */
    static String cohortKey(Trial trial, PreparedData prepared) {
        ObjectNode id = trial.mutual().cohortTree(trial.resolved());
        id.remove("device");
        id.put("seed", trial.seed());
        id.put("data_sha256", prepared.description().sha256());
        id.put("pipeline_version", io.distill4j.api.PipelineVersion.CURRENT);
        return ConfigHash.of(id);
    }

    /**
     * The seed of student {@code k}'s initial weights: student 1 starts from its student-alone baseline's weights
     * ({@link TrialExecutor#initSeed}); every other student from its own seed, so that two students of the same
     * architecture differ.
     */
    static long memberSeed(int seed, int k) {
        return k == 1 ? Seeds.derive(seed, "student") : Seeds.derive(seed, "mutual.student=" + k);
    }

    private static MutualLearning.Result train(Trial trial, StudyConfig c, Mutual mutual, DistillationLoss loss,
            TrialData data) {
        InputKind kind = c.student().inputKind();
        List<MutualLearning.Member> members = new ArrayList<>();
        for (int j = 1; j <= mutual.size(); j++) {
            Student s = mutual.member(trial.file(), j);
            members.add(new MutualLearning.Member(s, memberSeed(trial.seed(), j)));
        }
        Map<String, Double> p = loss.parameters();
        SampleSplit train = data.split("train");
        SampleSplit validation = data.split("validation");
        List<TrainingObserver> quiet = Collections.nCopies(mutual.size(), report -> { });
        return MutualLearning.train(trial.description(), members, new MutualLearning.Loss(p.get("temperature"),
                p.get("alpha"), p.get(DistillationLoss.WEIGHT)), data.shape(), c.training(), train.input(kind),
                train.labelsOneHot(), validation.input(kind), validation.labelsOneHot(),
                TrialExecutor.shuffleSeed(trial), quiet, null);
    }

    /** Student k's metrics on a split: against the labels and the reference teacher, and its peer agreement. */
    private static Map<String, Double> metrics(Cohort cohort, int k, SampleSplit split, InputKind kind,
            TeacherCache.Entry teacher, StudyConfig c) {
        List<ComputationGraph> graphs = cohort.result().graphs();
        INDArray own = logits(graphs.get(k - 1), split.input(kind));
        Map<String, Double> m = TrialExecutor.evaluate(own, split, Map.of(c.primaryTeacher(),
                teacher.split(split.name())), c.primaryTeacher());
        double agreement = 0;
        for (int j = 0; j < graphs.size(); j++) {
            if (j != k - 1) {
                agreement += ClassificationMetrics.of(own, split.labels(), logits(graphs.get(j), split.input(kind)))
                        .agreement() / (graphs.size() - 1);
            }
        }
        m.put(PEER_AGREEMENT, agreement);
        return m;
    }

    private static INDArray logits(ComputationGraph graph, INDArray input) {
        synchronized (graph) { // a peer's trial may read the same graph
            graph.clear();
            INDArray out = graph.output(false, input)[0];
            graph.clear();
            return out;
        }
    }
}
