package io.distill4j.loss;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.ParameterDomain;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.api.VertexNames;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleConsumer;
import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * What the loss plugins on a student's logits share ({@code hinton}, {@code dkd}, {@code dist},
 * {@code cross_entropy}): a head on {@code logits} whose {@link LogitLossFunction} reads {@code [hard one-hot |
 * teacher logits]} labels, and a table of schedulable parameters (name, getter, setter, domain) from which
 * {@link #parameters()}, {@link #domain}, {@link #setParameter} and {@link #describe()} follow.
 */
abstract class LogitDistillation implements DistillationLoss {
    /** One schedulable parameter. */
    record Parameter(String label, DoubleSupplier get, DoubleConsumer set, ParameterDomain domain) {
    }

    private final String type;
    private final String headName;
    private final String teacherName;
    private final LogitLossFunction function;
    private final Map<String, Parameter> table = new LinkedHashMap<>();

    LogitDistillation(String type, String headName, String teacherName, LogitLossFunction function) {
        this.type = type;
        this.headName = headName;
        this.teacherName = teacherName;
        this.function = function;
    }

    /**
     * Declares a parameter (in describe order; {@value #WEIGHT} is declared last by {@link #declareWeight()}).
     *
     * @param label its name in {@link #describe()} ({@code null}: left out)
     */
    final void declare(String name, String label, DoubleSupplier get, DoubleConsumer set, ParameterDomain domain) {
        table.put(name, new Parameter(label, get, set, domain));
    }

    /** Declares {@value #WEIGHT}, shown in {@link #describe()} only when it is not 1. */
    final void declareWeight() {
        declare(WEIGHT, WEIGHT, function::weight, function::setWeight, WEIGHT_DOMAIN);
    }

    /** Options shown in {@link #describe()} after the parameters, e.g. {@code standardize}. */
    List<String> flags() {
        return List.of();
    }

    @Override
    public String describe() {
        StringBuilder b = new StringBuilder(type).append('(');
        table.forEach((name, p) -> {
            double v = p.get().getAsDouble();
            if (p.label() != null && !(name.equals(WEIGHT) && v == 1)) {
                b.append(p.label()).append('=').append(HintonKd.fmt(v)).append(',');
            }
        });
        flags().forEach(f -> b.append(f).append(','));
        if (teacherName != null && !teacherName.equals(DEFAULT_TEACHER)) {
            b.append("teacher=").append(teacherName).append(',');
        }
        if (b.charAt(b.length() - 1) == ',') {
            b.setLength(b.length() - 1);
            return b.append(')').toString();
        }
        return b.substring(0, b.length() - 1);
    }

    @Override
    public String headName() {
        return headName;
    }

    @Override
    public String teacherName() {
        return teacherName;
    }

    @Override
    public String inputVertex() {
        return VertexNames.LOGITS;
    }

    @Override
    public ILossFunction lossFunction() {
        return function;
    }

    /** {@code [hard one-hot | teacher logits]}. */
    @Override
    public INDArray labels(INDArray hardLabels, TeacherOutputs teacher) {
        if (teacher.logits().size(0) != hardLabels.size(0)) {
            throw new IllegalArgumentException("teacher outputs for " + teacher.logits().size(0)
                    + " samples, labels for " + hardLabels.size(0));
        }
        return Nd4j.hstack(hardLabels, teacher.logits().castTo(hardLabels.dataType()));
    }

    @Override
    public Map<String, Double> parameters() {
        Map<String, Double> out = new LinkedHashMap<>();
        table.forEach((name, p) -> out.put(name, p.get().getAsDouble()));
        return Collections.unmodifiableMap(out);
    }

    @Override
    public ParameterDomain domain(String parameter) {
        return parameter(parameter).domain();
    }

    @Override
    public void setParameter(String name, double value) {
        parameter(name).set().accept(value);
    }

    private Parameter parameter(String name) {
        Parameter p = table.get(name);
        if (p == null) {
            throw new IllegalArgumentException(type + " has no parameter '" + name + "'");
        }
        return p;
    }
}
