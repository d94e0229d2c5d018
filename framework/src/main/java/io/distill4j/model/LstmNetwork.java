package io.distill4j.model;

import io.distill4j.api.InputKind;
import io.distill4j.api.InputShape;
import io.distill4j.api.Student;
import io.distill4j.config.ConfigNode;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.nd4j.linalg.activations.Activation;

/**
 * A stacked LSTM body over sequence input {@code [n, features, lookback]}: layers {@code lstm_0 .. lstm_k} of the
 * configured sizes; the last one is wrapped in {@code LastTimeStep}, so its activation (also named {@code lstm_k})
 * is the hidden state after the last bar, {@code [n, size]}; earlier layers' activations are {@code [n, size,
 * lookback]}. It is the {@code lstm} student and the body of the {@code lstm} teacher.
 *
 * <pre>
 * teacher:
 *   type: lstm
 *   hidden: [64, 32]       # LSTM sizes, 1..4096 each (default [64]; student default [8])
 *   dropout: 0.1           # dropout probability on each LSTM layer's input, in [0, 0.9]
 *   training: {epochs: 20, batch_size: 256, learning_rate: 0.001, l2: 0.0001, patience: 3}   # teacher only
 * student:
 *   type: lstm
 *   hidden: [8]
 * </pre>
 *
 * <p>LSTMs train at roughly 600-1500 samples/s on a laptop CPU: keep sizes and lookback modest.
 */
public record LstmNetwork(List<Integer> hidden, double dropout) implements Student {
    public LstmNetwork {
        hidden = List.copyOf(hidden);
        if (hidden.isEmpty() || dropout < 0 || dropout > 0.9) {
            throw new IllegalArgumentException("invalid lstm " + hidden + " " + dropout);
        }
    }

    /** Reads {@code hidden, dropout} from a section, with {@code defaultHidden} when absent. */
    public static LstmNetwork parse(ConfigNode node, List<Integer> defaultHidden) {
        return new LstmNetwork(node.integerList("hidden", defaultHidden, 1, 4096),
                node.number("dropout", 0.0, 0.0, 0.9));
    }

    @Override
    public String describe() {
        return "lstm" + hidden.toString().replace(" ", "");
    }

    @Override
    public InputKind inputKind() {
        return InputKind.SEQUENCE;
    }

    @Override
    public String addBody(ComputationGraphConfiguration.GraphBuilder graph, String input, InputShape shape) {
        return addLayers(graph, input, shape, true);
    }

    /**
     * Adds the LSTM layers; with {@code lastTimeStep} the last is wrapped in {@code LastTimeStep} (the window form of
     * {@link #addBody}), without it every layer's activation is the whole sequence {@code [n, size, T]} (the form a
     * sequential student trains in, with a loss at every bar). Same layer names and parameters either way.
     *
     * @return the last layer's name
     */
    public String addLayers(ComputationGraphConfiguration.GraphBuilder graph, String input, InputShape shape,
            boolean lastTimeStep) {
        String previous = input;
        int nIn = shape.features();
        for (int i = 0; i < hidden.size(); i++) {
            String name = "lstm_" + i;
            LSTM.Builder layer = new LSTM.Builder().nIn(nIn).nOut(hidden.get(i)).activation(Activation.TANH);
            if (dropout > 0) {
                layer.dropOut(1.0 - dropout); // DL4J takes the retain probability
            }
            if (lastTimeStep && i == hidden.size() - 1) {
                graph.addLayer(name, new LastTimeStep(layer.build()), previous);
            } else {
                graph.addLayer(name, layer.build(), previous);
            }
            previous = name;
            nIn = hidden.get(i);
        }
        return previous;
    }

    @Override
    public int outputSize() {
        return hidden.get(hidden.size() - 1);
    }

    @Override
    public List<String> featureLayers() {
        return Networks.numbered("lstm", hidden.size());
    }
}
