package io.distill4j.train;

import io.distill4j.api.EpochReport;

import io.distill4j.api.TrainingObserver;
import io.distill4j.api.VertexNames;
import io.distill4j.eval.ClassificationMetrics;
import io.distill4j.eval.RegressionMetrics;
import io.distill4j.loss.DoubleRows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

/**
 * The epoch loop shared by teachers and students: before each epoch an {@code epochStart} hook runs (schedules set
 * loss parameters there and report their values), then one pass of minibatches from a DL4J
 * {@link MultiDataSetIterator}, then the validation criterion. With {@link TrainingSettings#patience()} above zero,
 * training stops after that many epochs without a lower criterion and the best epoch's weights are restored.
 *
 * <p>The validation criterion is fixed-scale: the cross-entropy of the network's probabilities
 * ({@code softmax(logits)}) against the hard labels, {@code -mean_i ln p_i(y_i)}, never the loss heads' score. A
 * distilled student's loss moves with a scheduled temperature or alpha (its KD term is scaled by {@code T^2} and
 * weighted by {@code 1 - alpha}), so comparing its validation loss across epochs would compare different scales and
 * stop or pick the best epoch by the schedule, not by the student. Hard-label cross-entropy is what every trial is
 * finally judged on (test log-loss and accuracy), is the same criterion for teachers, baselines and distilled
 * students, and carries no L2 term. The same inference pass gives the epoch's validation accuracy, macro-F1 and, for
 * a student, agreement with the teacher ({@link EpochReport#VAL_ACCURACY} and the like), so every role reports the
 * same comparable curves at no extra forward pass.
 *
 * <p>A regression network (validation labels of width 1: the target column of {@code data.labels.task:
 * regression}) has the same fixed-scale criterion in its own terms: the mean squared error of {@code logits} (its one
 * output) against the targets, reported as {@link EpochReport#VAL_MSE} with {@link EpochReport#VAL_R2},
 * {@link EpochReport#VAL_IC} and, for a student, {@link EpochReport#VAL_AGREEMENT} (correlation with the teacher's
 * prediction; see {@link io.distill4j.eval.RegressionMetrics}).
 *
 * <p>A non-finite training or validation loss, or an epoch's training loss above {@value #DIVERGENCE_FACTOR} times
 * the loss of the untrained network (its first minibatch), stops training with a {@link TrainingDivergedException} naming the epoch.
 */
public final class GraphTrainer {
    /** A training loss this many times the untrained network's counts as diverged. */
    public static final double DIVERGENCE_FACTOR = 100;

    private GraphTrainer() {
    }

    /**
     * The validation samples of the criterion: inputs, their one-hot hard labels {@code [n, classes]} and, for a
     * student, the teacher's logits on them (or {@code null}), against which the per-epoch agreement is measured.
     */
    public record Validation(INDArray input, INDArray oneHot, INDArray teacherLogits) {
        /** Validation samples without a teacher. */
        public Validation(INDArray input, INDArray oneHot) {
            this(input, oneHot, null);
        }

        /** The class of each validation sample (the argmax of its one-hot row), or null for regression targets. */
        public int[] labels() {
            return regression() ? null : oneHot.argMax(1).toIntVector();
        }

        /** What every epoch's metrics compare against: {@link #labels} and the teacher's predictions, once. */
        public Targets targets() {
            return new Targets(labels(), regression() ? null
                    : ClassificationMetrics.TeacherPredictions.of(teacherLogits));
        }

        /** Whether these are regression targets (a column of width 1) rather than one-hot classes. */
        boolean regression() {
            return oneHot.size(1) == 1;
        }
    }

    /**
     * The validation samples' classes (null for regression targets) and the teacher's predictions on them (null
     * without a teacher), computed once for the metrics of every epoch.
     */
    public record Targets(int[] labels, ClassificationMetrics.TeacherPredictions teacher) {
    }

    /** How a training run ended ({@code bestValidationLoss} is the criterion at the best epoch). */
    public record Outcome(int epochsRun, int bestEpoch, double bestValidationLoss, boolean stoppedEarly,
            long millis) {
    }

    /**
     * Trains {@code graph} in place.
     *
     * @param name the network's name, for messages
     * @param epochStart called with the 0-based epoch before it starts; returns values to report for the epoch
     * @param validation the validation samples of the criterion, or {@code null} (no early stopping)
     */
    public static Outcome train(String name, ComputationGraph graph, MultiDataSetIterator train,
            Validation validation, TrainingSettings settings, IntFunction<Map<String, Double>> epochStart,
            TrainingObserver observer) {
        return train(name, graph, train, validation, settings, epochStart, observer,
                g -> logits(g, validation.input()));
    }

    /**
     * {@link #train} with the validation logits {@code [n, C]} computed by {@code predict} from the graph (e.g. a
     * sequential student's state carried over the validation bars) instead of the graph's {@code logits} on the
     * validation input. With truncated backpropagation through time, one minibatch is a whole pass and its
     * training loss is DL4J's score of the last segment.
     */
    public static Outcome train(String name, ComputationGraph graph, MultiDataSetIterator train,
            Validation validation, TrainingSettings settings, IntFunction<Map<String, Double>> epochStart,
            TrainingObserver observer, java.util.function.Function<ComputationGraph, INDArray> predict) {
        ShapeInfoCache.install();
        DeallocatorMap.install();
        ViewReusingUpdater.install(graph);
        Targets targets = validation == null ? null : validation.targets();
        long started = System.currentTimeMillis();
        Progress progress = new Progress(settings, validation != null);
        int epoch = 0;
        double initialLoss = Double.NaN;
        for (; epoch < settings.epochs(); epoch++) {
            long t0 = System.currentTimeMillis();
            Map<String, Double> values = new LinkedHashMap<>(epochStart.apply(epoch));
            long steps = System.nanoTime();
            train.reset();
            double sum = 0;
            long samples = 0;
            while (train.hasNext()) {
                MultiDataSet batch = train.next();
                graph.fit(batch);
                long n = batch.getFeatures(0).size(0);
                if (Double.isNaN(initialLoss)) {
                    initialLoss = graph.score(); // the first minibatch's loss, computed before the first update
                }
                sum += graph.score() * n;
                samples += n;
            }
            PhaseTimes.since(PhaseTimes.Phase.TRAIN_STEPS, steps);
            double trainLoss = sum / Math.max(1, samples);
            checkTrainingLoss(name, epoch, trainLoss, initialLoss);
            double validationLoss = Double.NaN;
            if (validation != null) {
                long validating = System.nanoTime();
                validationLoss = validationEpoch(name, epoch, predict.apply(graph), validation, targets, values);
                PhaseTimes.since(PhaseTimes.Phase.VALIDATION, validating);
            }
            observer.onEpoch(new EpochReport(epoch, settings.epochs(), trainLoss, validationLoss, values,
                    System.currentTimeMillis() - t0));
            if (progress.stop(epoch, validationLoss, graph::params)) {
                epoch++;
                break;
            }
        }
        if (progress.bestParams() != null) {
            graph.setParams(progress.bestParams());
        }
        return progress.outcome(epoch, System.currentTimeMillis() - started);
    }

    /**
     * Throws a {@link TrainingDivergedException} when an epoch's training loss is not finite or above
     * {@value #DIVERGENCE_FACTOR} times {@code initialLoss} (the untrained network's first minibatch).
     */
    public static void checkTrainingLoss(String name, int epoch, double trainLoss, double initialLoss) {
        if (!Double.isFinite(trainLoss)) {
            throw new TrainingDivergedException(name + ": training loss became " + trainLoss + " in epoch "
                    + (epoch + 1), epoch);
        }
        if (trainLoss > DIVERGENCE_FACTOR * initialLoss) {
            throw new TrainingDivergedException(String.format(java.util.Locale.ROOT,
                    "%s: training diverged in epoch %d (loss %.4g, more than %.0fx the untrained loss %.4g)",
                    name, epoch + 1, trainLoss, DIVERGENCE_FACTOR, initialLoss), epoch);
        }
    }

    /**
     * One epoch's validation criterion from the network's validation {@code logits}; the epoch's label-based metrics
     * go into {@code values} ({@link EpochReport#VAL_ACCURACY} and the like). {@code targets} are
     * {@link Validation#targets()}.
     *
     * @throws TrainingDivergedException when the criterion is not finite
     */
    public static double validationEpoch(String name, int epoch, INDArray logits, Validation validation,
            Targets targets, Map<String, Double> values) {
        double validationLoss;
        if (validation.regression()) {
            validationLoss = regressionEpoch(logits, validation, values);
        } else {
            ClassificationMetrics m = ClassificationMetrics.against(DoubleRows.of(logits),
                    targets.labels(), targets.teacher());
            validationLoss = m.logLoss();
            values.put(EpochReport.VAL_ACCURACY, m.accuracy());
            values.put(EpochReport.VAL_MACRO_F1, m.macroF1());
            if (validation.teacherLogits() != null) {
                values.put(EpochReport.VAL_AGREEMENT, m.agreement());
            }
        }
        if (!Double.isFinite(validationLoss)) {
            throw new TrainingDivergedException(name + ": validation loss became " + validationLoss
                    + " in epoch " + (epoch + 1), epoch);
        }
        return validationLoss;
    }

    /**
     * Early stopping of one network, epoch by epoch: with patience above zero and a validation criterion, remembers
     * the best epoch's parameters and says when {@code patience} epochs passed without a lower criterion; otherwise
     * every epoch is the best (the last weights are kept).
     */
    public static final class Progress {
        private final TrainingSettings settings;
        private final boolean validated;
        private INDArray bestParams;
        private double best = Double.POSITIVE_INFINITY;
        private int bestEpoch = -1;
        private boolean stoppedEarly;

        public Progress(TrainingSettings settings, boolean validated) {
            this.settings = settings;
            this.validated = validated;
        }

        /**
         * Records epoch {@code epoch}'s criterion; returns whether training stops after it. {@code params} gives the
         * network's current parameters (copied when the epoch is the best so far).
         */
        public boolean stop(int epoch, double validationLoss, java.util.function.Supplier<INDArray> params) {
            if (settings.patience() > 0 && validated) {
                if (validationLoss < best) {
                    best = validationLoss;
                    bestEpoch = epoch;
                    bestParams = params.get().dup();
                } else if (epoch - bestEpoch >= settings.patience()) {
                    stoppedEarly = true;
                    return true;
                }
            } else {
                best = validationLoss;
                bestEpoch = epoch;
            }
            return false;
        }

        /** The best epoch's parameters when early stopping is on (null otherwise): restored after training. */
        public INDArray bestParams() {
            return bestParams;
        }

        /** The outcome after {@code epochsRun} epochs. */
        public Outcome outcome(int epochsRun, long millis) {
            return new Outcome(epochsRun, bestEpoch, best, stoppedEarly, millis);
        }
    }

    /** A regression network's validation criterion (MSE), its R2, IC and agreement put in {@code values}. */
    private static double regressionEpoch(INDArray out, Validation validation, Map<String, Double> values) {
        double[] p = out.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
        double[] y = validation.oneHot().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
        double[] t = validation.teacherLogits() == null ? null
                : validation.teacherLogits().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
        RegressionMetrics m = RegressionMetrics.of(p, y, new long[p.length], t);
        values.put(EpochReport.VAL_MSE, m.mse());
        values.put(EpochReport.VAL_R2, m.r2());
        values.put(EpochReport.VAL_IC, m.ic());
        if (t != null) {
            values.put(EpochReport.VAL_AGREEMENT, m.agreement());
        }
        return m.mse();
    }

    /** The validation criterion: hard-label cross-entropy of {@code softmax(logits)} (inference mode). */
    public static double criterion(ComputationGraph graph, INDArray input, int[] labels) {
        return evaluate(graph, input, labels, null).logLoss();
    }

    /**
     * The label-based metrics of one inference pass over {@code input} (the criterion is their {@code logLoss});
     * agreement against {@code teacherLogits} when given.
     */
    static ClassificationMetrics evaluate(ComputationGraph graph, INDArray input, int[] labels,
            INDArray teacherLogits) {
        return ClassificationMetrics.of(logits(graph, input), labels, teacherLogits);
    }

    /**
     * The graph's {@code logits} on {@code input} (inference mode). When an output head is an identity loss layer on
     * {@code logits} (every logit loss's head), its output is the logits, and DL4J's {@code output} keeps the layers'
     * activations in its reused inference workspace; {@code feedForward}, which the other graphs take, allocates every
     * layer's activations of the whole split afresh (on the MLP teacher's validation split, 5,993 x 707 floats a
     * pass: 4.6% of its training thread in native allocation). Both compute the same layers on the same input.
     */
    public static INDArray logits(ComputationGraph graph, INDArray input) {
        graph.clear();
        try {
            int head = logitsHead(graph);
            return head >= 0 ? graph.output(false, input)[head] : graph.feedForward(input, false).get(VertexNames.LOGITS);
        } finally {
            graph.clear();
        }
    }

    /** The index of the graph's first output that is an identity loss layer reading {@code logits}, or -1. */
    static int logitsHead(ComputationGraph graph) {
        var conf = graph.getConfiguration();
        List<String> outputs = conf.getNetworkOutputs();
        for (int i = 0; i < outputs.size(); i++) {
            var vertex = conf.getVertices().get(outputs.get(i));
            if (vertex instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv
                    && lv.getLayerConf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.LossLayer loss
                    && loss.getActivationFn() instanceof org.nd4j.linalg.activations.impl.ActivationIdentity
                    && List.of(VertexNames.LOGITS).equals(conf.getVertexInputs().get(outputs.get(i)))) {
                return i;
            }
        }
        return -1;
    }
}
