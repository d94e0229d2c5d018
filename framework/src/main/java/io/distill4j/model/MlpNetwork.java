package io.distill4j.model;

import io.distill4j.api.InputKind;
import io.distill4j.api.InputShape;
import io.distill4j.api.Student;
import io.distill4j.config.ConfigNode;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.nd4j.linalg.activations.Activation;

/**
 * A multilayer perceptron body over tabular features: dense layers {@code hidden_0 .. hidden_k} of the configured
 * widths. It is the {@code mlp} student, and the body of the {@code mlp} teacher.
 *
 * <pre>
 * student:
 *   type: mlp
 *   hidden: [16, 8]        # widths, 1..65536 each
 *   activation: relu       # relu | tanh | leakyrelu | elu | gelu | swish
 *   dropout: 0.0           # dropout probability in [0, 0.9]
 * </pre>
 */
public record MlpNetwork(List<Integer> hidden, String activation, double dropout) implements Student {
    /** Activations accepted in study files. */
    public static final List<String> ACTIVATIONS = List.of("relu", "tanh", "leakyrelu", "elu", "gelu", "swish");

    public MlpNetwork {
        hidden = List.copyOf(hidden);
        if (hidden.isEmpty() || !ACTIVATIONS.contains(activation) || dropout < 0 || dropout > 0.9) {
            throw new IllegalArgumentException("invalid mlp " + hidden + " " + activation + " " + dropout);
        }
    }

    /** Reads {@code hidden, activation, dropout} from a section, with {@code defaultHidden} when absent. */
    public static MlpNetwork parse(ConfigNode node, List<Integer> defaultHidden) {
        return new MlpNetwork(node.integerList("hidden", defaultHidden, 1, 65_536),
                node.choice("activation", "relu", ACTIVATIONS),
                node.number("dropout", 0.0, 0.0, 0.9));
    }

    /** The DL4J activation of a name in {@link #ACTIVATIONS}. */
    static Activation activation(String name) {
        return Activation.valueOf(name.toUpperCase(Locale.ROOT));
    }

    @Override
    public String describe() {
        return "mlp" + hidden.toString().replace(" ", "");
    }

    @Override
    public InputKind inputKind() {
        return InputKind.TABULAR;
    }

    @Override
    public String addBody(ComputationGraphConfiguration.GraphBuilder graph, String input, InputShape shape) {
        String previous = input;
        int nIn = shape.features();
        for (int i = 0; i < hidden.size(); i++) {
            String name = "hidden_" + i;
            DenseLayer.Builder layer = new DenseLayer.Builder().nIn(nIn).nOut(hidden.get(i))
                    .activation(activation(activation));
            if (dropout > 0) {
                layer.dropOut(1.0 - dropout); // DL4J takes the retain probability
            }
            graph.addLayer(name, layer.build(), previous);
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
        return Networks.numbered("hidden", hidden.size());
    }
}
