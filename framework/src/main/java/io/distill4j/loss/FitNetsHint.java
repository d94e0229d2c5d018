package io.distill4j.loss;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.HeadBuilder;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.config.ConfigNode;
import io.distill4j.plugin.AbstractPluginFactory;
import java.util.Arrays;
import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * A FitNets hint term (type {@code hint}; Romero et al., "FitNets: Hints for Thin Deep Nets", ICLR 2015): a student
 * layer (the guided layer) is projected by a trainable dense regressor {@code W_r} to the width of a teacher layer
 * (the hint layer), and the head's loss is {@code weight * 1/2 * ||W_r u + b - h||^2} per example (see
 * {@link HintLossFunction}). The regressor belongs to the head: it trains with the student, and the gradient reaches
 * the guided layer and everything below it, but it is not part of the deployable student. Unlike the paper's
 * two-stage training, the term trains jointly with the other heads, its {@code weight} balancing them (and
 * schedulable); the regressor is linear (identity activation).
 *
 * <pre>
 *   {type: hint, student_layer: hidden_0, teacher_layer: hidden_1, weight: 1, teacher: teacher}
 * </pre>
 *
 * {@code student_layer} names one of the student's {@link io.distill4j.api.Student#featureLayers()},
 * {@code teacher_layer} one of the teacher's {@link io.distill4j.api.Teacher#featureLayers()} (both checked at
 * validation); both must be feed-forward ({@code [n, width]}) activations, e.g. {@code mlp} layers.
 */
public final class FitNetsHint implements DistillationLoss {
    /** Config keys. */
    public static final String STUDENT_LAYER = "student_layer";
    public static final String TEACHER_LAYER = "teacher_layer";
    public static final String TEACHER = "teacher";

    private final String studentLayer;
    private final String teacherLayer;
    private final String teacherName;
    private final HintLossFunction function;

    public FitNetsHint(String studentLayer, String teacherLayer, double weight, String teacherName) {
        this.studentLayer = studentLayer;
        this.teacherLayer = teacherLayer;
        this.teacherName = teacherName;
        this.function = new HintLossFunction(weight);
    }

    @Override
    public String describe() {
        return "hint(" + studentLayer + "->" + teacherLayer
                + (function.weight() == 1 ? "" : ",weight=" + HintonKd.fmt(function.weight()))
                + (teacherName.equals(DEFAULT_TEACHER) ? "" : ",teacher=" + teacherName) + ")";
    }

    /** {@code hint_<student layer>}, so that several hints on one student have distinct heads. */
    @Override
    public String headName() {
        return "hint_" + studentLayer;
    }

    @Override
    public String inputVertex() {
        return studentLayer;
    }

    @Override
    public String teacherName() {
        return teacherName;
    }

    @Override
    public Map<String, String> teacherLayers() {
        return Map.of(TEACHER_LAYER, teacherLayer);
    }

    /** The regressor: one dense layer, identity activation, from the guided layer's width to the hint's. */
    @Override
    public String addHeadLayers(HeadBuilder head) {
        InputType in = head.inputType();
        if (!(in instanceof InputType.InputTypeFeedForward ff)) {
            throw new IllegalArgumentException("hint on '" + studentLayer + "': the student layer must be "
                    + "feed-forward ([n, width]), it is " + in);
        }
        return head.addLayer("projection", new DenseLayer.Builder().nIn(ff.getSize()).nOut(head.targetWidth())
                .activation(Activation.IDENTITY).build(), head.input());
    }

    @Override
    public ILossFunction lossFunction() {
        return function;
    }

    /** The teacher's hint-layer activations, {@code [n, width]}. */
    @Override
    public INDArray labels(INDArray hardLabels, TeacherOutputs teacher) {
        INDArray h = teacher.feature(teacherLayer);
        if (h.rank() != 2 || h.size(0) != hardLabels.size(0)) {
            throw new IllegalArgumentException("hint: teacher layer '" + teacherLayer + "' has activations "
                    + Arrays.toString(h.shape()) + ", expected [" + hardLabels.size(0) + ", width]");
        }
        return h.castTo(hardLabels.dataType());
    }

    @Override
    public Map<String, Double> parameters() {
        return Map.of(WEIGHT, function.weight());
    }

    @Override
    public void setParameter(String name, double value) {
        if (!name.equals(WEIGHT)) {
            throw new IllegalArgumentException("hint has no parameter '" + name + "'");
        }
        function.setWeight(value);
    }

    /** Factory for {@code type: hint}. */
    public static final class Factory extends AbstractPluginFactory<DistillationLoss> {
        public Factory() {
            super(DistillationLoss.class, "hint", s -> new FitNetsHint(s.string(STUDENT_LAYER),
                    s.string(TEACHER_LAYER), Weights.parse(s), s.string(TEACHER, DEFAULT_TEACHER)));
        }
    }
}
