package io.distill4j.model;

import io.distill4j.api.VertexNames;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.Distill4jException;
import io.distill4j.api.DistillationLoss;
import io.distill4j.api.FittedTeacher;
import io.distill4j.api.Schedule;
import io.distill4j.api.InputKind;
import io.distill4j.api.InputShape;
import io.distill4j.api.ModelInput;
import io.distill4j.plugin.Plugins;
import io.distill4j.api.Student;
import io.distill4j.api.Teacher;
import io.distill4j.api.TeacherFitContext;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.config.ConfigNode;
import io.distill4j.config.StudyFileReader;
import io.distill4j.loss.HardLabelCrossEntropy;
import io.distill4j.api.TrainingObserver;
import io.distill4j.train.TrainingSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The contract every registered plugin must keep, one parameterised test per kind over the registry
 * ({@link Plugins#types}), on tiny random data (32 samples, 12 features, lookback 8, 3 classes). This class is also
 * the guide to adding a plugin: register its factory, add a minimal config section to the map of its kind, and these
 * tests run on it.
 *
 * <ul>
 *   <li><b>teacher</b> ({@link #TEACHERS}): builds from its section, names its feature layers before training and
 *       returns exactly those activations, trains (twice with one seed: the same logits), saves and reloads with identical outputs, rejects a wrong input
 *       shape with a message naming the expected and the actual shape.
 *   <li><b>student</b> ({@link #STUDENTS}): builds (the same weights for a seed, others for another), one fit step changes its parameters, its feature layers exist in
 *       the built graph (none only for a body without layers), {@code outputSize(shape)} is its last layer's width, the deployable model reloads identically.
 *   <li><b>loss</b> ({@link #LOSSES}): score finite and {@code >= 0} at random inputs, DL4J gradient check through a
 *       student graph with its head (and any layers the head owns), the {@code weight} parameter scales score and
 *       gradient and rejects negatives, every parameter round-trips through {@code setParameter}.
 *   <li><b>schedule</b> ({@link #SCHEDULES}): finite values at every epoch, between the first and the last (the
 *       built-in schedules are monotone), deterministic, {@code describe()} non-empty.
 * </ul>
 *
 * <p>A newly registered type must be added to the map of its kind (or, if it needs external files, to
 * {@link #OWN_TEST} with a test of its own), else {@link #everyRegisteredTypeHasAMinimalConfig} fails.
 */
class PluginContractTest {
    static final int N = 32;
    static final InputShape SHAPE = new InputShape(12, 8, 3);
    static final long SEED = 7;

    /** Minimal teacher sections: one training epoch, tiny layers. */
    static final Map<String, String> TEACHERS = Map.of(
            "mlp", "{type: mlp, hidden: [8], training: {epochs: 1, batch_size: 16}}",
            "lstm", "{type: lstm, hidden: [4, 3], dropout: 0.1, training: {epochs: 1, batch_size: 16}}",
            "attention", "{type: attention, model_size: 8, heads: 2, hidden: [4], training: {epochs: 1}}",
            "cnn1d", "{type: cnn1d, channels: [4, 4], kernel: 3, pool: avg, hidden: [4], training: {epochs: 1}}",
            "transformer", "{type: transformer, model_size: 4, heads: 2, blocks: 2, ff_size: 8, dropout: 0.1,"
                    + " training: {epochs: 1}}",
            "ensemble", "{type: ensemble, weights: [2, 1], members: [{type: mlp, hidden: [4], training: {epochs: 1}},"
                    + " {type: lstm, hidden: [3], training: {epochs: 1}}]}",
            "strategy", "{type: strategy, fast: 2, slow: 4, volatility_window: 3}",
            "gbt", "{type: gbt, rounds: 3, max_depth: 2, early_stopping: 0}");
    /** Minimal student sections. */
    static final Map<String, String> STUDENTS = Map.of(
            "mlp", "{type: mlp, hidden: [4]}",
            "lstm", "{type: lstm, hidden: [3]}",
            "attention", "{type: attention, model_size: 4, heads: 2}",
            "cnn1d", "{type: cnn1d, channels: [4], kernel: 2, hidden: [3]}",
            "linear", "{type: linear}",
            "sequential_lstm", "{type: sequential_lstm, hidden: [3], tbptt: 4, streams: 2}",
            "transformer", "{type: transformer, model_size: 4, heads: 2, ff_size: 4, readout: last}");
    /**
     * Minimal loss sections. Losses run on a {@code mlp[5,4]} student; teacher layers they name get random
     * activations of width 3. {@link #SEQUENCE_LOSSES} run on an {@code lstm[3,2]} student over 4 steps, and the
     * teacher layers they name get random activations {@code [n, 3, 4]}.
     */
    static final Map<String, String> LOSSES = Map.ofEntries(
            Map.entry("cross_entropy", "{type: cross_entropy}"),
            Map.entry("hinton", "{type: hinton, temperature: 3, alpha: 0.4}"),
            Map.entry("dkd",
                    "{type: dkd, temperature: 3, alpha: 0.4, alpha_dkd: 1.5, beta_dkd: 4, standardize: true}"),
            Map.entry("dist", "{type: dist, temperature: 2, alpha: 0.3, beta: 1.5, gamma: 2}"),
            Map.entry("hint", "{type: hint, student_layer: hidden_0, teacher_layer: hidden_1}"),
            Map.entry("activation", "{type: activation, student_layer: hidden_0, teacher_layer: hidden_1}"),
            Map.entry("similarity", "{type: similarity, student_layer: hidden_0, teacher_layer: hidden_1}"),
            Map.entry("rkd", "{type: rkd, student_layer: hidden_1, teacher_layer: hidden_1}"),
            Map.entry("crd", "{type: crd, student_layer: hidden_0, teacher_layer: hidden_1, temperature: 0.5}"),
            Map.entry("attention", "{type: attention, student_layer: lstm_0, teacher_layer: lstm_0}"),
            Map.entry("regression_kd", "{type: regression_kd, alpha: 0.4, label_loss: huber, delta: 0.5}"));
    /** Loss types whose layers need a time axis. */
    static final Set<String> SEQUENCE_LOSSES = Set.of("attention");
    /** Minimal schedule sections. */
    static final Map<String, String> SCHEDULES = Map.of(
            "constant", "{type: constant}",
            "linear", "{type: linear, start: 8, end: 2}",
            "cosine", "{type: cosine, end: 0.5}",
            "step", "{type: step, start: 4, factor: 0.5, every: 2}");
    /** Types that read external files: tested below with files they are given ({@code saved}). */
    static final Set<String> OWN_TEST = Set.of("saved");
    /** Test-only plugins registered by the test class path. */
    static final Set<String> TEST_ONLY = Set.of("exploding");

    static final RandomData DATA = new RandomData(SHAPE, 11);
    static final RandomData VALIDATION = new RandomData(SHAPE, 12);
    static final INDArray LABELS = oneHot(N, SHAPE.classes(), 13);

    @Test
    void everyRegisteredTypeHasAMinimalConfig() {
        assertEquals(new TreeSet<>(TEACHERS.keySet()), tested(Teacher.class),
                "every registered teacher type needs a minimal section in TEACHERS (or an own test)");
        assertEquals(new TreeSet<>(STUDENTS.keySet()), tested(Student.class),
                "every registered student type needs a minimal section in STUDENTS (or an own test)");
        assertEquals(new TreeSet<>(LOSSES.keySet()), tested(DistillationLoss.class),
                "every registered loss type needs a minimal section in LOSSES");
        assertEquals(new TreeSet<>(SCHEDULES.keySet()), tested(Schedule.class),
                "every registered schedule type needs a minimal section in SCHEDULES");
    }

    private static Set<String> tested(Class<?> kind) {
        Set<String> types = new TreeSet<>(Plugins.types(kind));
        types.removeAll(OWN_TEST);
        types.removeAll(TEST_ONLY);
        return types;
    }

    static Stream<String> teacherTypes() {
        return new TreeSet<>(TEACHERS.keySet()).stream();
    }

    static Stream<String> studentTypes() {
        return new TreeSet<>(STUDENTS.keySet()).stream();
    }

    @ParameterizedTest(name = "teacher {0}")
    @MethodSource("teacherTypes")
    void teacherKeepsTheContract(String type, @TempDir Path dir) throws Exception {
        Teacher teacher = Plugins.create(Teacher.class, section(TEACHERS.get(type)));
        assertFalse(teacher.describe().isBlank());
        List<String> named = teacher.featureLayers(); // from the config alone, before training
        FittedTeacher fitted = teacher.fit(context(SHAPE));

        TeacherOutputs out = fitted.infer(DATA);
        assertEquals(Set.copyOf(named), out.featureLayers(), type + ": featureLayers() before training");
        assertClose(out.logits(), teacher.fit(context(SHAPE)).infer(DATA).logits(), type + ": same seed, other logits");
        assertArrayEquals(new long[] {N, SHAPE.classes()}, out.logits().shape(), type);
        assertFinite(out.logits(), type);
        out.features().forEach((name, a) -> assertEquals(N, a.size(0), type + " feature " + name));
        Path zip = dir.resolve("teacher.zip");
        fitted.save(zip);
        assertTrue(java.nio.file.Files.size(zip) > 0, type + " saved nothing");
        if (fitted instanceof GraphTeacher original) {
            // A network teacher: features named after its layers, and the zip restores to identical outputs.
            assertTrue(fitted.parameterCount() > 0, type);
            assertFalse(out.features().isEmpty(), type + " exposes no features");
            assertEquals(Set.copyOf(original.featureLayers()), out.features().keySet(), type);
            GraphTeacher restored = new GraphTeacher(ModelSerializer.restoreComputationGraph(zip.toFile(), false),
                    teacher.inputKind(), original.featureLayers());
            TeacherOutputs again = restored.infer(DATA);
            // The trained graph computes self-attention with DirectSelfAttentionLayer, DL4J's layer to float
            // rounding; the reloaded graph holds DL4J's layer, so those teachers agree to 1e-5, the rest to 1e-6.
            double tolerance = type.equals("attention") || type.equals("transformer") ? 1e-5 : 1e-6;
            assertClose(out.logits(), again.logits(), type + " logits after reload", tolerance);
            out.features().forEach((name, a) -> assertClose(a, again.features().get(name), type + " " + name,
                    tolerance));
        } else if (fitted instanceof GbtTeacher.Fitted) {
            // a tree ensemble: no features, nodes as parameters, XGBoost's model in the zip restores identically
            assertTrue(fitted.parameterCount() > 0, type);
            assertClose(out.logits(), GbtTeacher.Fitted.load(zip).infer(DATA).logits(), type + " logits after reload");
        }

        if (type.equals("strategy")) {
            // a rule-based teacher reads bars, not the input array: invalid input is a bar it has no position for
            RuntimeException e = assertThrows(IllegalArgumentException.class, () -> fitted.infer(new RandomData(
                    SHAPE, 3, BARS.size())));
            assertTrue(e.getMessage().contains("has positions for " + BARS.size() + " bars"), e.getMessage());
        } else {
            RuntimeException e = assertThrows(RuntimeException.class, () -> fitted.infer(new RandomData(
                    new InputShape(SHAPE.features() - 2, SHAPE.lookback(), SHAPE.classes()), 3)));
            assertShapeMessage(e, type);
        }
    }

    @ParameterizedTest(name = "student {0}")
    @MethodSource("studentTypes")
    void studentKeepsTheContract(String type, @TempDir Path dir) throws Exception {
        Student student = Plugins.create(Student.class, section(STUDENTS.get(type)));
        assertFalse(student.describe().isBlank());
        HardLabelCrossEntropy loss = new HardLabelCrossEntropy();
        ComputationGraph graph = Networks.build(student, List.of(loss), SHAPE,
                new TrainingSettings(1, N, 1e-3, 0, 0), SEED);
        assertEquals(graph.params(), Networks.build(student, List.of(loss), SHAPE,
                new TrainingSettings(1, N, 1e-3, 0, 0), SEED).params(), type + ": same seed, other weights");
        assertFalse(graph.params().equals(Networks.build(student, List.of(loss), SHAPE,
                new TrainingSettings(1, N, 1e-3, 0, 0), SEED + 1).params()), type + ": the seed is not used");
        INDArray input = DATA.input(student.inputKind());
        INDArray before = graph.params().dup();
        graph.fit(new MultiDataSet(new INDArray[] {input}, new INDArray[] {loss.labels(LABELS, null)}));
        assertFalse(before.equals(graph.params()), type + ": one fit step changed no parameter");

        graph.clear();
        Map<String, INDArray> acts = graph.feedForward(input, false);
        String last = graph.getConfiguration().getVertexInputs().get(VertexNames.LOGITS).get(0);
        // a body with layers names them; only a body without any (linear: logits on the input) names none
        assertEquals(last.equals(VertexNames.INPUT), student.featureLayers().isEmpty(),
                type + ": feature layers " + student.featureLayers() + " for a body ending in " + last);
        for (String name : student.featureLayers()) {
            assertTrue(acts.containsKey(name), type + ": no activation for feature layer " + name);
            assertEquals(N, acts.get(name).size(0), type + " feature " + name);
        }
        assertEquals(student.outputSize(SHAPE), acts.get(last).size(1), type + ": outputSize != width of " + last);

        ComputationGraph deployable = Networks.deployable(graph);
        Path zip = dir.resolve("student.zip");
        ModelSerializer.writeModel(deployable, zip.toFile(), false);
        ComputationGraph reloaded = ModelSerializer.restoreComputationGraph(zip.toFile(), false);
        deployable.clear();
        INDArray p = deployable.output(false, input)[0];
        INDArray q = reloaded.output(false, input)[0];
        assertArrayEquals(new long[] {N, SHAPE.classes()}, p.shape(), type);
        assertClose(p, q, type + " deployable after reload");

        INDArray narrow = new RandomData(new InputShape(SHAPE.features() - 2, SHAPE.lookback(), SHAPE.classes()), 3)
                .input(student.inputKind());
        assertShapeMessage(assertThrows(RuntimeException.class,
                () -> Networks.checkInput(reloaded, narrow, student.inputKind())), type);
        InputKind other = student.inputKind() == InputKind.TABULAR ? InputKind.SEQUENCE : InputKind.TABULAR;
        assertShapeMessage(assertThrows(RuntimeException.class,
                () -> Networks.checkInput(reloaded, DATA.input(other), student.inputKind())), type);
    }

    // ---- losses ---------------------------------------------------------------------------------

    static Stream<String> lossTypes() {
        return new TreeSet<>(LOSSES.keySet()).stream();
    }

    /** A loss's head on a small double-precision student, with labels from random teacher outputs. */
    private record LossHead(DistillationLoss loss, ComputationGraph graph, MultiDataSet data) {
        static LossHead of(String type) {
            DistillationLoss loss = Plugins.create(DistillationLoss.class, section(LOSSES.get(type)));
            java.util.Random random = new java.util.Random(17);
            int n = 6;
            boolean sequence = SEQUENCE_LOSSES.contains(type);
            InputShape shape = new InputShape(4, sequence ? 4 : 1, 3);
            INDArray x = sequence ? gaussian(random, n, 16).reshape(n, 4, 4) : gaussian(random, n, 4);
            INDArray y = Nd4j.zeros(DataType.DOUBLE, n, 3);
            for (int i = 0; i < n; i++) {
                y.putScalar(i, random.nextInt(3), 1);
            }
            Map<String, INDArray> features = new java.util.LinkedHashMap<>();
            loss.teacherLayers().values().forEach(layer -> features.put(layer, sequence
                    ? gaussian(random, n, 12).reshape(n, 3, 4) : gaussian(random, n, 3)));
            TeacherOutputs teacher = new TeacherOutputs(gaussian(random, n, 3).muli(2), features);
            INDArray labels = loss.labels(y, loss.teacherName() == null ? null : teacher);
            List<DistillationLoss> heads = List.of(loss);
            INDArray[] all = {labels};
            if (!loss.inputVertex().equals(VertexNames.LOGITS)) {
                // a feature loss: DL4J needs a head on logits too; with weight 0 it adds nothing
                HardLabelCrossEntropy zero = new HardLabelCrossEntropy(0);
                heads = List.of(loss, zero);
                all = new INDArray[] {labels, zero.labels(y, null)};
            }
            ComputationGraph graph = Networks.assemble(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
                    .seed(5).dataType(DataType.DOUBLE).updater(new org.nd4j.linalg.learning.config.NoOp()),
                    sequence ? new LstmNetwork(List.of(3, 2), 0) : new MlpNetwork(List.of(5, 4), "tanh", 0), heads,
                    shape, Map.of(loss.headName(), labels.size(1)));
            return new LossHead(loss, graph, new MultiDataSet(new INDArray[] {x}, all));
        }

        /** The score and the gradient of every parameter, at the current parameters. */
        double score() {
            return graph.score(data, true);
        }

        INDArray gradient() {
            graph.setInputs(data.getFeatures());
            graph.setLabels(data.getLabels());
            graph.computeGradientAndScore();
            return graph.gradient().gradient().dup();
        }
    }

    @ParameterizedTest(name = "loss {0}")
    @MethodSource("lossTypes")
    void lossKeepsTheContract(String type) {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            LossHead head = LossHead.of(type);
            DistillationLoss loss = head.loss();
            assertFalse(loss.describe().isBlank(), type);
            assertFalse(loss.headName().isBlank(), type);

            double score = head.score();
            assertTrue(Double.isFinite(score) && score >= 0, type + ": score " + score);
            assertTrue(org.deeplearning4j.gradientcheck.GradientCheckUtil.checkGradients(
                    new org.deeplearning4j.gradientcheck.GradientCheckUtil.GraphConfig().net(head.graph())
                            .inputs(head.data().getFeatures()).labels(head.data().getLabels()).epsilon(1e-6)
                            .maxRelError(1e-3).minAbsoluteError(1e-8)), type + ": DL4J gradient check failed");

            // weight: default 1, multiplies score and gradient, rejects negatives
            assertEquals(1.0, loss.parameters().get(DistillationLoss.WEIGHT), type);
            INDArray gradient = head.gradient();
            assertTrue(gradient.norm2Number().doubleValue() > 0, type + ": zero gradient");
            loss.setParameter(DistillationLoss.WEIGHT, 2.5);
            assertEquals(2.5 * score, head.score(), 1e-9 * Math.max(1, score), type + ": weight does not scale score");
            assertTrue(gradient.mul(2.5).equalsWithEps(head.gradient(), 1e-9),
                    type + ": weight does not scale the gradient");
            assertThrows(IllegalArgumentException.class, () -> loss.setParameter(DistillationLoss.WEIGHT, -1));
            loss.setParameter(DistillationLoss.WEIGHT, 0);
            assertEquals(0.0, head.score(), 1e-12, type + ": weight 0");

            // every parameter round-trips; an unknown one is refused
            for (String p : loss.parameters().keySet()) {
                double changed = loss.parameters().get(p) * 0.5 + 0.1;
                loss.setParameter(p, changed);
                assertEquals(changed, loss.parameters().get(p), 0.0, type + " " + p);
            }
            assertThrows(IllegalArgumentException.class, () -> loss.setParameter("no_such_parameter", 1));
        } finally {
            Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        }
    }

    private static INDArray gaussian(java.util.Random random, int rows, int cols) {
        INDArray a = Nd4j.zeros(DataType.DOUBLE, rows, cols);
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < cols; k++) {
                a.putScalar(i, k, random.nextGaussian());
            }
        }
        return a;
    }

    // ---- schedules ------------------------------------------------------------------------------

    static Stream<String> scheduleTypes() {
        return new TreeSet<>(SCHEDULES.keySet()).stream();
    }

    @ParameterizedTest(name = "schedule {0}")
    @MethodSource("scheduleTypes")
    void scheduleKeepsTheContract(String type) {
        Schedule schedule = Plugins.create(Schedule.class, section(SCHEDULES.get(type)));
        Schedule again = Plugins.create(Schedule.class, section(SCHEDULES.get(type)));
        assertFalse(schedule.describe().isBlank(), type);
        assertEquals(schedule.describe(), again.describe(), type);
        for (int epochs : new int[] {1, 2, 7, 20}) {
            double configured = 3;
            double first = schedule.valueAt(0, epochs, configured);
            double last = schedule.valueAt(epochs - 1, epochs, configured);
            double low = Math.min(first, last);
            double high = Math.max(first, last);
            for (int e = 0; e < epochs; e++) {
                double v = schedule.valueAt(e, epochs, configured);
                assertTrue(Double.isFinite(v), type + " epoch " + e);
                assertTrue(v >= low - 1e-12 && v <= high + 1e-12,
                        type + ": " + v + " at epoch " + e + " outside [" + low + ", " + high + "]");
                assertEquals(v, schedule.valueAt(e, epochs, configured), 0.0, type + ": not deterministic");
                assertEquals(v, again.valueAt(e, epochs, configured), 0.0, type + ": same section, other values");
            }
        }
    }

    // ---- the saved teacher ----------------------------------------------------------------------

    @Test
    void savedTeacherLoadsAZipWrittenByAnotherTeacher(@TempDir Path dir) throws Exception {
        FittedTeacher mlp = Plugins.create(Teacher.class, section(TEACHERS.get("mlp"))).fit(context(SHAPE));
        Path zip = dir.resolve("mlp.zip");
        mlp.save(zip);
        Teacher saved = Plugins.create(Teacher.class,
                section("{type: saved, path: '" + zip + "', input: tabular, output: logits}"));
        assertEquals("saved(mlp.zip)", saved.describe());
        FittedTeacher loaded = saved.fit(context(SHAPE));
        assertClose(mlp.infer(DATA).logits(), loaded.infer(DATA).logits(), "saved logits");
        assertTrue(loaded.infer(DATA).features().isEmpty());
        assertEquals(mlp.parameterCount(), loaded.parameterCount());
        Path again = dir.resolve("again.zip");
        loaded.save(again);
        assertClose(mlp.infer(DATA).logits(), Plugins.create(Teacher.class,
                section("{type: saved, path: '" + again + "', input: tabular, output: logits}"))
                .fit(context(SHAPE)).infer(DATA).logits(), "saved twice");

        Distill4jException classes = assertThrows(Distill4jException.class,
                () -> saved.fit(context(new InputShape(12, 8, 4))));
        assertTrue(classes.getMessage().contains(zip.toString()) && classes.getMessage().contains("predicts 3 classes")
                && classes.getMessage().contains("has 4"), classes.getMessage());
        Distill4jException features = assertThrows(Distill4jException.class,
                () -> saved.fit(context(new InputShape(10, 8, 3))));
        assertTrue(features.getMessage().contains("reads 12 features") && features.getMessage().contains("has 10"),
                features.getMessage());
        assertShapeMessage(assertThrows(RuntimeException.class, () -> loaded.infer(new RandomData(
                new InputShape(10, 8, 3), 3))), "saved");
    }

    @Test
    void savedTeacherReadsProbabilitiesOfADeployableSequenceModel(@TempDir Path dir) throws Exception {
        GraphTeacher lstm = (GraphTeacher) Plugins.create(Teacher.class, section(TEACHERS.get("lstm")))
                .fit(context(SHAPE));
        Path zip = dir.resolve("lstm-deployable.zip");
        ModelSerializer.writeModel(Networks.deployable(lstm.graph()), zip.toFile(), false);
        FittedTeacher loaded = Plugins.create(Teacher.class, section("{type: saved, path: '" + zip
                + "', input: sequence, output: probabilities, output_vertex: probabilities}")).fit(context(SHAPE));
        INDArray expected = Nd4j.nn().logSoftmax(lstm.infer(DATA).logits(), 1);
        assertClose(expected, loaded.infer(DATA).logits(), "log of the softmax output", 1e-5);

        Distill4jException vertex = assertThrows(Distill4jException.class, () -> Plugins.create(Teacher.class,
                section("{type: saved, path: '" + zip + "', input: sequence, output: logits, output_vertex: nope}"))
                .fit(context(SHAPE)));
        assertTrue(vertex.getMessage().contains("no vertex 'nope'"), vertex.getMessage());
    }

    @Test
    void savedTeacherAcceptsAMultiLayerNetworkZip(@TempDir Path dir) throws Exception {
        var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(12).nOut(5).build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nIn(5).nOut(3)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .build();
        var mln = new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(conf);
        mln.init();
        Path zip = dir.resolve("mln.zip");
        ModelSerializer.writeModel(mln, zip.toFile(), false);
        FittedTeacher loaded = Plugins.create(Teacher.class,
                section("{type: saved, path: '" + zip + "', input: tabular, output: probabilities}"))
                .fit(context(SHAPE));
        INDArray p = mln.output(DATA.input(InputKind.TABULAR));
        assertClose(org.nd4j.linalg.ops.transforms.Transforms.log(p, true), loaded.infer(DATA).logits(), "mln", 1e-5);
    }

    @Test
    void savedTeacherRejectsMissingAndForeignFiles(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nothing.zip");
        RuntimeException e = assertThrows(Distill4jException.class, () -> Plugins.create(Teacher.class,
                section("{type: saved, path: '" + missing + "', input: tabular, output: logits}")));
        assertEquals("contract.yaml: path: saved model not found: " + missing, e.getMessage());
        Path text = dir.resolve("notes.zip");
        java.nio.file.Files.writeString(text, "not a model");
        Teacher foreign = Plugins.create(Teacher.class,
                section("{type: saved, path: '" + text + "', input: tabular, output: logits}"));
        Distill4jException f = assertThrows(Distill4jException.class, () -> foreign.fit(context(SHAPE)));
        assertTrue(f.getMessage().startsWith("saved teacher " + text + ": not a DL4J model zip"), f.getMessage());
        RuntimeException noInput = assertThrows(Distill4jException.class, () -> Plugins.create(Teacher.class,
                section("{type: saved, path: '" + text + "', output: logits}")));
        assertEquals("contract.yaml: input: missing (expected a string)", noInput.getMessage());
    }

    // ---- helpers --------------------------------------------------------------------------------

    static ConfigNode section(String yaml) {
        return ConfigNode.root("contract.yaml", StudyFileReader.parse("contract.yaml", yaml));
    }

    static TeacherFitContext context(InputShape shape) {
        RandomData train = shape.equals(SHAPE) ? DATA : new RandomData(shape, 11);
        RandomData validation = shape.equals(SHAPE) ? VALIDATION : new RandomData(shape, 12);
        return new TeacherFitContext(shape, train, oneHot(N, shape.classes(), 13), validation,
                oneHot(N, shape.classes(), 14), BARS, SEED, TrainingObserver.NONE);
    }

    /** A random walk of 2N bars: the samples' bars are 0..N-1 (train) and N..2N-1 (validation). */
    static final io.distill4j.api.KlineSeries BARS = bars(2 * N, 21);

    static io.distill4j.api.KlineSeries bars(int n, long seed) {
        java.util.Random r = new java.util.Random(seed);
        long[] t = new long[n];
        double[] close = new double[n];
        double[] volume = new double[n];
        double[] nan = new double[n];
        double price = 100;
        for (int i = 0; i < n; i++) {
            price *= Math.exp(0.01 * r.nextGaussian());
            t[i] = 60_000L * i;
            close[i] = price;
            volume[i] = 1;
            nan[i] = Double.NaN;
        }
        return new io.distill4j.api.KlineSeries("contract", t, close, close.clone(), close.clone(), close.clone(),
                volume, nan);
    }

    static INDArray oneHot(int n, int classes, long seed) {
        java.util.Random r = new java.util.Random(seed);
        INDArray y = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, n, classes);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, i < classes ? i : r.nextInt(classes), 1f);
        }
        return y;
    }

    static void assertFinite(INDArray a, String what) {
        for (double v : a.dup().data().asDouble()) {
            assertTrue(Double.isFinite(v), what + " has a non-finite value");
        }
    }

    static void assertClose(INDArray expected, INDArray actual, String what) {
        assertClose(expected, actual, what, 1e-6);
    }

    static void assertClose(INDArray expected, INDArray actual, String what, double tolerance) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        double diff = expected.castTo(actual.dataType()).sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= tolerance, what + ": max difference " + diff);
    }

    /** The message names the expected feature width (12) and the actual shape. */
    static void assertShapeMessage(RuntimeException e, String type) {
        assertTrue(e instanceof Distill4jException || e instanceof IllegalArgumentException,
                type + ": " + e.getClass().getName());
        String m = e.getMessage();
        assertTrue(m != null && m.contains("expects input [n, 12") && m.contains("got ["), type + ": " + m);
    }

    /** Random samples in both forms; the tabular row is the sequence's last bar, as in real splits. */
    static final class RandomData implements ModelInput {
        private final INDArray windows;
        private final INDArray rows;

        private final int firstBar;

        RandomData(InputShape shape, long seed) {
            this(shape, seed, seed == 12 ? N : 0);
        }

        RandomData(InputShape shape, long seed, int firstBar) {
            this.firstBar = firstBar;
            windows = Nd4j.randn(seed, new long[] {N, shape.features(), shape.lookback()})
                    .castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
            rows = windows.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(shape.lookback() - 1))
                    .dup();
        }

        @Override
        public int size() {
            return N;
        }

        @Override
        public INDArray input(InputKind kind) {
            return kind == InputKind.TABULAR ? rows : windows;
        }

        @Override
        public int[] barIndices() {
            return IntStream.range(firstBar, firstBar + N).toArray();
        }
    }
}
