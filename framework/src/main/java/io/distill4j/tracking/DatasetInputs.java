package io.distill4j.tracking;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@link DatasetInput} of a prepared kline dataset in the formats MLflow 2.17 itself parses, so that
 * {@code mlflow.data.get_source(...)} and the UI's dataset view read it:
 *
 * <ul>
 *   <li>a kline file: source type {@code local} with source {@code {"uri": <absolute path>}} (MLflow's
 *       {@code LocalArtifactDatasetSource.from_dict} requires the key {@code uri});</li>
 *   <li>generated (synthetic) data: source type {@code code} with source {@code {"tags": {...}}}, as MLflow records
 *       data built in code ({@code CodeDatasetSource}; the tags name the study file and the generator);</li>
 *   <li>schema {@code {"mlflow_colspec": [{"type": "double", "name": <feature>, "required": true}, ...,
 *       {"type": "integer", "name": "label", ...}]}}, as {@code PandasDataset.to_dict} writes it;</li>
 *   <li>profile: {@code num_rows} (as MLflow's datasets) plus the time range, bar interval, content sha256, label
 *       coding and samples per split.</li>
 * </ul>
 */
public final class DatasetInputs {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How a generated dataset's source description starts (see {@code SyntheticMarket}). */
    private static final String GENERATED_PREFIX = "synthetic(";

    private DatasetInputs() {
    }

    /**
     * The training dataset input of a prepared dataset.
     *
     * @param source the data's source description: a kline file's path, or {@code synthetic(...)} for generated bars
     * @param studyFile the study file (the generated data's code source)
     * @param sha256 hex SHA-256 of the bars; its first 10 characters are the digest
     * @param rows bars
     * @param firstTimeMs open time of the first bar
     * @param lastTimeMs open time of the last bar
     * @param intervalMs bar interval
     * @param features the feature columns, in order
     * @param samples samples per split (train, validation, test)
     */
    public static DatasetInput training(String source, String studyFile, String sha256, int rows, long firstTimeMs,
            long lastTimeMs, long intervalMs, List<String> features, Map<String, Integer> samples) {
        boolean generated = source.startsWith(GENERATED_PREFIX);
        ObjectNode src = JSON.createObjectNode();
        String name;
        if (generated) {
            name = "synthetic";
            src.putObject("tags").put("mlflow.source.name", studyFile).put("mlflow.source.type", "LOCAL")
                    .put("distill4j.data.generator", source);
        } else {
            Path path = Path.of(source).toAbsolutePath().normalize();
            name = path.getFileName().toString().replaceFirst("\\.csv$", "");
            src.put("uri", path.toString());
        }
        ObjectNode schema = JSON.createObjectNode();
        ArrayNode columns = schema.putArray("mlflow_colspec");
        features.forEach(f -> columns.addObject().put("type", "double").put("name", f).put("required", true));
        columns.addObject().put("type", "integer").put("name", "label").put("required", true);
        ObjectNode profile = JSON.createObjectNode().put("num_rows", rows)
                .put("first_time", Instant.ofEpochMilli(firstTimeMs).toString())
                .put("last_time", Instant.ofEpochMilli(lastTimeMs).toString())
                .put("interval_ms", intervalMs).put("sha256", sha256).put("labels", "0=sell 1=hold 2=buy");
        new java.util.TreeMap<>(samples).forEach((split, n) -> profile.put("samples_" + split, n));
        return new DatasetInput(name, sha256.substring(0, Math.min(10, sha256.length())),
                generated ? "code" : "local", src.toString(), schema.toString(), profile.toString(), "training");
    }
}
