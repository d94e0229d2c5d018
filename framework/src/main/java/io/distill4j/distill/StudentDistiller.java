package io.distill4j.distill;

import io.distill4j.train.GraphTrainer;
import io.distill4j.train.PhaseTimes;
import io.distill4j.train.TrainingSettings;
import io.distill4j.train.ShufflingMultiDataSetIterator;

import io.distill4j.api.EpochReport;
import io.distill4j.api.TrainingObserver;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.InputShape;
import io.distill4j.api.Schedule;
import io.distill4j.api.Student;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.model.Networks;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.dataset.MultiDataSet;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trains one student graph with one head per loss term against cached teacher outputs, applying each schedule to
 * its loss parameter at the start of every epoch. The student-alone baseline is the same procedure with a single
 * {@link io.distill4j.loss.HardLabelCrossEntropy} head, so both get exactly the same budget.
 *
 * <p>Every epoch's report carries the values of the scheduled loss parameters (constant ones are not repeated per
 * epoch), each head's own objective term: {@code objective.train.<head>} (mean over the epoch's minibatches, as the
 * report's training objective) and {@code objective.val.<head>} (on the validation split, in
 * minibatches of the training batch size, so that a loss of the whole minibatch, such as relational KD, scores
 * validation on batches like those it trains on), their validation sum
 * {@code objective.val} (without weight decay the training terms sum to the training objective), and the label-based
 * validation metrics of {@link GraphTrainer}, agreement against the first (primary) teacher included. A head with
 * {@link DistillationLoss#pretrainingEpochs()} first trains alone ({@link #pretrain}); those epochs are reported under
 * the prefix {@value #PRETRAIN_SCOPE} and count in the training time.
 */
public final class StudentDistiller {
    /** The metric-name prefix of the epochs of a pre-training stage (FitNets' first stage). */
    public static final String PRETRAIN_SCOPE = "pretrain.";

    private StudentDistiller() {
    }

    /**
     * Inputs, one-hot labels and every teacher's outputs (by teacher name) for the same samples, and optionally per-row
     * term weights {@code [n, 2]} ({@code [soft | hard]}, e.g. {@link io.distill4j.loss.RecencyWeights#termColumns};
     * {@code null}: none), appended to the labels of every head whose loss
     * {@link io.distill4j.loss.LogitLossFunction#acceptsTermWeights() accepts them}.
     */
    public record SplitData(INDArray input, INDArray oneHot, Map<String, TeacherOutputs> teachers,
            INDArray termWeights) {
        public SplitData {
            teachers = Map.copyOf(teachers);
            if (termWeights != null && (termWeights.rank() != 2 || termWeights.size(0) != oneHot.size(0)
                    || termWeights.size(1) != 2)) {
                throw new IllegalArgumentException("term weights must be [n, 2] for " + oneHot.size(0)
                        + " samples, got " + java.util.Arrays.toString(termWeights.shape()));
            }
        }

        /** Samples without term weights. */
        public SplitData(INDArray input, INDArray oneHot, Map<String, TeacherOutputs> teachers) {
            this(input, oneHot, teachers, null);
        }
    }

    /** A scheduled parameter: which loss, which parameter, which schedule. */
    public record ScheduledParameter(DistillationLoss loss, String parameter, Schedule schedule) {
    }

    /**
     * The trained student and how training went; {@code inference} (or {@code null}: the graph's own output) is how
     * the student predicts a split's input, e.g. a sequential student's state carried bar by bar.
     */
    public record Result(ComputationGraph graph, GraphTrainer.Outcome outcome,
            java.util.function.UnaryOperator<INDArray> inference) {
        /** A student that predicts with {@code graph}'s output. */
        public Result(ComputationGraph graph, GraphTrainer.Outcome outcome) {
            this(graph, outcome, null);
        }

        /** The student's logits for {@code input} (inference mode). */
        public INDArray logits(INDArray input) {
            if (inference != null) {
                return inference.apply(input);
            }
            graph.clear();
            INDArray out = graph.output(false, input)[0];
            graph.clear();
            return out;
        }
    }

    /**
     * Trains a student.
     *
     * @param seed initialises the weights; {@code shuffleSeed} orders the minibatches
     */
    public static Result train(String name, Student student, List<DistillationLoss> losses,
            List<ScheduledParameter> schedules, InputShape shape, TrainingSettings training, SplitData train,
            SplitData validation, long seed, long shuffleSeed, TrainingObserver observer) {
        return train(name, student, losses, schedules, shape, training, train, validation, seed, shuffleSeed, observer,
                null);
    }

    /**
     * Trains a student, its layers first set to those of {@code start} where the names and parameter counts agree
     * (a warm start from an earlier trained student of the same architecture, e.g. its deployable graph; a layer
     * {@code start} lacks, such as a loss head's projection, keeps its initial weights). The optimiser starts afresh.
     *
     * @param start the graph to start from, or {@code null} for the initial weights of {@code seed}
     */
    public static Result train(String name, Student student, List<DistillationLoss> losses,
            List<ScheduledParameter> schedules, InputShape shape, TrainingSettings training, SplitData train,
            SplitData validation, long seed, long shuffleSeed, TrainingObserver observer, ComputationGraph start) {
        INDArray[] trainLabels = labels(losses, train);
        INDArray[] validationLabels = labels(losses, validation);
        Map<String, Long> widths = new LinkedHashMap<>();
        for (int i = 0; i < losses.size(); i++) {
            widths.put(losses.get(i).headName(), trainLabels[i].size(1));
        }
        long building = System.nanoTime();
        ComputationGraph graph = Networks.build(student, losses, shape, training, seed, widths);
        if (start != null) {
            warmStart(graph, start);
        }
        PhaseTimes.since(PhaseTimes.Phase.GRAPH_BUILD, building);
        var iterator = new ShufflingMultiDataSetIterator(new INDArray[] {train.input()}, trainLabels,
                training.batchSize(), shuffleSeed);
        var validationHeads = new MultiDataSet(new INDArray[] {validation.input()}, validationLabels);
        // the primary teacher (the first) for the per-epoch agreement
        INDArray teacherLogits = validation.teachers().isEmpty() ? null
                : validation.teachers().values().iterator().next().logits();
        var validationSet = new GraphTrainer.Validation(validation.input(), validation.oneHot(), teacherLogits);
        Map<DistillationLoss, Map<String, Double>> configured = configured(losses);
        HeadScores heads = new HeadScores(losses, training.batchSize());
        graph.addListeners(heads);
        // one inference pass per epoch gives the criterion's logits and every head's output for its objective
        var pass = new java.util.concurrent.atomic.AtomicReference<Map<String, INDArray>>();
        TrainingObserver withHeads = report -> {
            Map<String, Double> values = new LinkedHashMap<>(report.values());
            values.putAll(heads.epochTrainScores());
            long validating = System.nanoTime();
            Map<String, Double> validationTerms = heads.validationScores(graph, validationHeads,
                    pass.getAndSet(null));
            PhaseTimes.since(PhaseTimes.Phase.VALIDATION, validating);
            values.putAll(validationTerms);
            values.put(EpochReport.OBJECTIVE_VAL, validationTerms.values().stream().mapToDouble(d -> d).sum());
            observer.onEpoch(new EpochReport(report.epoch(), report.epochs(), report.trainLoss(),
                    report.validationLoss(), values, report.millis(), report.scope()));
        };
        long pretrainMillis = 0;
        for (DistillationLoss loss : losses) {
            if (loss.pretrainingEpochs() > 0) {
                pretrainMillis += pretrain(name, graph, losses, loss, iterator, validationSet, training,
                        report -> withHeads.onEpoch(report.scoped(PRETRAIN_SCOPE))).millis();
            }
        }
        GraphTrainer.Outcome outcome = GraphTrainer.train(name, graph, iterator, validationSet, training,
                epoch -> applySchedules(losses, schedules, configured, epoch, training.epochs()), withHeads, g -> {
                    g.clear();
                    Map<String, INDArray> activations = g.feedForward(validation.input(), false);
                    g.clear();
                    pass.set(activations);
                    return activations.get(io.distill4j.api.VertexNames.LOGITS);
                });
        graph.setListeners(new java.util.ArrayList<>());
        return new Result(graph, new GraphTrainer.Outcome(outcome.epochsRun(), outcome.bestEpoch(),
                outcome.bestValidationLoss(), outcome.stoppedEarly(), outcome.millis() + pretrainMillis));
    }

    /** Each loss's parameters as configured, before any schedule moves them ({@link #applySchedules}'s bases). */
    static Map<DistillationLoss, Map<String, Double>> configured(List<DistillationLoss> losses) {
        Map<DistillationLoss, Map<String, Double>> configured = new LinkedHashMap<>();
        for (DistillationLoss loss : losses) {
            configured.put(loss, loss.parameters());
        }
        return configured;
    }

    /**
     * Sets every scheduled loss parameter to its value at {@code epoch} (from its configured base) and returns the
     * values to report for the epoch: the scheduled ones only, under the parameter's name (with one loss) or
     * {@code <head>.<parameter>}.
     */
    static Map<String, Double> applySchedules(List<DistillationLoss> losses, List<ScheduledParameter> schedules,
            Map<DistillationLoss, Map<String, Double>> configured, int epoch, int epochs) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (ScheduledParameter s : schedules) {
            double base = configured.get(s.loss()).get(s.parameter());
            double v = s.schedule().valueAt(epoch, epochs, base);
            s.loss().setParameter(s.parameter(), v);
        }
        // only scheduled values move; constant loss parameters are params of the run, not per-epoch metrics
        for (ScheduledParameter s : schedules) {
            values.put(losses.size() == 1 ? s.parameter() : s.loss().headName() + "." + s.parameter(),
                    s.loss().parameters().get(s.parameter()));
        }
        return values;
    }

    /**
     * FitNets' first stage (Romero et al. 2015): {@code head} alone, at weight 1, trains for its
     * {@link DistillationLoss#pretrainingEpochs()} the layers its output depends on (the student's layers up to the
     * one it reads and its own projection head); every other layer is restored after each step meanwhile and every
     * other head's weight is 0. Afterwards every weight is as configured and the optimiser's state is reset,
     * so the second stage starts Adam afresh on the whole student. No early stopping in this stage.
     */
    public static GraphTrainer.Outcome pretrain(String name, ComputationGraph graph, List<DistillationLoss> losses,
            DistillationLoss head, MultiDataSetIterator iterator, GraphTrainer.Validation validation,
            TrainingSettings training, TrainingObserver observer) {
        Set<String> trained = feeding(graph, head.headName());
        Map<DistillationLoss, Double> weights = new LinkedHashMap<>();
        for (DistillationLoss loss : losses) {
            weights.put(loss, loss.parameters().get(DistillationLoss.WEIGHT));
            loss.setParameter(DistillationLoss.WEIGHT, loss == head ? 1 : 0);
        }
        // the other layers are held fixed by restoring them after every step (a learning rate of 0 would not do:
        // DL4J's Adam replaces a zero step size by its epsilon)
        Map<String, INDArray> frozen = new LinkedHashMap<>();
        for (Layer layer : graph.getLayers()) {
            String layerName = layer.conf().getLayer().getLayerName();
            if (layer.numParams() > 0 && !trained.contains(layerName)) {
                frozen.put(layerName, layer.params().dup());
            }
        }
        List<TrainingListener> listeners = new ArrayList<>(graph.getListeners());
        List<TrainingListener> withRestore = new ArrayList<>(listeners);
        withRestore.add(new BaseTrainingListener() {
            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
                frozen.forEach((layerName, p) -> graph.getLayer(layerName).params().assign(p));
            }
        });
        graph.setListeners(withRestore);
        try {
            return GraphTrainer.train(name + " (" + head.headName() + " pre-training)", graph, iterator, validation,
                    new TrainingSettings(head.pretrainingEpochs(), training.batchSize(), training.learningRate(),
                            training.l2(), 0), epoch -> Map.of(), observer);
        } finally {
            weights.forEach((loss, w) -> loss.setParameter(DistillationLoss.WEIGHT, w));
            graph.setListeners(listeners);
            graph.getUpdater().getStateViewArray().assign(0);
        }
    }

    /**
     * Copies into {@code graph} the parameters of every layer of {@code from} with the same name and parameter count;
     * returns the names copied.
     *
     * @throws IllegalArgumentException when no layer with parameters matches (another architecture)
     */
    public static List<String> warmStart(ComputationGraph graph, ComputationGraph from) {
        List<String> copied = new ArrayList<>();
        var vertices = from.getConfiguration().getVertices();
        for (Layer layer : graph.getLayers()) {
            String layerName = layer.conf().getLayer().getLayerName();
            if (layer.numParams() > 0 && vertices.containsKey(layerName)
                    && from.getLayer(layerName).numParams() == layer.numParams()) {
                layer.params().assign(from.getLayer(layerName).params());
                copied.add(layerName);
            }
        }
        if (copied.isEmpty()) {
            throw new IllegalArgumentException("no layer of the graph to start from matches the student's");
        }
        return copied;
    }

    /** The vertices {@code vertex} depends on, itself included (the graph's inputs excluded). */
    static Set<String> feeding(ComputationGraph graph, String vertex) {
        Map<String, List<String>> inputs = graph.getConfiguration().getVertexInputs();
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(vertex));
        while (!todo.isEmpty()) {
            String v = todo.pop();
            if (seen.add(v)) {
                todo.addAll(inputs.getOrDefault(v, List.of()));
            }
        }
        return seen;
    }

    /**
     * Each head's score: during training, read from the heads' output layers after every minibatch's forward pass
     * (before the update, as DL4J's own score), weighted by minibatch size; on validation, each loss function on its
     * head's output. DL4J adds the weight-decay term to the first head's layer score only; it is taken out here, so
     * every head's value is its loss term alone.
     */
    static final class HeadScores extends BaseTrainingListener {
        private final List<DistillationLoss> losses;
        private final int batchSize;
        private final double[] sums;
        private long samples;

        HeadScores(List<DistillationLoss> losses, int batchSize) {
            this.losses = List.copyOf(losses);
            this.batchSize = batchSize;
            this.sums = new double[losses.size()];
        }

        @Override
        public void onBackwardPass(Model model) {
            ComputationGraph graph = (ComputationGraph) model;
            long n = graph.getInput(0).size(0);
            double regularization = graph.calcRegularizationScore(true);
            for (int i = 0; i < sums.length; i++) {
                double score = graph.getOutputLayer(i).score() - (i == 0 ? regularization : 0);
                sums[i] += score * n;
            }
            samples += n;
        }

        /** The mean training score of each head since the last call, as {@code objective.train.<head>}; resets. */
        Map<String, Double> epochTrainScores() {
            Map<String, Double> out = new LinkedHashMap<>();
            for (int i = 0; i < sums.length; i++) {
                out.put(EpochReport.OBJECTIVE_TRAIN + "." + losses.get(i).headName(), sums[i] / Math.max(1, samples));
                sums[i] = 0;
            }
            samples = 0;
            return out;
        }

        /**
         * Each head's score on {@code data}, as {@code objective.val.<head>}: the mean over examples of the scores of
         * consecutive minibatches of the training batch size (for per-example losses, the plain mean); the heads'
         * outputs are read from {@code activations} (an inference pass over {@code data}'s input, by vertex name) when
         * given, else computed.
         */
        Map<String, Double> validationScores(ComputationGraph graph, MultiDataSet data,
                Map<String, INDArray> activations) {
            INDArray[] outputs;
            if (activations != null) {
                outputs = new INDArray[losses.size()];
                for (int i = 0; i < outputs.length; i++) {
                    outputs[i] = activations.get(losses.get(i).headName());
                }
            } else {
                graph.clear();
                outputs = graph.output(false, data.getFeatures());
                graph.clear();
            }
            Map<String, Double> out = new LinkedHashMap<>();
            for (int i = 0; i < outputs.length; i++) {
                out.put(EpochReport.OBJECTIVE_VAL + "." + losses.get(i).headName(),
                        validationScore(losses.get(i), data.getLabels(i), outputs[i], batchSize));
            }
            return out;
        }

        /**
         * One head's validation objective: the mean over examples of its loss on consecutive minibatches of
         * {@code batchSize} rows of its {@code output} and {@code labels}.
         */
        static double validationScore(DistillationLoss loss, INDArray labels, INDArray output, int batchSize) {
            return validationScore(loss, labels, null, output, batchSize);
        }

        /**
         * {@link #validationScore(DistillationLoss, INDArray, INDArray, int)} with the labels' heap copy
         * {@code heap} ({@code labels} read once) for a logit loss, or null.
         */
        static double validationScore(DistillationLoss loss, INDArray labels,
                io.distill4j.loss.LogitLossFunction.HeapLabels heap, INDArray output, int batchSize) {
            long n = output.size(0);
            if (loss.lossFunction() instanceof io.distill4j.loss.LogitLossFunction logits) {
                return (heap == null ? logits.summedScore(labels, output, batchSize)
                        : logits.summedScore(heap, output, batchSize)) / Math.max(1, n);
            }
            double sum = 0;
            for (long from = 0; from < n; from += batchSize) {
                org.nd4j.linalg.indexing.INDArrayIndex rows = org.nd4j.linalg.indexing.NDArrayIndex.interval(from,
                        Math.min(n, from + batchSize));
                sum += loss.lossFunction().computeScore(labels.get(rows, org.nd4j.linalg.indexing.NDArrayIndex.all()),
                        output.get(rows, org.nd4j.linalg.indexing.NDArrayIndex.all()), new ActivationIdentity(), null,
                        false);
            }
            return sum / Math.max(1, n);
        }
    }

    /**
     * Each head's labels for a split: {@link DistillationLoss#labels} from its teacher's outputs, with the split's
     * term weights appended for the heads that accept them.
     */
    public static INDArray[] labels(List<DistillationLoss> losses, SplitData split) {
        INDArray[] out = new INDArray[losses.size()];
        for (int i = 0; i < out.length; i++) {
            DistillationLoss loss = losses.get(i);
            TeacherOutputs teacher = null;
            if (loss.teacherName() != null) {
                teacher = split.teachers().get(loss.teacherName());
                if (teacher == null) {
                    throw new IllegalArgumentException("head " + loss.headName() + " needs teacher '"
                            + loss.teacherName() + "', not among " + split.teachers().keySet());
                }
            }
            out[i] = loss.labels(split.oneHot(), teacher);
            if (split.termWeights() != null && loss.lossFunction() instanceof io.distill4j.loss.LogitLossFunction f
                    && f.acceptsTermWeights()) {
                out[i] = org.nd4j.linalg.factory.Nd4j.hstack(out[i], split.termWeights().castTo(out[i].dataType()));
            }
        }
        return out;
    }
}
