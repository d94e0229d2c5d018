package io.distill4j.experiment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distill4j.api.DistillationLoss;
import io.distill4j.api.FittedTeacher;
import io.distill4j.api.InputKind;
import io.distill4j.api.Student;
import io.distill4j.api.Teacher;
import io.distill4j.api.TeacherFitContext;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.config.ConfigHash;
import io.distill4j.data.features.PreparedData;
import io.distill4j.data.features.SampleSplit;
import io.distill4j.eval.ClassificationMetrics;
import io.distill4j.model.GraphTeacher;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a {@link Chain} stage trial adds to a distilled trial in the {@link TrialExecutor}: its teacher (the previous
 * stage's trained student, read from the teacher cache), the cache entry of its own student's outputs and
 * activations (so the next stage, and a feature head, read it like any teacher's), and its test metrics against both
 * its own teacher and the study's original teacher.
 */
final class ChainStages {
    /** Suffix of the metrics against the study's original teacher, e.g. {@code agreement.original}. */
    static final String ORIGINAL = ".original";
    /** Suffix of the retention metrics against the stage's own teacher, e.g. {@code retention_accuracy.own}. */
    static final String OWN = ".own";
    /** The test metric: the stage's main loss (as configured for the stage, its last epoch's parameters). */
    static final String DISTILLATION_LOSS = "distillation_loss";

    private ChainStages() {
    }

    /** The trial of the stage before {@code trial}'s, or {@code null} for stage 1 and for any other trial. */
    static Trial previous(Trial trial) {
        if (trial.role() != Trial.Role.CHAIN_STAGE) {
            return null;
        }
        int stage = trial.chain().stage();
        return stage <= 1 ? null : trial.chainStage(stage - 1);
    }

    /**
     * The teacher cache key of a stage's trained student: the stage trial's id (its resolved config, the whole chain
     * up to and including the stage, its seed and the pipeline version) and the data's content hash.
     */
    static String cacheKey(Trial stage, PreparedData data) {
        return trainedStudentKey("chain_stage_trial", stage, data);
    }

    /**
     * The teacher cache key of a trained student that later trials read (a chain stage's, a walk-forward window's):
     * {@code kind} naming the use, the trial's id and the data's content hash.
     */
    static String trainedStudentKey(String kind, Trial trial, PreparedData data) {
        ObjectNode id = trial.resolved().objectNode();
        id.put(kind, trial.id());
        id.put("data_sha256", data.description().sha256());
        return ConfigHash.of(id);
    }

    /** A trained stage student as a teacher for the cache: its fit returns the trained graph. */
    static Teacher asTeacher(Trial trial, Student student, ComputationGraph deployable) {
        return new StageTeacher(student, student.describe() + " (chain " + trial.stageLabel() + ", seed "
                + trial.seed() + ")", deployable);
    }

    /**
     * A chain stage's student as the next stage's teacher: its layers are the student's; its fit returns the trained
     * graph ({@code null} when only its layers are needed, at validation).
     */
    record StageTeacher(Student student, String description, ComputationGraph trained) implements Teacher {
        @Override
        public String describe() {
            return description;
        }

        @Override
        public InputKind inputKind() {
            return student.inputKind();
        }

        @Override
        public FittedTeacher fit(TeacherFitContext context) {
            if (trained == null) {
                throw new IllegalStateException(description + " is trained as its own stage, not as a teacher");
            }
            return new GraphTeacher(trained, student.inputKind(), student.featureLayers());
        }

        @Override
        public List<String> featureLayers() {
            return student.featureLayers();
        }

        @Override
        public int epochBudget() {
            return 0;
        }
    }

    /**
     * A stage's extra test metrics: agreement, KL and retention (accuracy and macro-F1) against the original teacher
     * ({@value #ORIGINAL} suffix), retention against its own teacher ({@value #OWN}; agreement and KL against it
     * are the trial's plain {@code agreement} and {@code kl_teacher}), and its main loss on the split.
     */
    static Map<String, Double> metrics(INDArray logits, SampleSplit split, TeacherOutputs own, TeacherOutputs original,
            DistillationLoss loss) {
        Map<String, Double> m = new LinkedHashMap<>();
        ClassificationMetrics student = ClassificationMetrics.of(logits, split.labels(), original.logits());
        ClassificationMetrics ownTeacher = ClassificationMetrics.of(own.logits(), split.labels(), null);
        ClassificationMetrics originalTeacher = ClassificationMetrics.of(original.logits(), split.labels(), null);
        m.put("agreement" + ORIGINAL, student.agreement());
        m.put("kl_teacher" + ORIGINAL, student.klTeacher());
        m.put("retention_accuracy" + ORIGINAL, student.accuracy() / originalTeacher.accuracy());
        m.put("retention_macro_f1" + ORIGINAL, student.macroF1() / originalTeacher.macroF1());
        m.put("retention_accuracy" + OWN, student.accuracy() / ownTeacher.accuracy());
        m.put("retention_macro_f1" + OWN, student.macroF1() / ownTeacher.macroF1());
        INDArray labels = loss.labels(split.labelsOneHot(), own);
        m.put(DISTILLATION_LOSS, loss.lossFunction().computeScore(labels, logits.dup(), new ActivationIdentity(), null,
                true));
        return m;
    }
}
