package io.distill4j.loss;

import com.fasterxml.jackson.databind.JsonNode;
import io.distill4j.api.DistillationLoss;
import io.distill4j.api.HeadBuilder;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.config.ConfigNode;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * A feature-distillation term: a loss head that reads a student layer ({@code student_layer}), optionally through a
 * trainable projection head, and compares it with a teacher layer ({@code teacher_layer}, from the teacher cache). Its
 * {@code weight} is the term's gamma in {@code L = hinton(alpha, T) + sum_j gamma_j * feature_j}. The shared keys:
 *
 * <pre>
 *   {type: hint, student_layer: hidden_0, teacher_layer: hidden_1, weight: 1, teacher: teacher,
 *    projection: linear, teacher_pooling: none, bins: 4}
 * </pre>
 *
 * <ul>
 *   <li>{@code projection}: {@code none} (the student layer as it is), {@code linear} (a dense layer to the teacher
 *       layer's width), {@code mlp} (dense ReLU of the larger of both widths, then linear) for vector layers
 *       {@code [n, width]}; {@code conv}, a 1x1 convolution over time to the teacher's channels, for sequence layers
 *       {@code [n, channels, steps]} (a sequence layer is then compared flattened, channel-major). The projection
 *       belongs to the head: it trains with the student and never reaches the deployable model.</li>
 *   <li>{@code teacher_pooling}, the cross-architecture adaptor when a sequence teacher layer meets a vector student
 *       layer: {@code last} (the last step), {@code mean} (mean over time), or {@code adaptive} (adaptive average
 *       pooling into {@code bins} equal spans of time, flattened channel-major to {@code [n, channels * bins]}, which
 *       the student's projection maps to); {@code none} compares a sequence teacher layer flattened.</li>
 * </ul>
 */
public abstract class FeatureTerm implements DistillationLoss {
    /** Config keys. */
    public static final String STUDENT_LAYER = "student_layer";
    public static final String TEACHER_LAYER = "teacher_layer";
    public static final String TEACHER = "teacher";
    public static final String PROJECTION = "projection";
    public static final String TEACHER_POOLING = "teacher_pooling";
    public static final String BINS = "bins";
    /** The relation group size of a batch-level term ({@code similarity}, {@code rkd}, {@code crd}). */
    public static final String GROUP_SIZE = "group_size";
    /** The largest {@code group_size}. */
    public static final int MAX_GROUP_SIZE = 1_000_000;

    /** How the head maps the student layer before the loss. */
    public enum Projection { NONE, LINEAR, MLP, CONV }

    /** How a sequence teacher layer {@code [n, channels, steps]} becomes the head's labels. */
    public enum Pooling { NONE, LAST, MEAN, ADAPTIVE }

    /** The layers a term compares and how: the keys every feature term shares. */
    public record Spec(String studentLayer, String teacherLayer, String teacher, Projection projection,
            Pooling pooling, int bins) {
        /** A term between two layers of a single teacher, no pooling. */
        public static Spec of(String studentLayer, String teacherLayer, Projection projection) {
            return new Spec(studentLayer, teacherLayer, DEFAULT_TEACHER, projection, Pooling.NONE, 1);
        }

        /** Reads the shared keys; {@code projections} are those the term allows, the first is the default. */
        public static Spec parse(ConfigNode s, List<Projection> projections) {
            List<String> names = projections.stream().map(p -> p.name().toLowerCase(Locale.ROOT)).toList();
            Projection projection = Projection.valueOf(s.choice(PROJECTION, names.get(0), names)
                    .toUpperCase(Locale.ROOT));
            Pooling pooling = Pooling.valueOf(s.choice(TEACHER_POOLING, "none",
                    List.of("none", "last", "mean", "adaptive")).toUpperCase(Locale.ROOT));
            int bins = pooling == Pooling.ADAPTIVE ? s.integer(BINS, 4, 1, 1024) : 1;
            return new Spec(s.string(STUDENT_LAYER), s.string(TEACHER_LAYER), s.string(TEACHER, DEFAULT_TEACHER),
                    projection, pooling, bins);
        }
    }

    private final String type;
    private final Spec spec;
    private final Projection defaultProjection;
    private final WeightedLossFunction function;

    /**
     * @param type the term's {@code type} name, also its head name's prefix
     * @param defaultProjection the projection when the config names none (left out of {@link #describe()})
     * @param function the term's live loss function
     */
    protected FeatureTerm(String type, Spec spec, Projection defaultProjection, WeightedLossFunction function) {
        this.type = type;
        this.spec = spec;
        this.defaultProjection = defaultProjection;
        this.function = function;
    }

    /** The term's live loss function, with its weight. */
    protected final WeightedLossFunction function() {
        return function;
    }

    /** The spec this term was built from. */
    public Spec spec() {
        return spec;
    }

    @Override
    public String describe() {
        return type + "(" + spec.studentLayer() + "->" + spec.teacherLayer() + extra()
                + (function instanceof BatchLossFunction b && b.groupSize() > 0 ? ",group=" + b.groupSize() : "")
                + (spec.projection() == defaultProjection ? "" : ",projection=" + lower(spec.projection()))
                + (spec.pooling() == Pooling.NONE ? "" : ",pool=" + lower(spec.pooling())
                        + (spec.pooling() == Pooling.ADAPTIVE ? spec.bins() : ""))
                + (function().weight() == 1 ? "" : ",weight=" + HintonKd.fmt(function().weight()))
                + (spec.teacher().equals(DEFAULT_TEACHER) ? "" : ",teacher=" + spec.teacher()) + ")";
    }

    /**
     * Reads the optional {@code group_size} of a batch-level term into its loss function: 0 (the default, the whole
     * minibatch) or an integer in [2, {@value #MAX_GROUP_SIZE}], the rows per relation group
     * ({@link BatchLossFunction}).
     */
    static <T extends FeatureTerm> T withGroups(T term, ConfigNode s) {
        JsonNode v = s.raw(GROUP_SIZE).orElse(null);
        if (v != null) {
            long g = v.isIntegralNumber() && v.canConvertToLong() ? v.asLong() : -1;
            if (g != 0 && (g < 2 || g > MAX_GROUP_SIZE)) {
                throw s.error(GROUP_SIZE, "expected 0 (the whole minibatch) or an integer in [2, " + MAX_GROUP_SIZE
                        + "] (a relation needs at least 2 rows), got "
                        + (v.isIntegralNumber() ? v.asText() : ConfigNode.describe(v)));
            }
            ((BatchLossFunction) term.function()).setGroupSize((int) g);
        }
        return term;
    }

    /** The term's own settings for {@link #describe()}, e.g. {@code ,tau=0.1}; empty by default. */
    protected String extra() {
        return "";
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** {@code <type>_<student layer>}, so that several terms on one student have distinct heads. */
    @Override
    public String headName() {
        return type + "_" + spec.studentLayer();
    }

    @Override
    public String inputVertex() {
        return spec.studentLayer();
    }

    @Override
    public String teacherName() {
        return spec.teacher();
    }

    @Override
    public Map<String, String> teacherLayers() {
        return Map.of(TEACHER_LAYER, spec.teacherLayer());
    }

    @Override
    public String addHeadLayers(HeadBuilder head) {
        InputType in = head.inputType();
        String name = "'" + spec.studentLayer() + "'";
        if (in instanceof InputType.InputTypeRecurrent rnn) {
            long channels = rnn.getSize();
            long steps = rnn.getTimeSeriesLength();
            String last = head.input();
            switch (spec.projection()) {
                case NONE -> { }
                case CONV -> {
                    if (head.targetWidth() % steps != 0) {
                        throw new IllegalArgumentException(type + " on " + name + ": the teacher layer's width "
                                + head.targetWidth() + " is not channels x " + steps + " steps");
                    }
                    last = head.addLayer("projection", new Convolution1DLayer.Builder().kernelSize(1).nIn(channels)
                            .nOut(head.targetWidth() / steps).activation(Activation.IDENTITY)
                            .rnnDataFormat(RNNFormat.NCW).build(), last);
                    channels = head.targetWidth() / steps;
                }
                default -> throw new IllegalArgumentException(type + " on " + name + ": a sequence layer ("
                        + in + ") needs projection: conv (a 1x1 convolution over time) or none, not "
                        + lower(spec.projection()));
            }
            return head.addVertex("flatten", new ReshapeVertex('c', new int[] {-1, (int) (channels * steps)}, null),
                    last);
        }
        if (!(in instanceof InputType.InputTypeFeedForward ff)) {
            throw new IllegalArgumentException(type + " on " + name + ": the student layer must be feed-forward "
                    + "([n, width]) or a sequence ([n, channels, steps]), it is " + in);
        }
        return switch (spec.projection()) {
            case NONE -> head.input();
            case LINEAR -> head.addLayer("projection", new DenseLayer.Builder().nIn(ff.getSize())
                    .nOut(head.targetWidth()).activation(Activation.IDENTITY).build(), head.input());
            case MLP -> {
                String hidden = head.addLayer("projection_hidden", new DenseLayer.Builder().nIn(ff.getSize())
                        .nOut(Math.max(ff.getSize(), head.targetWidth())).activation(Activation.RELU).build(),
                        head.input());
                yield head.addLayer("projection", new DenseLayer.Builder()
                        .nIn(Math.max(ff.getSize(), head.targetWidth())).nOut(head.targetWidth())
                        .activation(Activation.IDENTITY).build(), hidden);
            }
            case CONV -> throw new IllegalArgumentException(type + " on " + name + ": projection: conv needs a "
                    + "sequence layer, the student layer is " + in + " (use linear or mlp)");
        };
    }

    @Override
    public ILossFunction lossFunction() {
        return function;
    }

    /** The teacher layer's activations as {@code [n, width]}: pooled or flattened when it is a sequence. */
    @Override
    public INDArray labels(INDArray hardLabels, TeacherOutputs teacher) {
        INDArray h = teacher.feature(spec.teacherLayer());
        if (h.size(0) != hardLabels.size(0) || h.rank() < 2 || h.rank() > 3) {
            throw new IllegalArgumentException(type + ": teacher layer '" + spec.teacherLayer() + "' has activations "
                    + Arrays.toString(h.shape()) + ", expected [" + hardLabels.size(0) + ", width] or ["
                    + hardLabels.size(0) + ", channels, steps]");
        }
        if (h.rank() == 2 && spec.pooling() != Pooling.NONE) {
            throw new IllegalArgumentException(type + ": teacher_pooling needs a sequence teacher layer, '"
                    + spec.teacherLayer() + "' is a vector " + Arrays.toString(h.shape()));
        }
        return targets(h.rank() == 2 ? h : pool(h, spec.pooling(), spec.bins())).castTo(hardLabels.dataType());
    }

    /**
     * The labels a term trains against, from the teacher layer's activations after the shared adaptor: a vector
     * layer or pooled sequence {@code [n, width]}, or a sequence {@code [n, channels, steps]} when pooling is
     * {@code none}. By default a sequence is flattened channel-major.
     */
    protected INDArray targets(INDArray h) {
        return h.rank() == 3 ? h.reshape('c', h.size(0), h.size(1) * h.size(2)) : h;
    }

    /** The cross-architecture adaptor: {@code [n, c, t]} to {@code [n, c]} (last, mean) or {@code [n, c * bins]}. */
    static INDArray pool(INDArray h, Pooling pooling, int bins) {
        long steps = h.size(2);
        return switch (pooling) {
            case NONE -> h;
            case LAST -> h.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(steps - 1)).dup();
            case MEAN -> h.mean(2);
            case ADAPTIVE -> {
                if (bins > steps) {
                    throw new IllegalArgumentException("adaptive pooling into " + bins + " bins needs at least as "
                            + "many steps, the teacher layer has " + steps);
                }
                INDArray out = org.nd4j.linalg.factory.Nd4j.zeros(h.dataType(), h.size(0), h.size(1), bins);
                for (int b = 0; b < bins; b++) {
                    long from = b * steps / bins;
                    long to = ((b + 1) * steps + bins - 1) / bins;
                    out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(b))
                            .assign(h.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(from, to))
                                    .mean(2));
                }
                yield out.reshape('c', h.size(0), h.size(1) * bins);
            }
        };
    }

    @Override
    public Map<String, Double> parameters() {
        Map<String, Double> p = new LinkedHashMap<>();
        p.put(WEIGHT, function().weight());
        return p;
    }

    @Override
    public void setParameter(String name, double value) {
        if (!name.equals(WEIGHT)) {
            throw new IllegalArgumentException(type + " has no parameter '" + name + "'");
        }
        function().setWeight(value);
    }
}
