package io.distill4j.sequence;

import io.distill4j.api.InputKind;
import io.distill4j.api.InputShape;
import io.distill4j.api.Student;
import io.distill4j.config.ConfigNode;
import io.distill4j.model.LstmNetwork;
import io.distill4j.plugin.AbstractPluginFactory;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;

/**
 * An LSTM student with its state carried across consecutive bars (type {@code sequential_lstm}): trained by
 * {@link SequentialDistiller} with truncated backpropagation through time (Williams and Peng, "An Efficient
 * Gradient-Based Algorithm for On-Line Training of Recurrent Network Trajectories", Neural Computation 1990) over
 * the training split read as {@code streams} contiguous runs of bars, {@code tbptt} bars per segment, the state
 * carried from segment to segment and a loss at every bar; it predicts, as it is trained, from all bars since the
 * start of the split it runs on (its state carried bar by bar, {@code rnnTimeStep}), not from a window.
 *
 * <p>Its layers, names and parameter shapes are those of the {@code lstm} student ({@link LstmNetwork}), which is the
 * same network trained on independent windows of {@code lookback} bars from a zero state: a grid over the two
 * compares them at the same budget and seeds. The graph built by {@link #addBody} is the window form (for the
 * framework's feature comparison and export, which read windows); the trained parameters are copied into it.
 *
 * <pre>
 * student:
 *   type: sequential_lstm
 *   hidden: [16]        # LSTM sizes, 1..4096 each (default [8])
 *   dropout: 0          # on each LSTM layer's input, in [0, 0.9]
 *   tbptt: 32           # bars per truncated-BPTT segment, 2..100000 (default 32)
 *   streams: 32         # parallel contiguous runs of the training split (the minibatch), 1..4096 (default 32)
 * </pre>
 *
 * @param body the LSTM layers
 * @param tbptt the truncated-BPTT segment length in bars (forward and backward)
 * @param streams the number of parallel streams the training split is cut into
 */
public record SequentialLstm(LstmNetwork body, int tbptt, int streams) implements Student {
    /** The config type. */
    public static final String TYPE = "sequential_lstm";

    public SequentialLstm {
        if (body == null || tbptt < 2 || streams < 1) {
            throw new IllegalArgumentException("invalid sequential_lstm " + body + " tbptt " + tbptt + " streams "
                    + streams);
        }
    }

    @Override
    public String describe() {
        return "sequential_" + body.describe() + "(tbptt=" + tbptt + ",streams=" + streams + ")";
    }

    @Override
    public InputKind inputKind() {
        return InputKind.SEQUENCE;
    }

    @Override
    public String addBody(ComputationGraphConfiguration.GraphBuilder graph, String input, InputShape shape) {
        return body.addBody(graph, input, shape);
    }

    @Override
    public int outputSize() {
        return body.outputSize();
    }

    @Override
    public List<String> featureLayers() {
        return body.featureLayers();
    }

    /** Factory for {@code type: sequential_lstm}. */
    public static final class Factory extends AbstractPluginFactory<Student> {
        public Factory() {
            super(Student.class, TYPE, s -> new SequentialLstm(LstmNetwork.parse(s, List.of(8)),
                    s.integer("tbptt", 32, 2, 100_000), s.integer("streams", 32, 1, 4096)));
        }
    }
}
