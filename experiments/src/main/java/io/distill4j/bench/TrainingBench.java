package io.distill4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distill4j.Distill4jException;
import io.distill4j.api.InputShape;
import io.distill4j.api.Seeds;
import io.distill4j.api.TeacherFitContext;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.data.features.DatasetPreparer;
import io.distill4j.data.features.PreparedData;
import io.distill4j.data.features.SampleSplit;
import io.distill4j.distill.StudentDistiller;
import io.distill4j.experiment.Study;
import io.distill4j.experiment.StudyConfig;
import io.distill4j.experiment.StudyListener;
import io.distill4j.experiment.StudyRunner;
import io.distill4j.loss.HardLabelCrossEntropy;
import io.distill4j.model.NetworkTeacher;
import io.distill4j.model.Networks;
import io.distill4j.report.StudyReport;
import io.distill4j.tracking.MlflowFileStore;
import io.distill4j.tracking.Tracker;
import io.distill4j.train.TrainingSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The workloads of {@code distill4j bench training}, read from one spec ({@code training-workloads.json}) that the
 * PyTorch reference ({@code torch_reference.py}, beside it) reads too: the quickstart grid (an MLP teacher, then the
 * student-alone baselines and the Hinton-KD students of a temperature x alpha grid per seed), one KD student alone,
 * the MLP teacher alone, and LSTM and attention teachers on a subset of the samples. The Java side trains each through
 * distill4j's own code (the grid through {@link StudyRunner}, with tracking, evaluation, export and the report as
 * {@code distill4j run} does; the single networks through {@link StudentDistiller} and {@link NetworkTeacher}); the
 * prepared arrays are written for the Python side by {@link #writeArrays}.
 */
public final class TrainingBench {
    /** The workload names, in the order they run. */
    public static final List<String> WORKLOADS = List.of("grid", "student_kd", "teacher_mlp", "teacher_lstm",
            "teacher_attention");
    /** The spec and the reference script, as resources of this class. */
    public static final String SPEC_RESOURCE = "training-workloads.json";
    public static final String SCRIPT_RESOURCE = "torch_reference.py";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode spec;
    private PreparedData prepared;
    private SampleSplit sequenceTrain;
    private SampleSplit sequenceValidation;
    private INDArray kdTrain;
    private INDArray kdValidation;

    private boolean fuse = true;

    /** Whether the grid trains its same-shape students fused ({@code StudyRunner.withFusion}; on by default). */
    public TrainingBench withFusion(boolean on) {
        this.fuse = on;
        return this;
    }

    public TrainingBench(JsonNode spec) {
        this.spec = spec;
    }

    /** The spec shipped with distill4j. */
    public static JsonNode defaultSpec() {
        try (InputStream in = TrainingBench.class.getResourceAsStream(SPEC_RESOURCE)) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a spec file. */
    public static JsonNode readSpec(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new Distill4jException(file + ": not a readable workload spec (JSON): " + e.getMessage());
        }
    }

    public JsonNode spec() {
        return spec;
    }

    /** Copies a resource of this class (the spec or the script) to {@code target}. */
    public static void copyResource(String name, Path target) throws IOException {
        try (InputStream in = TrainingBench.class.getResourceAsStream(name)) {
            Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * The study tree of the grid with {@code teacher} as its teacher section: the spec's data, student, training,
     * KD loss ({@code student_kd}'s temperature and alpha), temperature x alpha grid and seeds.
     */
    public ObjectNode studyTree(JsonNode teacher) {
        ObjectNode t = JSON.createObjectNode();
        t.put("study", "bench-training");
        t.put("seed", spec.path("seed").asLong());
        t.set("data", spec.path("data").deepCopy());
        t.set("teacher", teacher.deepCopy());
        t.set("student", spec.path("student").deepCopy());
        ObjectNode loss = t.putObject("distillation").putObject("loss");
        loss.put("type", "hinton");
        loss.set("temperature", spec.path("student_kd").path("temperature"));
        loss.set("alpha", spec.path("student_kd").path("alpha"));
        t.set("training", spec.path("training").deepCopy());
        ObjectNode grid = t.putObject("grid");
        grid.set("distillation.loss.temperature", spec.path("grid").path("temperature").deepCopy());
        grid.set("distillation.loss.alpha", spec.path("grid").path("alpha").deepCopy());
        t.set("seeds", spec.path("seeds").deepCopy());
        return t;
    }

    /** The grid study's config with the MLP teacher, or with the named sequence teacher ({@code lstm}, ...). */
    public StudyConfig config(String sequenceTeacher) {
        JsonNode teacher = sequenceTeacher == null ? spec.path("teacher")
                : spec.path("sequence_teachers").path(sequenceTeacher);
        return StudyConfig.parse("bench-training", studyTree(teacher));
    }

    private InputShape shape() {
        return new InputShape(spec.path("features").asInt(), spec.path("data").path("features").path("lookback")
                .asInt(), spec.path("classes").asInt());
    }

    /**
     * Every workload as the Java side builds it, in the shape {@code torch_reference.py --describe} prints: its
     * networks (type, DL4J's parameter count, epochs, batch size, learning rate, L2) and how many trainings it runs.
     */
    public ObjectNode describe() {
        ObjectNode out = JSON.createObjectNode();
        StudyConfig c = config(null);
        ObjectNode teacher = network(c.teachers().get(c.primaryTeacher()));
        ObjectNode student = network(c.student().describe().replaceAll("\\[.*", ""),
                Networks.build(c.student(), List.of(new HardLabelCrossEntropy()), shape(), c.training(), 1)
                        .numParams(), c.training());
        Study study = gridStudy();
        ObjectNode grid = out.putObject("grid");
        grid.putArray("networks").add(teacher).add(student);
        grid.put("trainings", study.trials().size());
        ObjectNode kd = out.putObject("student_kd");
        kd.putArray("networks").add(student.deepCopy());
        kd.put("trainings", 1);
        ObjectNode mlp = out.putObject("teacher_mlp");
        mlp.putArray("networks").add(teacher.deepCopy());
        mlp.put("trainings", 1);
        for (String name : List.of("lstm", "attention")) {
            StudyConfig sc = config(name);
            ObjectNode w = out.putObject("teacher_" + name);
            w.putArray("networks").add(network(sc.teachers().get(sc.primaryTeacher())));
            w.put("trainings", 1);
            w.put("train_samples", spec.path("sequence_teachers").path("train_samples").asInt());
            w.put("validation_samples", spec.path("sequence_teachers").path("validation_samples").asInt());
        }
        return out;
    }

    /** The grid as the study {@code distill4j run} would plan (its file written to a temporary folder). */
    private Study gridStudy() {
        try {
            Path dir = Files.createTempDirectory("distill4j-bench");
            Path file = writeGridStudy(dir);
            Study study = Study.load(file, List.of());
            Files.delete(file);
            Files.delete(dir);
            return study;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path writeGridStudy(Path dir) throws IOException {
        Path file = dir.resolve("study.yaml");
        Files.writeString(file, studyTree(spec.path("teacher")).toPrettyString());
        return file;
    }

    private ObjectNode network(io.distill4j.api.Teacher teacher) {
        NetworkTeacher t = (NetworkTeacher) teacher;
        String type = t.network().describe().replaceAll("\\[.*", "");
        return network(type, Networks.build(t.network(), List.of(new HardLabelCrossEntropy()), shape(), t.training(),
                1).numParams(), t.training());
    }

    private static ObjectNode network(String type, long parameters, TrainingSettings s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("network", type);
        n.put("parameters", parameters);
        n.put("epochs", s.epochs());
        n.put("batch_size", s.batchSize());
        n.put("learning_rate", s.learningRate());
        n.put("l2", s.l2());
        return n;
    }

    /**
     * Prepares the data once (the spec's data section, as a study would) and writes the arrays the reference reads
     * into {@code dir}: features and labels of the three splits, the sequence windows of the first
     * {@code train_samples} / {@code validation_samples} samples, and fixed teacher logits for the KD student
     * ({@code 2 * one-hot + 0.5 * N(0, 1)}, seed 1: the KD workload times training, not a teacher).
     */
    public void writeArrays(Path dir) throws IOException {
        prepare();
        Files.createDirectories(dir);
        ObjectNode index = JSON.createObjectNode();
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        arrays.put("x_train", prepared.train().features());
        arrays.put("x_val", prepared.validation().features());
        arrays.put("x_test", prepared.test().features());
        arrays.put("seq_train", sequenceTrain.windows());
        arrays.put("seq_val", sequenceValidation.windows());
        arrays.put("kd_train", kdTrain);
        arrays.put("kd_val", kdValidation);
        for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
            INDArray a = e.getValue().castTo(DataType.FLOAT).dup('c');
            float[] values = a.data().asFloat();
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            Files.write(dir.resolve(e.getKey() + ".bin"), b.array());
            describeArray(index, e.getKey(), "float32", a.shape());
        }
        Map<String, int[]> labels = new LinkedHashMap<>();
        labels.put("y_train", prepared.train().labels());
        labels.put("y_val", prepared.validation().labels());
        labels.put("y_test", prepared.test().labels());
        labels.put("yseq_train", sequenceTrain.labels());
        labels.put("yseq_val", sequenceValidation.labels());
        for (Map.Entry<String, int[]> e : labels.entrySet()) {
            ByteBuffer b = ByteBuffer.allocate(e.getValue().length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asIntBuffer().put(e.getValue());
            Files.write(dir.resolve(e.getKey() + ".bin"), b.array());
            describeArray(index, e.getKey(), "int32", new long[] {e.getValue().length});
        }
        Files.writeString(dir.resolve("arrays.json"), index.toPrettyString());
    }

    private static void describeArray(ObjectNode index, String name, String dtype, long[] shape) {
        ObjectNode a = index.putObject(name);
        a.put("dtype", dtype);
        var s = a.putArray("shape");
        for (long d : shape) {
            s.add(d);
        }
    }

    /** The prepared data (once). */
    public PreparedData prepare() {
        if (prepared == null) {
            prepared = DatasetPreparer.prepare(config(null).data());
            if (prepared.featureNames().size() != spec.path("features").asInt()
                    || prepared.numClasses() != spec.path("classes").asInt()) {
                throw new Distill4jException("workload spec: features/classes say " + spec.path("features").asInt()
                        + "/" + spec.path("classes").asInt() + " but the data section gives "
                        + prepared.featureNames().size() + "/" + prepared.numClasses());
            }
            JsonNode seq = spec.path("sequence_teachers");
            sequenceTrain = first(prepared.train(), seq.path("train_samples").asInt());
            sequenceValidation = first(prepared.validation(), seq.path("validation_samples").asInt());
            kdTrain = fakeTeacherLogits(prepared.train().labels(), 1);
            kdValidation = fakeTeacherLogits(prepared.validation().labels(), 2);
        }
        return prepared;
    }

    private static SampleSplit first(SampleSplit split, int n) {
        return split.subset(IntStream.range(0, Math.min(n, split.size())).toArray());
    }

    private static INDArray fakeTeacherLogits(int[] labels, long seed) {
        Random r = new Random(seed);
        float[][] out = new float[labels.length][3];
        for (int i = 0; i < labels.length; i++) {
            for (int k = 0; k < 3; k++) {
                out[i][k] = (float) ((k == labels[i] ? 2 : 0) + 0.5 * r.nextGaussian());
            }
        }
        return Nd4j.createFromArray(out);
    }

    /** Samples a workload trains on in all (epochs x samples, summed over its trainings). */
    public long samples(String workload) {
        prepare();
        StudyConfig c = config(null);
        long n = prepared.train().size();
        int teacherEpochs = ((NetworkTeacher) c.teachers().get(c.primaryTeacher())).training().epochs();
        return switch (workload) {
            case "grid" -> n * teacherEpochs + (long) (describe().path("grid").path("trainings").asInt() - 1)
                    * n * c.training().epochs();
            case "student_kd" -> n * c.training().epochs();
            case "teacher_mlp" -> n * teacherEpochs;
            default -> {
                StudyConfig sc = config(workload.substring("teacher_".length()));
                yield (long) sequenceTrain.size()
                        * ((NetworkTeacher) sc.teachers().get(sc.primaryTeacher())).training().epochs();
            }
        };
    }

    /**
     * Trains one workload on the Java side and returns its wall time in seconds; the grid runs in {@code work} (a
     * fresh results folder, file-store tracking) on {@code workers} threads.
     */
    public double run(String workload, Path work, int workers) throws IOException {
        prepare();
        long t0 = System.nanoTime();
        switch (workload) {
            case "grid" -> {
                Files.createDirectories(work);
                Path file = writeGridStudy(work);
                Study study = Study.load(file, List.of());
                Path results = work.resolve("results");
                t0 = System.nanoTime();
                try (Tracker tracker = new MlflowFileStore(results.resolve("mlruns"), file.toString())) {
                    new StudyRunner(results, tracker, StudyListener.NONE, workers)
                            .withReporter(StudyReport.reporter(results)).withFusion(fuse).run(study);
                }
            }
            case "student_kd" -> {
                StudyConfig c = config(null);
                long seed = spec.path("student_kd").path("seed").asLong();
                String teacher = c.primaryTeacher();
                var train = new StudentDistiller.SplitData(prepared.train().features(),
                        prepared.train().labelsOneHot(), Map.of(teacher, new TeacherOutputs(kdTrain, Map.of())));
                var validation = new StudentDistiller.SplitData(prepared.validation().features(),
                        prepared.validation().labelsOneHot(),
                        Map.of(teacher, new TeacherOutputs(kdValidation, Map.of())));
                StudentDistiller.train("bench student", c.student(), c.newLosses(), List.of(), shape(), c.training(),
                        train, validation, Seeds.derive(seed, "student"), Seeds.derive(seed, "shuffle"), r -> { });
            }
            case "teacher_mlp" -> fit(config(null), prepared.train(), prepared.validation());
            case "teacher_lstm", "teacher_attention" -> fit(config(workload.substring("teacher_".length())),
                    sequenceTrain, sequenceValidation);
            default -> throw new Distill4jException("unknown workload '" + workload + "'; expected one of "
                    + String.join(", ", WORKLOADS));
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private void fit(StudyConfig c, SampleSplit train, SampleSplit validation) {
        NetworkTeacher t = (NetworkTeacher) c.teachers().get(c.primaryTeacher());
        t.fit(new TeacherFitContext(shape(), train, train.labelsOneHot(), validation, validation.labelsOneHot(),
                prepared.series(), c.seed(), r -> { }));
    }
}
