package io.distill4j.train;

import io.distill4j.config.ConfigNode;
import java.io.Serializable;

/**
 * The optimisation budget of one network: epochs, minibatch size, Adam learning rate, L2 weight decay, and early
 * stopping patience on validation loss ({@code 0} = off: train all epochs and keep the last weights).
 */
public record TrainingSettings(int epochs, int batchSize, double learningRate, double l2, int patience)
        implements Serializable {

    public TrainingSettings {
        if (epochs < 1 || batchSize < 1 || !(learningRate > 0) || l2 < 0 || patience < 0) {
            throw new IllegalArgumentException("invalid training settings " + epochs + "/" + batchSize);
        }
    }

    /**
     * Reads {@code epochs, batch_size, learning_rate, l2, patience} from a section, with the given defaults.
     */
    public static TrainingSettings parse(ConfigNode node, TrainingSettings defaults) {
        return new TrainingSettings(
                node.integer("epochs", defaults.epochs(), 1, 100_000),
                node.integer("batch_size", defaults.batchSize(), 1, 1 << 20),
                node.number("learning_rate", defaults.learningRate(), 1e-9, 10),
                node.number("l2", defaults.l2(), 0, 10),
                node.integer("patience", defaults.patience(), 0, 100_000));
    }
}
