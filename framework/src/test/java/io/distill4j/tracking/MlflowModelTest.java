package io.distill4j.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MLflow Model folder against MLflow's documented storage format ("MLmodel" keys of {@code Model.to_dict()},
 * signature as JSON strings of column or tensor specs, the input example files and the run tag
 * {@code mlflow.log-model.history}). The expected values are written out here by hand from that format.
 */
class MlflowModelTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void writesMlmodelSignatureExampleAndTheLoggedModelsTag() throws Exception {
        Path zip = Files.write(dir.resolve("student.zip"), new byte[] {1, 2, 3, 4, 5});
        MlflowFileStoreReader.Run run;
        String text;
        try (var store = new MlflowFileStore(dir.resolve("mlruns"))) {
            TrackedRun r = store.startRun(store.experimentId("e"), "kd s1", null, Map.of());
            Map<String, Object> flavor = new LinkedHashMap<>();
            flavor.put("model_file", "student.zip");
            text = MlflowModel.log(r, "model", "distill4j", flavor, Map.of("student.zip", zip),
                    MlflowModel.columns(List.of("ret_1", "vol"), "double"),
                    MlflowModel.columns(List.of("p_sell", "p_buy"), "double"),
                    MlflowModel.Example.dataframe(List.of("ret_1", "vol"), new double[][] {{0.5, -1.25}}));
            r.end(RunStatus.FINISHED);
            var reader = new MlflowFileStoreReader(dir.resolve("mlruns"));
            run = reader.runs(store.experimentId("e")).get(0);
        }
        Path folder = dir.resolve("mlruns").resolve(run.experimentId()).resolve(run.runId()).resolve("artifacts")
                .resolve("model");
        assertEquals(Set.of("MLmodel", "student.zip", "input_example.json", "serving_input_example.json"),
                Set.copyOf(List.of(folder.toFile().list())));
        assertEquals(text, Files.readString(folder.resolve("MLmodel")));

        JsonNode m = YAML.readTree(text);
        assertEquals(List.of("artifact_path", "flavors", "model_size_bytes", "model_uuid", "run_id",
                "saved_input_example_info", "signature", "utc_time_created"), fieldNames(m), "sorted as safe_dump");
        assertEquals("model", m.get("artifact_path").asText());
        assertEquals(run.runId(), m.get("run_id").asText());
        assertTrue(m.get("model_uuid").asText().matches("[0-9a-f]{32}"), text);
        assertTrue(m.get("utc_time_created").asText().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6}"),
                "Python's str(datetime.utcnow()): " + text);
        assertEquals("student.zip", m.get("flavors").get("distill4j").get("model_file").asText());
        // signature: inputs and outputs are JSON *strings* (MLflow's ModelSignature.to_dict), params null
        assertTrue(m.get("signature").get("inputs").isTextual(), text);
        assertEquals(JSON.readTree("[{\"type\": \"double\", \"name\": \"ret_1\", \"required\": true},"
                + " {\"type\": \"double\", \"name\": \"vol\", \"required\": true}]"),
                JSON.readTree(m.get("signature").get("inputs").asText()));
        assertEquals(JSON.readTree("[{\"type\": \"double\", \"name\": \"p_sell\", \"required\": true},"
                + " {\"type\": \"double\", \"name\": \"p_buy\", \"required\": true}]"),
                JSON.readTree(m.get("signature").get("outputs").asText()));
        assertTrue(m.get("signature").get("params").isNull(), text);
        // the example: a DataFrame in "split" orientation, and the serving payload MLflow's scoring server takes
        assertEquals(JSON.readTree("{\"artifact_path\": \"input_example.json\", \"pandas_orient\": \"split\","
                + " \"serving_input_path\": \"serving_input_example.json\", \"type\": \"dataframe\"}"),
                m.get("saved_input_example_info"));
        assertEquals(JSON.readTree("{\"columns\": [\"ret_1\", \"vol\"], \"data\": [[0.5, -1.25]]}"),
                JSON.readTree(folder.resolve("input_example.json").toFile()));
        assertEquals(JSON.readTree("{\"dataframe_split\": {\"columns\": [\"ret_1\", \"vol\"],"
                + " \"data\": [[0.5, -1.25]]}}"), JSON.readTree(folder.resolve("serving_input_example.json").toFile()));
        long size = 5 + Files.size(folder.resolve("input_example.json"))
                + Files.size(folder.resolve("serving_input_example.json"));
        assertEquals(size, m.get("model_size_bytes").asLong());

        // the tag MLflow 2.x lists logged models from: Model.get_tags_dict() of each, in a JSON list
        JsonNode tag = JSON.readTree(run.tags().get("mlflow.log-model.history"));
        assertEquals(1, tag.size());
        assertEquals(run.runId(), tag.get(0).get("run_id").asText());
        assertEquals("model", tag.get(0).get("artifact_path").asText());
        assertEquals(m.get("model_uuid"), tag.get(0).get("model_uuid"));
        assertEquals(m.get("utc_time_created"), tag.get(0).get("utc_time_created"));
        assertEquals(m.get("flavors"), tag.get(0).get("flavors"));
        assertNull(tag.get(0).get("signature"), "get_tags_dict keeps only run, path, time, uuid and flavors");
    }

    @Test
    void tensorSchemaAndNdarrayExample() throws Exception {
        assertEquals(JSON.readTree("[{\"type\": \"tensor\", \"tensor-spec\": {\"dtype\": \"float32\","
                + " \"shape\": [-1, 12, 16]}}]"), JSON.readTree(MlflowModel.tensor("float32", -1, 12, 16)));
        var e = MlflowModel.Example.ndarray(new double[][][] {{{1, 2}, {3, 4}}});
        assertEquals("ndarray", e.type());
        assertEquals(JSON.readTree("[[[1.0, 2.0], [3.0, 4.0]]]"), JSON.readTree(e.json()));
        assertEquals(JSON.readTree("{\"inputs\": [[[1.0, 2.0], [3.0, 4.0]]]}"), JSON.readTree(e.servingJson()));
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
