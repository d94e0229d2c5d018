package io.distill4j.sequence;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.InputShape;
import io.distill4j.api.TrainingObserver;
import io.distill4j.api.VertexNames;
import io.distill4j.distill.StudentDistiller;
import io.distill4j.model.Networks;
import io.distill4j.train.GraphTrainer;
import io.distill4j.train.PhaseTimes;
import io.distill4j.train.TrainingSettings;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.dataset.adapter.SingletonMultiDataSetIterator;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Trains a {@link SequentialLstm} with its state carried across consecutive bars: the training split is read as one
 * run of bars ({@link BarStreams#run}), cut into {@code streams} contiguous streams, and each epoch is one DL4J fit
 * with {@link BackpropType#TruncatedBPTT} (forward and backward length {@code tbptt}): DL4J walks the streams
 * segment by segment, one parameter update per segment of {@code streams x tbptt} bars, carrying every stream's
 * LSTM state from one segment into the next (gradients stop at the segment boundary) and clearing it at the start
 * of the epoch. The loss ({@link DistillationLoss#lossFunction()}, one head) is applied at every labelled bar
 * through an {@link RnnOutputLayer} named {@value VertexNames#LOGITS}, so each bar's labels are those of the
 * window-trained student's sample at that bar (hard label, teacher output, term weights).
 *
 * <p>Validation and prediction run the state over a split's bars from its first window's start ({@code lookback -
 * 1} bars before its first sample), {@link #predict}; the epoch loop, criterion and early stopping are
 * {@link GraphTrainer}'s. The trained parameters are copied into the window-form graph of the same student (same
 * layer names and shapes), returned for the framework's feature comparison and export; the result's
 * {@link StudentDistiller.Result#logits} predicts by {@link #predict}.
 */
public final class SequentialDistiller {
    private SequentialDistiller() {
    }

    /** Trains {@code student} with its one loss head; the other arguments as {@link StudentDistiller#train}. */
    public static StudentDistiller.Result train(String name, SequentialLstm student, List<DistillationLoss> losses,
            InputShape shape, TrainingSettings training, StudentDistiller.SplitData train,
            StudentDistiller.SplitData validation, long seed, TrainingObserver observer) {
        if (losses.size() != 1 || !losses.get(0).inputVertex().equals(VertexNames.LOGITS)) {
            throw new IllegalArgumentException("a sequential student trains one loss head on logits, got "
                    + losses.stream().map(DistillationLoss::describe).toList());
        }
        INDArray perSample = StudentDistiller.labels(losses, train)[0];
        int lookback = (int) train.input().size(2);
        int streams = (int) Math.min(student.streams(), Math.max(1, (train.input().size(0) + lookback - 1) / 2));
        long building = System.nanoTime();
        ComputationGraph graph = build(student, losses.get(0), shape, training, seed);
        PhaseTimes.since(PhaseTimes.Phase.GRAPH_BUILD, building);
        INDArray x = BarStreams.streams(BarStreams.run(train.input()), streams);
        INDArray y = BarStreams.streams(BarStreams.labels(perSample, lookback), streams);
        INDArray mask = BarStreams.streams(BarStreams.mask(perSample.size(0), lookback), streams)
                .castTo(x.dataType());
        var data = new MultiDataSet(new INDArray[] {x}, new INDArray[] {y.castTo(x.dataType())}, null,
                new INDArray[] {mask});
        INDArray teacherLogits = validation.teachers().isEmpty() ? null
                : validation.teachers().values().iterator().next().logits();
        var validationSet = new GraphTrainer.Validation(validation.input(), validation.oneHot(), teacherLogits);
        GraphTrainer.Outcome outcome = GraphTrainer.train(name, graph, new SingletonMultiDataSetIterator(data),
                validationSet, training, epoch -> Map.of(), observer, g -> predict(g, validation.input()));
        ComputationGraph windows = Networks.build(student, losses, shape, training, seed,
                Map.of(losses.get(0).headName(), perSample.size(1)));
        for (String layer : layers(student)) {
            windows.getLayer(layer).setParams(graph.getLayer(layer).params().dup());
        }
        return new StudentDistiller.Result(windows, outcome, input -> predict(graph, input));
    }

    /** The trainable layers, by name: {@code lstm_0 .. lstm_k} and {@code logits}. */
    static List<String> layers(SequentialLstm student) {
        List<String> out = new java.util.ArrayList<>(student.featureLayers());
        out.add(VertexNames.LOGITS);
        return out;
    }

    /**
     * The sequence-form training graph: the student's LSTM layers over the whole sequence and an identity
     * {@link RnnOutputLayer} {@value VertexNames#LOGITS} with {@code loss}, truncated BPTT of {@code tbptt} bars.
     */
    static ComputationGraph build(SequentialLstm student, DistillationLoss loss, InputShape shape,
            TrainingSettings training, long seed) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER)
                .updater(new Adam(training.learningRate()))
                .l2(training.l2())
                .graphBuilder()
                .addInputs(VertexNames.INPUT)
                .setInputTypes(InputType.recurrent(shape.features()));
        String last = student.body().addLayers(g, VertexNames.INPUT, shape, false);
        g.addLayer(VertexNames.LOGITS, new RnnOutputLayer.Builder().nIn(student.outputSize()).nOut(shape.classes())
                .activation(Activation.IDENTITY).lossFunction(loss.lossFunction()).build(), last);
        g.setOutputs(VertexNames.LOGITS)
                .backpropType(BackpropType.TruncatedBPTT)
                .tBPTTForwardLength(student.tbptt())
                .tBPTTBackwardLength(student.tbptt());
        ComputationGraph graph = new ComputationGraph(g.build());
        graph.init();
        return graph;
    }

    /**
     * The sequence graph's logits {@code [n, C]} for a split's windows {@code [n, F, L]}: the state starts at zero
     * on the split's first bar ({@code L - 1} bars before its first sample) and is carried through every bar; sample
     * {@code k}'s logits are the output at its own bar. The same as feeding the bars one at a time with
     * {@code rnnTimeStep}, as in production.
     */
    public static INDArray predict(ComputationGraph sequenceGraph, INDArray windows) {
        INDArray run = BarStreams.run(windows);
        long lookback = windows.size(2);
        sequenceGraph.rnnClearPreviousState();
        sequenceGraph.clear();
        INDArray out = sequenceGraph.output(false, run)[0]; // [1, C, L - 1 + n]
        sequenceGraph.clear();
        return out.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.interval(lookback - 1,
                out.size(2))).transpose().dup('c');
    }
}
