package io.distill4j.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Dataset inputs in the shapes MLflow 2.17.2's own parsers require (tag v2.17.2, commit 67b8870f):
 *
 * <ul>
 *   <li>{@code mlflow/data/dataset_source_registry.py}: {@code get_source_from_json} only knows registered source
 *       types: {@code local} (and other artifact schemes, {@code artifact_dataset_sources.py}: schemes "" and
 *       "file" become {@code local}), {@code http}, {@code code}, ...; any other type raises
 *       "unrecognized source type";</li>
 *   <li>{@code mlflow/data/artifact_dataset_sources.py}, {@code from_dict}: a {@code local} source must have the key
 *       {@code uri}, else "Missing expected key: uri";</li>
 *   <li>{@code mlflow/data/code_dataset_source.py}, {@code from_dict}: a {@code code} source is
 *       {@code {"tags": {...}}};</li>
 *   <li>{@code mlflow/data/pandas_dataset.py}, {@code to_dict}: the schema is {@code {"mlflow_colspec": [...]}}
 *       (also what the UI's {@code ExperimentViewDatasetSchema.tsx} looks for), and {@code mlflow/types/schema.py}
 *       ({@code ColSpec.to_dict} / {@code from_json_dict}): each column has a {@code type} among the
 *       {@code DataType} names, an optional {@code name} and {@code required}.</li>
 * </ul>
 */
class DatasetInputsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> MLFLOW_DATA_TYPES = Set.of("boolean", "integer", "long", "float", "double",
            "string", "binary", "datetime");
    private static final List<String> FEATURES = List.of("ret_1", "ret_3", "rsi_14");

    private static DatasetInput of(String source) {
        return DatasetInputs.training(source, "configs/quickstart.yaml", "ab".repeat(32), 30000, 0L, 300_000L,
                300_000L, FEATURES, Map.of("train", 600, "validation", 200, "test", 200));
    }

    @Test
    void generatedDataIsACodeSourceWithTags() throws Exception {
        DatasetInput d = of("synthetic(seed=7,bars=30000,intervalMs=300000)");
        assertEquals("code", d.sourceType());
        JsonNode source = JSON.readTree(d.source());
        assertEquals(Set.of("tags"), fieldNames(source));
        assertTrue(source.get("tags").isObject());
        source.get("tags").fields().forEachRemaining(e -> assertTrue(e.getValue().isTextual(), e.getKey()));
        assertEquals("configs/quickstart.yaml", source.get("tags").get("mlflow.source.name").asText());
        assertEquals("synthetic(seed=7,bars=30000,intervalMs=300000)",
                source.get("tags").get("distill4j.data.generator").asText());
        assertEquals("synthetic", d.name());
    }

    @Test
    void aKlineFileIsALocalSourceWithAnAbsoluteUri() throws Exception {
        DatasetInput d = of("data/BTCUSDT-5m.csv");
        assertEquals("local", d.sourceType());
        JsonNode source = JSON.readTree(d.source());
        assertEquals(Set.of("uri"), fieldNames(source));
        assertEquals(Path.of("data/BTCUSDT-5m.csv").toAbsolutePath().toString(), source.get("uri").asText());
        assertEquals("BTCUSDT-5m", d.name());
    }

    @Test
    void schemaIsAnMlflowColspecOfTheFeaturesAndTheLabel() throws Exception {
        JsonNode schema = JSON.readTree(of("x.csv").schema());
        assertEquals(Set.of("mlflow_colspec"), fieldNames(schema));
        JsonNode columns = schema.get("mlflow_colspec");
        assertTrue(columns.isArray());
        assertEquals(FEATURES.size() + 1, columns.size());
        for (int i = 0; i < columns.size(); i++) {
            JsonNode c = columns.get(i);
            assertEquals(Set.of("type", "name", "required"), fieldNames(c));
            assertTrue(MLFLOW_DATA_TYPES.contains(c.get("type").asText()), c.toString());
            assertTrue(c.get("required").isBoolean() && c.get("name").isTextual(), c.toString());
            assertEquals(i < FEATURES.size() ? FEATURES.get(i) : "label", c.get("name").asText());
        }
    }

    @Test
    void profileKeepsTheDetail() throws Exception {
        DatasetInput d = of("x.csv");
        JsonNode profile = JSON.readTree(d.profile());
        assertEquals(30000, profile.get("num_rows").asInt());
        assertEquals("ab".repeat(32), profile.get("sha256").asText());
        assertEquals(600, profile.get("samples_train").asInt());
        assertEquals("1970-01-01T00:05:00Z", profile.get("last_time").asText());
        assertEquals("abababababab".substring(0, 10), d.digest());
        assertEquals("training", d.context());
    }

    private static Set<String> fieldNames(JsonNode n) {
        Set<String> names = new java.util.HashSet<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
