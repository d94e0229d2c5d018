package io.distill4j.tracking;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A model logged as an MLflow Model (MLflow's documented "Storage Format"): a folder under the run's artifacts with an
 * {@code MLmodel} YAML file, the model's own files, a signature and an input example, plus the run tag
 * {@value #LOGGED_MODELS_TAG} through which MLflow 2.x lists a run's logged models (the UI's "Models" column).
 *
 * <p>The {@code MLmodel} file has the keys MLflow's {@code Model.to_dict()} writes, sorted as PyYAML's
 * {@code safe_dump} sorts them: {@code artifact_path}, {@code flavors} (here one custom flavor; no
 * {@code python_function} flavor, since no Python loader exists for it), {@code model_size_bytes},
 * {@code model_uuid}, {@code run_id}, {@code saved_input_example_info} ({@code artifact_path:
 * input_example.json}, {@code serving_input_path: serving_input_example.json}, {@code type} {@code dataframe} with
 * {@code pandas_orient: split}, or {@code ndarray}), {@code signature} ({@code inputs} and {@code outputs} as JSON
 * strings of column or tensor specs, {@code params: null}) and {@code utc_time_created} (Python's
 * {@code str(datetime.utcnow())}). {@code mlflow_version} is left out: MLflow reads a missing one as unknown.
 *
 * <p>On a store with MLflow 3's logged-model entities ({@link TrackedRun#startLoggedModel}) the same files also go
 * to a logged model of their own (created, uploaded to its artifact location, finalized, linked to the run as an
 * output) and the {@code MLmodel} carries its {@code model_id}; the run's folder and tag are written either way.
 */
public final class MlflowModel {
    /** The run tag holding a JSON list of the run's logged models (MLflow 2.x). */
    public static final String LOGGED_MODELS_TAG = "mlflow.log-model.history";
    /** The model's description file. */
    public static final String MLMODEL = "MLmodel";
    static final String EXAMPLE_FILE = "input_example.json";
    static final String SERVING_EXAMPLE_FILE = "serving_input_example.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
    private static final DateTimeFormatter PY_UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    /**
     * An input example: its {@code type} in MLflow's terms, the text of {@code input_example.json} and of
     * {@code serving_input_example.json}, and extra keys of {@code saved_input_example_info}.
     */
    public record Example(String type, String json, String servingJson, Map<String, String> info) {
        /** Rows under named columns: a pandas DataFrame in "split" orientation. */
        public static Example dataframe(List<String> columns, double[][] rows) {
            ObjectNode split = JsonNodeFactory.instance.objectNode();
            ArrayNode cols = split.putArray("columns");
            columns.forEach(cols::add);
            ArrayNode data = split.putArray("data");
            for (double[] row : rows) {
                ArrayNode r = data.addArray();
                for (double v : row) {
                    r.add(v);
                }
            }
            ObjectNode serving = JsonNodeFactory.instance.objectNode();
            serving.set("dataframe_split", split);
            return new Example("dataframe", split.toString(), pretty(serving), Map.of("pandas_orient", "split"));
        }

        /** A tensor (nested lists of numbers, first dimension the samples), as a numpy array. */
        public static Example ndarray(Object nestedLists) {
            var tree = JSON.valueToTree(nestedLists);
            ObjectNode serving = JsonNodeFactory.instance.objectNode();
            serving.set("inputs", tree);
            return new Example("ndarray", tree.toString(), pretty(serving), Map.of());
        }
    }

    private MlflowModel() {
    }

    /** A column-based schema ({@code [{"type": "double", "name": ..., "required": true}, ...]}) as JSON text. */
    public static String columns(List<String> names, String type) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (String n : names) {
            a.addObject().put("type", type).put("name", n).put("required", true);
        }
        return a.toString();
    }

    /** A tensor-based schema of one unnamed tensor ({@code -1} for a variable dimension) as JSON text. */
    public static String tensor(String dtype, long... shape) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        ObjectNode spec = a.addObject().put("type", "tensor").putObject("tensor-spec").put("dtype", dtype);
        ArrayNode s = spec.putArray("shape");
        for (long d : shape) {
            s.add(d);
        }
        return a.toString();
    }

    /**
     * Logs a model folder to {@code run} and sets {@value #LOGGED_MODELS_TAG} (and, on MLflow 3, a logged model).
     *
     * @param artifactPath the folder under the run's artifacts (e.g. {@code model})
     * @param flavor the flavor name and its settings (written under {@code flavors})
     * @param files the model's files by their name in the folder
     * @param inputs the signature's input schema ({@link #columns} or {@link #tensor})
     * @param outputs the signature's output schema
     * @param example the input example
     * @return the text of the {@code MLmodel} file
     */
    public static String log(TrackedRun run, String artifactPath, String flavor, Map<String, Object> flavorConfig,
            Map<String, Path> files, String inputs, String outputs, Example example) {
        String path = MlflowKeys.checkArtifactPath(artifactPath);
        Optional<TrackedRun.LoggedModelUpload> entity = run.startLoggedModel(path, flavor, Map.of());
        boolean done = false;
        try {
            String text = write(run, entity, path, flavor, flavorConfig, files, inputs, outputs, example);
            done = true;
            return text;
        } finally {
            boolean ok = done;
            entity.ifPresent(e -> e.finish(ok));
        }
    }

    private static String write(TrackedRun run, Optional<TrackedRun.LoggedModelUpload> entity, String path,
            String flavor, Map<String, Object> flavorConfig, Map<String, Path> files, String inputs, String outputs,
            Example example) {
        long size = 0;
        for (Map.Entry<String, Path> f : files.entrySet()) {
            run.logArtifact(path + "/" + f.getKey(), f.getValue());
            entity.ifPresent(e -> e.logArtifact(f.getKey(), f.getValue()));
            try {
                size += Files.size(f.getValue());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + f.getValue(), e);
            }
        }
        byte[] exampleBytes = example.json().getBytes(StandardCharsets.UTF_8);
        byte[] servingBytes = example.servingJson().getBytes(StandardCharsets.UTF_8);
        store(run, entity, path, EXAMPLE_FILE, exampleBytes);
        store(run, entity, path, SERVING_EXAMPLE_FILE, servingBytes);
        size += exampleBytes.length + servingBytes.length;
        String uuid = UUID.randomUUID().toString().replace("-", "");
        String created = LocalDateTime.now(ZoneOffset.UTC).format(PY_UTC);

        Map<String, Object> info = new TreeMap<>(example.info());
        info.put("artifact_path", EXAMPLE_FILE);
        info.put("serving_input_path", SERVING_EXAMPLE_FILE);
        info.put("type", example.type());
        Map<String, Object> signature = new TreeMap<>();
        signature.put("inputs", inputs);
        signature.put("outputs", outputs);
        signature.put("params", null);
        Map<String, Object> flavors = Map.of(flavor, new TreeMap<>(flavorConfig));
        Map<String, Object> mlmodel = new TreeMap<>();
        mlmodel.put("artifact_path", path);
        mlmodel.put("flavors", flavors);
        entity.ifPresent(e -> mlmodel.put("model_id", e.modelId())); // MLflow 3's Model.model_id
        mlmodel.put("model_size_bytes", size);
        mlmodel.put("model_uuid", uuid);
        mlmodel.put("run_id", run.runId());
        mlmodel.put("saved_input_example_info", info);
        mlmodel.put("signature", signature);
        mlmodel.put("utc_time_created", created);
        String text;
        try {
            text = YAML.writeValueAsString(mlmodel);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write MLmodel", e);
        }
        store(run, entity, path, MLMODEL, text.getBytes(StandardCharsets.UTF_8));

        // what MLflow's Model.get_tags_dict() records: run, path, time, uuid and the flavors (without "config")
        Map<String, Object> tag = new LinkedHashMap<>();
        tag.put("run_id", run.runId());
        tag.put("artifact_path", path);
        tag.put("utc_time_created", created);
        tag.put("model_uuid", uuid);
        tag.put("flavors", flavors);
        try {
            run.setTag(LOGGED_MODELS_TAG, JSON.writeValueAsString(List.of(tag)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + LOGGED_MODELS_TAG, e);
        }
        return text;
    }

    /** A file of the model: into the run's model folder and, on MLflow 3, the logged model's own location. */
    private static void store(TrackedRun run, Optional<TrackedRun.LoggedModelUpload> entity, String path, String name,
            byte[] content) {
        run.logArtifact(path + "/" + name, content);
        entity.ifPresent(e -> e.logArtifact(name, content));
    }

    private static String pretty(ObjectNode node) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
