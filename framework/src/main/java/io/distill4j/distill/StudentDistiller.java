package io.distill4j.distill;

import io.distill4j.train.GraphTrainer;
import io.distill4j.train.TrainingSettings;
import io.distill4j.train.ShufflingMultiDataSetIterator;

import io.distill4j.api.TrainingObserver;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.InputShape;
import io.distill4j.api.Schedule;
import io.distill4j.api.Student;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.model.Networks;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trains one student graph with one head per loss term against cached teacher outputs, applying each schedule to
 * its loss parameter at the start of every epoch. The student-alone baseline is the same procedure with a single
 * {@link io.distill4j.loss.HardLabelCrossEntropy} head, so both get exactly the same budget.
 */
public final class StudentDistiller {
    private StudentDistiller() {
    }

    /** Inputs, one-hot labels and every teacher's outputs (by teacher name) for the same samples. */
    public record SplitData(INDArray input, INDArray oneHot, Map<String, TeacherOutputs> teachers) {
        public SplitData {
            teachers = Map.copyOf(teachers);
        }
    }

    /** A scheduled parameter: which loss, which parameter, which schedule. */
    public record ScheduledParameter(DistillationLoss loss, String parameter, Schedule schedule) {
    }

    /** The trained student and how training went. */
    public record Result(ComputationGraph graph, GraphTrainer.Outcome outcome) {
        /** The student's logits for {@code input} (inference mode). */
        public INDArray logits(INDArray input) {
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
        ComputationGraph graph = Networks.build(student, losses, shape, training, seed);
        var iterator = new ShufflingMultiDataSetIterator(new INDArray[] {train.input()}, labels(losses, train),
                training.batchSize(), shuffleSeed);
        var validationSet = new GraphTrainer.Validation(validation.input(), validation.oneHot());
        Map<DistillationLoss, Map<String, Double>> configured = new LinkedHashMap<>();
        for (DistillationLoss loss : losses) {
            configured.put(loss, loss.parameters());
        }
        GraphTrainer.Outcome outcome = GraphTrainer.train(name, graph, iterator, validationSet, training, epoch -> {
            Map<String, Double> values = new LinkedHashMap<>();
            for (ScheduledParameter s : schedules) {
                double base = configured.get(s.loss()).get(s.parameter());
                double v = s.schedule().valueAt(epoch, training.epochs(), base);
                s.loss().setParameter(s.parameter(), v);
            }
            for (DistillationLoss loss : losses) {
                loss.parameters().forEach((k, v) -> values.put(losses.size() == 1 ? k : loss.headName() + "." + k, v));
            }
            return values;
        }, observer);
        return new Result(graph, outcome);
    }

    private static INDArray[] labels(List<DistillationLoss> losses, SplitData split) {
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
        }
        return out;
    }
}
