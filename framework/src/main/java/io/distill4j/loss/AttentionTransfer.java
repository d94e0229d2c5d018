package io.distill4j.loss;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.HeadBuilder;
import io.distill4j.plugin.AbstractPluginFactory;
import java.util.Arrays;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Attention transfer over time (type {@code attention}; Zagoruyko and Komodakis, ICLR 2017): the student's attention
 * map over the steps of a sequence layer matches the teacher's, see {@link AttentionTransferLossFunction} for the
 * formula. Both layers must have a time axis ({@code [n, channels, steps]}, e.g. an {@code lstm} layer below the last,
 * a {@code conv1d} layer) and the same number of steps; channel counts may differ, so there is no projection.
 *
 * <pre>
 *   {type: attention, student_layer: lstm_0, teacher_layer: lstm_0, weight: 1, p: 2, teacher: teacher}
 * </pre>
 */
public final class AttentionTransfer extends FeatureTerm {
    private final AttentionTransferLossFunction function;

    public AttentionTransfer(String studentLayer, String teacherLayer, String teacher, double weight, double p) {
        this(new Spec(studentLayer, teacherLayer, teacher, Projection.NONE, Pooling.NONE, 1),
                new AttentionTransferLossFunction(weight, p));
    }

    private AttentionTransfer(Spec spec, AttentionTransferLossFunction function) {
        super("attention", spec, Projection.NONE, function);
        this.function = function;
    }

    @Override
    protected String extra() {
        return function.p() == 2 ? "" : ",p=" + HintonKd.fmt(function.p());
    }

    /** The student layer flattened; it must be a sequence with as many steps as the teacher's map. */
    @Override
    public String addHeadLayers(HeadBuilder head) {
        InputType in = head.inputType();
        if (!(in instanceof InputType.InputTypeRecurrent rnn)) {
            throw new IllegalArgumentException("attention on '" + spec().studentLayer() + "': attention transfer "
                    + "needs a student layer with a time axis ([n, channels, steps]), it is " + in);
        }
        if (rnn.getTimeSeriesLength() != head.targetWidth()) {
            throw new IllegalArgumentException("attention on '" + spec().studentLayer() + "': the student layer has "
                    + rnn.getTimeSeriesLength() + " steps, the teacher's map " + head.targetWidth());
        }
        return super.addHeadLayers(head);
    }

    /** The teacher's normalised attention map {@code q_T}, {@code [n, steps]}. */
    @Override
    protected INDArray targets(INDArray h) {
        if (h.rank() != 3) {
            throw new IllegalArgumentException("attention: attention transfer needs a teacher layer with a time axis "
                    + "([n, channels, steps]); '" + spec().teacherLayer() + "' has activations "
                    + Arrays.toString(h.shape()));
        }
        double[][] flat = DoubleRows.of(h.reshape('c', h.size(0), h.size(1) * h.size(2)));
        return Nd4j.createFromArray(AttentionTransferLossFunction.attention(flat, (int) h.size(2), function.p()))
                .castTo(h.dataType());
    }

    /** Factory for {@code type: attention}. */
    public static final class Factory extends AbstractPluginFactory<DistillationLoss> {
        public Factory() {
            super(DistillationLoss.class, "attention", s -> new AttentionTransfer(s.string(STUDENT_LAYER),
                    s.string(TEACHER_LAYER), s.string(TEACHER, DEFAULT_TEACHER), Weights.parse(s),
                    s.number("p", 2, 1, 8)));
        }
    }
}
