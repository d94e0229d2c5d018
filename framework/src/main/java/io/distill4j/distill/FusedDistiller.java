package io.distill4j.distill;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.EpochReport;
import io.distill4j.api.InputShape;
import io.distill4j.api.Student;
import io.distill4j.api.TrainingObserver;
import io.distill4j.api.VertexNames;
import io.distill4j.loss.DoubleRows;
import io.distill4j.loss.FusedLogitLossFunction;
import io.distill4j.loss.LogitLossFunction;
import io.distill4j.model.TrainingLayers;
import io.distill4j.model.MlpNetwork;
import io.distill4j.model.Networks;
import io.distill4j.train.GraphTrainer;
import io.distill4j.train.PhaseTimes;
import io.distill4j.train.ShufflingMultiDataSetIterator;
import io.distill4j.train.TrainingDivergedException;
import io.distill4j.train.TrainingSettings;
import io.distill4j.train.ViewReusingUpdater;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Horizontally fused training (Wang et al., "Horizontally Fused Training Array", MLSys 2021): N students of the same
 * MLP shape and budget, each with its own seed, minibatch order and logit loss, trained as one wider DL4J network, so
 * that DL4J's per-operation cost (about 10-16 µs, most of a tiny student's step) is paid once per step for all N.
 *
 * <p>The fused network reads {@code [B, N*in]}: block {@code b}'s columns hold <em>its own</em> minibatch (the rows
 * its own shuffle would serve alone; the blocks have the same sample count, so the same minibatch sizes, the last one
 * partial). Each dense layer (the hidden layers and {@code logits}) has weights {@code [N*in, N*out]} kept
 * block-diagonal by {@link BlockDiagonalConstraint} and biases {@code [1, N*out]}; the output
 * {@code [B, N*C]} goes to a {@link FusedLogitLossFunction} that applies each block's own loss (its temperature,
 * alpha and weight, moved by its own schedules at each epoch) to its own columns. Adam and L2 act elementwise, so every
 * block's weights follow the same trajectory as the same student trained alone by {@link StudentDistiller}, up to
 * the summation order of the wider matrix products (float rounding; {@code FusedDistillerTest} bounds the
 * difference). Each block starts from the weights {@link Networks#build} gives its seed and ends copied back into that
 * ordinary student graph, so evaluation and export see a normal student.
 *
 * <p>Per block and per epoch, exactly as {@link GraphTrainer} and {@link StudentDistiller} report a lone student: the
 * training loss (its loss terms averaged over the epoch's samples, plus its own L2 term), the validation criterion and
 * metrics, {@code objective.train.<head>}, {@code objective.val.<head>} and the scheduled values; divergence (above
 * {@link GraphTrainer#DIVERGENCE_FACTOR} times its first minibatch's loss) fails that block alone; with patience, a
 * block whose criterion stopped improving is switched off (its loss no longer gives it a gradient; it keeps drifting
 * only by its optimiser's decaying momentum and L2, which does not matter: its best epoch's weights, kept aside, are
 * what it ends with, as alone). A non-finite loss in any block stops the whole group with an
 * {@link IllegalStateException} (a NaN or infinite activation times an off-diagonal zero is NaN, so it would reach
 * the other blocks): the caller then trains the group's students one by one.
 *
 * <p>What qualifies ({@link #fusable}): an {@link MlpNetwork} student without dropout (a dropout mask would be drawn
 * differently) and one head on {@code logits} whose loss is a {@link LogitLossFunction} with labels {@code [y | v]}
 * (Hinton KD, DKD, DIST, plain cross-entropy; no term weights, regime columns, pre-training or extra head layers).
 */
public final class FusedDistiller {
    private static final String OUTPUT = "fused";

    private FusedDistiller() {
    }

    /** One student of a group: what {@link StudentDistiller#train} would get for it alone. */
    public record Block(String name, List<DistillationLoss> losses, List<StudentDistiller.ScheduledParameter> schedules,
            StudentDistiller.SplitData train, StudentDistiller.SplitData validation, long seed, long shuffleSeed) {
    }

    /**
     * A block's outcome: its trained student with the epoch reports it would have sent alone, or the failure that
     * ended it (after the reports of the epochs before).
     */
    public record Trained(StudentDistiller.Result result, List<EpochReport> reports, RuntimeException failure) {
        /** Sends the reports to {@code observer}, then returns the result or throws the failure. */
        public StudentDistiller.Result replay(TrainingObserver observer) {
            reports.forEach(observer::onEpoch);
            if (failure != null) {
                throw failure;
            }
            return result;
        }
    }

    /** Whether a student with these losses can be trained fused (see the class comment); labels must be {@code [y | v]}. */
    public static boolean fusable(Student student, List<DistillationLoss> losses, StudentDistiller.SplitData train,
            InputShape shape) {
        if (!(student instanceof MlpNetwork mlp) || mlp.dropout() > 0 || losses.size() != 1
                || train.termWeights() != null) {
            return false;
        }
        DistillationLoss loss = losses.get(0);
        return loss.lossFunction() instanceof LogitLossFunction && loss.inputVertex().equals(VertexNames.LOGITS)
                && loss.pretrainingEpochs() == 0
                && StudentDistiller.labels(losses, train)[0].size(1) == 2L * shape.classes();
    }

    /**
     * Trains {@code blocks} (at least one) fused; each block's outcome in order. The outcomes' training time is the
     * group's.
     *
     * @throws IllegalStateException when a loss became non-finite (train the blocks one by one instead)
     * @throws IllegalArgumentException when a block does not qualify or the blocks differ in sample counts
     */
    public static List<Trained> train(Student student, InputShape shape, TrainingSettings training,
            List<Block> blocks) {
        long building = System.nanoTime();
        Group g = new Group(student, shape, training, blocks);
        PhaseTimes.since(PhaseTimes.Phase.GRAPH_BUILD, building);
        return g.train();
    }

    /** The state of one fused training run. */
    static final class Group {
        private final MlpNetwork mlp;
        private final TrainingSettings training;
        private final List<Block> blocks;
        private final int count;
        private final int n;
        private final List<String> layers = new ArrayList<>();
        private final ComputationGraph[] alone;
        private final ComputationGraph fused;
        private final FusedLogitLossFunction loss;
        private final INDArray[] trainLabels;
        private final INDArray[] validationLabels;
        private final INDArray validationInput;
        /**
         * Each block's training inputs (k = 0) and labels (k = 1), row-major on the heap, read once: a
         * {@code float[]} for float arrays (no widening and narrowing every epoch), else a {@code double[]}.
         */
        private final Object[][] sources = new Object[2][];
        private final int[][] widths = new int[2][];
        /** The epoch's inputs and labels ({@link #epochArrays}) and their rows on the heap, reused every epoch. */
        private final INDArray[] epochArrays = new INDArray[2];
        private final Object[] epochRows = new Object[2];

        Group(Student student, InputShape shape, TrainingSettings training, List<Block> blocks) {
            if (blocks.isEmpty()) {
                throw new IllegalArgumentException("no block to train");
            }
            this.mlp = (MlpNetwork) student;
            this.training = training;
            this.blocks = List.copyOf(blocks);
            this.count = blocks.size();
            this.n = (int) blocks.get(0).train().input().size(0);
            for (int i = 0; i < mlp.hidden().size(); i++) {
                layers.add("hidden_" + i);
            }
            layers.add(VertexNames.LOGITS);
            alone = new ComputationGraph[count];
            trainLabels = new INDArray[count];
            validationLabels = new INDArray[count];
            List<LogitLossFunction> functions = new ArrayList<>();
            for (int b = 0; b < count; b++) {
                Block block = blocks.get(b);
                if (!fusable(student, block.losses(), block.train(), shape) || block.train().input().size(0) != n
                        || block.validation().input().size(0) != blocks.get(0).validation().input().size(0)) {
                    throw new IllegalArgumentException("block " + block.name() + " cannot be trained fused");
                }
                trainLabels[b] = StudentDistiller.labels(block.losses(), block.train())[0];
                validationLabels[b] = StudentDistiller.labels(block.losses(), block.validation())[0];
                DistillationLoss head = block.losses().get(0);
                // the graph this student would train alone: its initial weights, and where it ends
                alone[b] = Networks.build(student, block.losses(), shape, training, block.seed(),
                        Map.of(head.headName(), trainLabels[b].size(1)));
                functions.add((LogitLossFunction) head.lossFunction());
            }
            loss = new FusedLogitLossFunction(functions, shape.classes());
            fused = build(shape);
            for (int b = 0; b < count; b++) {
                copyIn(b);
            }
            ViewReusingUpdater.install(fused);
            validationInput = Nd4j.hstack(blocks.stream().map(x -> x.validation().input()).toArray(INDArray[]::new));
            for (int k = 0; k < 2; k++) {
                sources[k] = new Object[count];
                widths[k] = new int[count];
                boolean floats = true;
                for (int b = 0; b < count; b++) {
                    floats &= (k == 0 ? blocks.get(b).train().input() : trainLabels[b]).dataType() == DataType.FLOAT;
                }
                for (int b = 0; b < count; b++) {
                    INDArray a = k == 0 ? blocks.get(b).train().input() : trainLabels[b];
                    sources[k][b] = floats ? DoubleRows.flatFloats(a) : DoubleRows.flat(a);
                    widths[k][b] = (int) a.size(1);
                }
            }
        }

        /** The fused network (for tests: its off-diagonal weights stay zero). */
        ComputationGraph fused() {
            return fused;
        }

        /** The fused graph: the student's dense layers N times wider, block-diagonal, and the fused loss. */
        private ComputationGraph build(InputShape shape) {
            ComputationGraphConfiguration.GraphBuilder g = Networks.trainingBase(training, 0).graphBuilder()
                    .addInputs(VertexNames.INPUT)
                    .setInputTypes(InputType.feedForward((long) count * shape.features()));
            String previous = VertexNames.INPUT;
            long nIn = shape.features();
            for (String layer : layers) {
                long nOut = alone[0].getLayer(layer).getParam("W").size(1);
                Activation activation = layer.equals(VertexNames.LOGITS) ? Activation.IDENTITY
                        : Activation.valueOf(mlp.activation().toUpperCase(Locale.ROOT));
                g.addLayer(layer, new DenseLayer.Builder().nIn(count * nIn).nOut(count * nOut).activation(activation)
                        .constrainWeights(new BlockDiagonalConstraint(count)).build(), previous);
                previous = layer;
                nIn = nOut;
            }
            g.addLayer(OUTPUT, new LossLayer.Builder().lossFunction(loss).activation(Activation.IDENTITY).build(),
                    previous);
            g.setOutputs(OUTPUT);
            ComputationGraph graph = new ComputationGraph(g.build());
            graph.init();
            TrainingLayers.install(graph);
            for (String layer : layers) { // no trace of XAVIER's off-diagonal draws
                graph.getLayer(layer).getParam("W").assign(0);
            }
            return graph;
        }

        /** Where a block's parameter {@code alone} (a weight matrix, or a bias of any rank) sits in the fused one. */
        private static INDArrayIndex[] block(INDArray alone, int b, String key) {
            if (key.equals("W")) {
                long rows = alone.size(0);
                long cols = alone.size(1);
                return new INDArrayIndex[] {NDArrayIndex.interval(b * rows, (b + 1) * rows),
                    NDArrayIndex.interval(b * cols, (b + 1) * cols)};
            }
            long len = alone.length();
            INDArrayIndex own = NDArrayIndex.interval(b * len, (b + 1) * len);
            return alone.rank() == 1 ? new INDArrayIndex[] {own} : new INDArrayIndex[] {NDArrayIndex.all(), own};
        }

        /** Block {@code b}'s weights from its own graph into the fused one. */
        private void copyIn(int b) {
            for (String layer : layers) {
                for (String key : List.of("W", "b")) {
                    INDArray own = alone[b].getLayer(layer).getParam(key);
                    fused.getLayer(layer).getParam(key).get(block(own, b, key)).assign(own);
                }
            }
        }

        /** Block {@code b}'s weights from the fused graph into its own. */
        private void copyOut(int b) {
            for (String layer : layers) {
                for (String key : List.of("W", "b")) {
                    INDArray own = alone[b].getLayer(layer).getParam(key);
                    own.assign(fused.getLayer(layer).getParam(key).get(block(own, b, key)));
                }
            }
        }

        /** Each block's L2 term (DL4J's {@code l2/2 * sum(W^2)} over its weights, biases excluded). */
        private double[] l2Terms() {
            double[] out = new double[count];
            if (training.l2() == 0) {
                return out;
            }
            for (String layer : layers) {
                INDArray w = fused.getLayer(layer).getParam("W");
                long rows = w.size(0) / count;
                long cols = w.size(1) / count;
                double[] flat = DoubleRows.flat(w);
                long width = w.size(1);
                for (int b = 0; b < count; b++) {
                    double sum = 0;
                    for (long r = b * rows; r < (b + 1) * rows; r++) {
                        for (long k = b * cols; k < (b + 1) * cols; k++) {
                            double v = flat[(int) (r * width + k)];
                            sum += v * v;
                        }
                    }
                    out[b] += 0.5 * training.l2() * sum;
                }
            }
            return out;
        }

        /**
         * The epoch's inputs and labels, each block's rows in its own order, side by side: written into the same two
         * arrays every epoch (a new native array of the whole training split per epoch cost a fifth of the
         * training).
         */
        private INDArray[] epochArrays(int[][] orders) {
            for (int k = 0; k < 2; k++) {
                Object[] source = sources[k];
                int[] w = widths[k];
                int width = java.util.Arrays.stream(w).sum();
                boolean floats = source[0] instanceof float[];
                if (epochArrays[k] == null) {
                    DataType type = floats ? DataType.FLOAT
                            : (k == 0 ? blocks.get(0).train().input() : trainLabels[0]).dataType();
                    try (var none = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) { // kept across fits
                        epochArrays[k] = Nd4j.createUninitialized(type, n, width);
                    }
                    epochRows[k] = floats ? new float[n * width] : new double[n * width];
                }
                Object flat = epochRows[k];
                for (int i = 0; i < n; i++) {
                    int at = i * width;
                    for (int b = 0; b < count; b++) {
                        System.arraycopy(source[b], orders[b][i] * w[b], flat, at, w[b]);
                        at += w[b];
                    }
                }
                if (floats) {
                    DoubleRows.write(epochArrays[k], (float[]) flat);
                } else {
                    DoubleRows.write(epochArrays[k], (double[]) flat);
                }
            }
            return epochArrays;
        }

        List<Trained> train() {
            long started = System.currentTimeMillis();
            Random[] shuffles = new Random[count];
            List<List<EpochReport>> reports = new ArrayList<>();
            RuntimeException[] failures = new RuntimeException[count];
            GraphTrainer.Progress[] progress = new GraphTrainer.Progress[count];
            GraphTrainer.Validation[] validation = new GraphTrainer.Validation[count];
            GraphTrainer.Targets[] targets = new GraphTrainer.Targets[count];
            LogitLossFunction.HeapLabels[] heapLabels = new LogitLossFunction.HeapLabels[count];
            List<Map<DistillationLoss, Map<String, Double>>> configured = new ArrayList<>();
            int[] epochsRun = new int[count];
            boolean[] active = new boolean[count];
            double[] initial = new double[count];
            java.util.Arrays.fill(initial, Double.NaN);
            for (int b = 0; b < count; b++) {
                Block block = blocks.get(b);
                shuffles[b] = new Random(block.shuffleSeed());
                ShufflingMultiDataSetIterator.permutation(shuffles[b], n); // the draw a lone iterator makes when built
                reports.add(new ArrayList<>());
                progress[b] = new GraphTrainer.Progress(training, true);
                INDArray teacher = block.validation().teachers().isEmpty() ? null
                        : block.validation().teachers().values().iterator().next().logits();
                validation[b] = new GraphTrainer.Validation(block.validation().input(), block.validation().oneHot(),
                        teacher);
                targets[b] = validation[b].targets();
                if (block.losses().get(0).lossFunction() instanceof LogitLossFunction) {
                    heapLabels[b] = new LogitLossFunction.HeapLabels(validationLabels[b]);
                }
                configured.add(StudentDistiller.configured(block.losses()));
                active[b] = true;
            }
            for (int epoch = 0; epoch < training.epochs() && anyActive(active); epoch++) {
                long t0 = System.currentTimeMillis();
                List<Map<String, Double>> values = new ArrayList<>();
                int[][] orders = new int[count][];
                for (int b = 0; b < count; b++) {
                    Block block = blocks.get(b);
                    values.add(new LinkedHashMap<>(StudentDistiller.applySchedules(block.losses(), block.schedules(),
                            configured.get(b), epoch, training.epochs())));
                    orders[b] = ShufflingMultiDataSetIterator.permutation(shuffles[b], n);
                }
                long steps = System.nanoTime();
                INDArray[] arrays = epochArrays(orders);
                double[] sums = new double[count];
                double[] headSums = new double[count];
                long samples = 0;
                for (int from = 0; from < n; from += training.batchSize()) {
                    INDArrayIndex rows = NDArrayIndex.interval(from, Math.min(n, from + training.batchSize()));
                    double[] l2 = l2Terms(); // before the update, as DL4J's score
                    fused.fit(new MultiDataSet(arrays[0].get(rows, NDArrayIndex.all()),
                            arrays[1].get(rows, NDArrayIndex.all())));
                    double[] scores = loss.lastScores();
                    int size = Math.min(n, from + training.batchSize()) - from;
                    for (int b = 0; b < count; b++) {
                        double score = scores[b] / size + l2[b];
                        if (Double.isNaN(initial[b])) {
                            initial[b] = score;
                        }
                        sums[b] += score * size;
                        headSums[b] += scores[b];
                    }
                    samples += size;
                }
                PhaseTimes.since(PhaseTimes.Phase.TRAIN_STEPS, steps);
                long validating = System.nanoTime();
                INDArray logits = logits(validationInput);
                PhaseTimes.since(PhaseTimes.Phase.VALIDATION, validating);
                for (int b = 0; b < count; b++) {
                    if (!active[b]) {
                        continue;
                    }
                    Block block = blocks.get(b);
                    double trainLoss = sums[b] / Math.max(1, samples);
                    if (!Double.isFinite(trainLoss)) {
                        throw new IllegalStateException(block.name() + ": training loss became " + trainLoss
                                + " in epoch " + (epoch + 1) + " of fused training");
                    }
                    Map<String, Double> v = values.get(b);
                    try {
                        GraphTrainer.checkTrainingLoss(block.name(), epoch, trainLoss, initial[b]);
                    } catch (TrainingDivergedException e) { // this student alone fails, as it would alone
                        failures[b] = e;
                        active[b] = false;
                        loss.setActive(b, false);
                        continue;
                    }
                    validating = System.nanoTime();
                    INDArray own = logits.get(NDArrayIndex.all(), NDArrayIndex.interval(
                            b * (logits.size(1) / count), (b + 1) * (logits.size(1) / count))).dup();
                    double validationLoss;
                    try {
                        validationLoss = GraphTrainer.validationEpoch(block.name(), epoch, own, validation[b],
                                targets[b], v);
                    } catch (TrainingDivergedException e) { // non-finite logits may come from another block
                        throw new IllegalStateException(e.getMessage() + " (fused training)", e);
                    }
                    DistillationLoss head = block.losses().get(0);
                    v.put(EpochReport.OBJECTIVE_TRAIN + "." + head.headName(), headSums[b] / Math.max(1, samples));
                    double objective = StudentDistiller.HeadScores.validationScore(head, validationLabels[b],
                            heapLabels[b], own, training.batchSize());
                    v.put(EpochReport.OBJECTIVE_VAL + "." + head.headName(), objective);
                    v.put(EpochReport.OBJECTIVE_VAL, objective);
                    PhaseTimes.since(PhaseTimes.Phase.VALIDATION, validating);
                    reports.get(b).add(new EpochReport(epoch, training.epochs(), trainLoss, validationLoss, v,
                            System.currentTimeMillis() - t0));
                    epochsRun[b] = epoch + 1;
                    int bb = b;
                    if (progress[b].stop(epoch, validationLoss, () -> {
                        copyOut(bb);
                        return alone[bb].params();
                    })) {
                        active[b] = false; // it ends with its best epoch's weights (restored below)
                        loss.setActive(b, false);
                    }
                }
            }
            long millis = System.currentTimeMillis() - started;
            List<Trained> out = new ArrayList<>();
            for (int b = 0; b < count; b++) {
                if (failures[b] != null) {
                    out.add(new Trained(null, List.copyOf(reports.get(b)), failures[b]));
                    continue;
                }
                if (active[b]) {
                    copyOut(b);
                }
                if (progress[b].bestParams() != null) {
                    alone[b].setParams(progress[b].bestParams());
                }
                out.add(new Trained(new StudentDistiller.Result(alone[b], progress[b].outcome(epochsRun[b], millis)),
                        List.copyOf(reports.get(b)), null));
            }
            return out;
        }

        private static boolean anyActive(boolean[] active) {
            for (boolean a : active) {
                if (a) {
                    return true;
                }
            }
            return false;
        }

        /** The fused logits {@code [n, N*C]} on {@code input} (inference mode). */
        private INDArray logits(INDArray input) {
            return GraphTrainer.logits(fused, input);
        }
    }
}
