package io.distill4j.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

/**
 * The epoch loop shared by teachers and students: before each epoch an {@code epochStart} hook runs (schedules set
 * loss parameters there and report their values), then one pass of minibatches from a DL4J
 * {@link MultiDataSetIterator}, then the validation loss. With {@link TrainingSettings#patience()} above zero, training
 * stops after that many epochs without a better validation loss and the best weights are restored.
 *
 * <p>A non-finite training or validation loss stops training with a {@link TrainingDivergedException}.
 */
public final class GraphTrainer {
    private GraphTrainer() {
    }

    /** How a training run ended. */
    public record Outcome(int epochsRun, int bestEpoch, double bestValidationLoss, boolean stoppedEarly,
            long millis) {
    }

    /**
     * Trains {@code graph} in place.
     *
     * @param name the network's name, for messages
     * @param epochStart called with the 0-based epoch before it starts; returns values to report for the epoch
     * @param validation the validation set with the same heads as the training data, or {@code null}
     */
    public static Outcome train(String name, ComputationGraph graph, MultiDataSetIterator train,
            MultiDataSet validation, TrainingSettings settings, IntFunction<Map<String, Double>> epochStart,
            TrainingObserver observer) {
        long started = System.currentTimeMillis();
        INDArray bestParams = null;
        double best = Double.POSITIVE_INFINITY;
        int bestEpoch = -1;
        int epoch = 0;
        boolean stoppedEarly = false;
        for (; epoch < settings.epochs(); epoch++) {
            long t0 = System.currentTimeMillis();
            Map<String, Double> values = new LinkedHashMap<>(epochStart.apply(epoch));
            train.reset();
            double sum = 0;
            long samples = 0;
            while (train.hasNext()) {
                MultiDataSet batch = train.next();
                graph.fit(batch);
                long n = batch.getFeatures(0).size(0);
                sum += graph.score() * n;
                samples += n;
            }
            double trainLoss = sum / Math.max(1, samples);
            if (!Double.isFinite(trainLoss)) {
                throw new TrainingDivergedException(name + ": training loss became " + trainLoss + " in epoch "
                        + (epoch + 1), epoch);
            }
            double validationLoss = Double.NaN;
            if (validation != null) {
                graph.clear();
                validationLoss = graph.score(validation, false);
                graph.clear();
                if (!Double.isFinite(validationLoss)) {
                    throw new TrainingDivergedException(name + ": validation loss became " + validationLoss
                            + " in epoch " + (epoch + 1), epoch);
                }
            }
            observer.onEpoch(new EpochReport(epoch, settings.epochs(), trainLoss, validationLoss, values,
                    System.currentTimeMillis() - t0));
            if (settings.patience() > 0 && validation != null) {
                if (validationLoss < best) {
                    best = validationLoss;
                    bestEpoch = epoch;
                    bestParams = graph.params().dup();
                } else if (epoch - bestEpoch >= settings.patience()) {
                    stoppedEarly = true;
                    epoch++;
                    break;
                }
            } else {
                best = validationLoss;
                bestEpoch = epoch;
            }
        }
        if (bestParams != null) {
            graph.setParams(bestParams);
        }
        return new Outcome(epoch, bestEpoch, best, stoppedEarly, System.currentTimeMillis() - started);
    }
}
