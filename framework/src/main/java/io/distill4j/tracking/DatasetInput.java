package io.distill4j.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * A dataset a run used, as MLflow records dataset inputs ({@code runs/log-inputs}).
 *
 * @param name dataset name (e.g. {@code BTCUSDT-5m} or {@code synthetic})
 * @param digest short content digest (MLflow shows it beside the name)
 * @param sourceType where it came from: {@code local}, {@code http}, {@code synthetic}, ...
 * @param source JSON text describing the source (path, symbol, interval)
 * @param schema JSON text of the schema, or {@code null}
 * @param profile JSON text of the profile (row count, time range, sha256)
 * @param context how the run used it ({@code training}); recorded as the input tag {@code mlflow.data.context}
 */
public record DatasetInput(String name, String digest, String sourceType, String source, String schema,
        String profile, String context) {
    /** Tag under which stores without dataset inputs (the file store) keep the dataset as JSON. */
    public static final String TAG = "distill4j.dataset";
    private static final ObjectMapper JSON = new ObjectMapper();

    public DatasetInput {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(sourceType, "sourceType");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(profile, "profile");
    }

    /** This dataset as one JSON object (the value of {@link #TAG}). */
    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("name", name).put("digest", digest).put("source_type", sourceType).put("source", source);
        if (schema != null) {
            o.put("schema", schema);
        }
        o.put("profile", profile);
        if (context != null) {
            o.put("context", context);
        }
        return o.toString();
    }

    /** Reads {@link #toJson()}'s output. */
    public static DatasetInput fromJson(String json) {
        try {
            JsonNode o = JSON.readTree(json);
            return new DatasetInput(o.path("name").asText(), o.path("digest").asText(),
                    o.path("source_type").asText(), o.path("source").asText(),
                    o.hasNonNull("schema") ? o.get("schema").asText() : null, o.path("profile").asText(),
                    o.hasNonNull("context") ? o.get("context").asText() : null);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a dataset: " + e.getMessage(), e);
        }
    }
}
