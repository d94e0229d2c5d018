package io.distill4j.api;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * One loss term of a student, trained through its own output head (plugin kind {@code loss}).
 *
 * <p>An instance belongs to one trial: {@link #lossFunction()} is the live object inside that trial's graph, and
 * {@link #setParameter} changes it between epochs (DL4J uses the same instance at run time), which is how
 * {@link Schedule}s work. Every implementation documents its formula, its paper and the convention of its weights,
 * and passes the loss contract test ({@code PluginContractTest}: finite non-negative score, DL4J gradient check,
 * {@value #WEIGHT} scaling, parameter round trip).
 *
 * <p>A head is {@code inputVertex() → [layers the head adds] → output head (a LossLayer with lossFunction())}. Every
 * loss has a schedulable {@value #WEIGHT} parameter (default 1, at least 0) multiplying its score and gradient.
 */
public interface DistillationLoss {
    /** A short description for tables and run names, e.g. {@code hinton(T=4,alpha=0.5)}. */
    String describe();

    /** The output head's vertex name (unique within a student graph). */
    String headName();

    /** The vertex the head reads: {@code logits} for output-level losses, a named layer for feature losses. */
    String inputVertex();

    /**
     * The teacher whose outputs label this head: {@value #DEFAULT_TEACHER} for a study with one {@code teacher},
     * a name from {@code teachers} for one term per teacher, {@code null} when the head uses no teacher.
     */
    default String teacherName() {
        return DEFAULT_TEACHER;
    }

    /** The name of a study's single teacher. */
    String DEFAULT_TEACHER = "teacher";

    /** The name of the parameter every loss has: a multiplier of the head's score and gradient (default 1, >= 0). */
    String WEIGHT = "weight";

    /**
     * Adds the head's own trainable layers between {@link #inputVertex()} and the output head, e.g. a projection from
     * a student layer's width to the width of the teacher layer it imitates ({@link HeadBuilder#targetWidth()}).
     *
     * @return the vertex the output head reads: {@code head.input()} (the default, no layers) or the last layer added
     */
    default String addHeadLayers(HeadBuilder head) {
        return head.input();
    }

    /**
     * The teacher layers this head reads (names from {@link Teacher#featureLayers()}), keyed by the config key that
     * names each, so that a study naming a layer the teacher does not have fails at validation with that key's path.
     */
    default Map<String, String> teacherLayers() {
        return Map.of();
    }

    /**
     * Epochs of a pre-training stage before the study's objective trains (FitNets' first stage, Romero et al. 2015):
     * this head alone, at weight 1, trains only the layers its output depends on (the student's layers up to the
     * one it reads, and its own projection head); {@code 0} (the default): no such stage.
     */
    default int pretrainingEpochs() {
        return 0;
    }

    /** The live loss function of this trial's head. */
    ILossFunction lossFunction();

    /**
     * The head's label array for a set of samples.
     *
     * @param hardLabels one-hot labels {@code [n, classes]}
     * @param teacher the outputs of {@link #teacherName()} for the same samples, in the same order ({@code null}
     *     when the head uses no teacher)
     */
    INDArray labels(INDArray hardLabels, TeacherOutputs teacher);

    /**
     * The parameters a schedule may drive and their current values: always {@value #WEIGHT}, plus the loss's own
     * (e.g. {@code temperature}, {@code alpha}).
     */
    Map<String, Double> parameters();

    /**
     * The values a parameter named in {@link #parameters()} may take; a schedule driving it is checked against this
     * domain for every epoch before training. {@value #WEIGHT} has {@link #WEIGHT_DOMAIN}; others are unrestricted by
     * default.
     */
    default ParameterDomain domain(String parameter) {
        return WEIGHT.equals(parameter) ? WEIGHT_DOMAIN : new ParameterDomain(-Double.MAX_VALUE, Double.MAX_VALUE);
    }

    /** The domain of every loss's {@value #WEIGHT}: non-negative, at most a million. */
    ParameterDomain WEIGHT_DOMAIN = new ParameterDomain(0, 1e6);

    /** Sets a parameter named in {@link #parameters()}; takes effect from the next minibatch. */
    void setParameter(String name, double value);
}
