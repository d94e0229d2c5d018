package io.distill4j.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trials and their results as JSON: how a trial travels to another process (a child JVM, a cluster task) and how its
 * result comes back or is kept in the {@link TrialLedger}. A trial is its plain values and its resolved config tree;
 * metrics that are not finite (NaN, infinities) are written as strings so that they survive JSON.
 */
public final class TrialCodec {
    static final ObjectMapper JSON = new ObjectMapper();

    private TrialCodec() {
    }

    /** A trial as JSON. */
    public static ObjectNode encode(Trial trial) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", trial.id());
        n.put("role", trial.role().name());
        n.put("cell", trial.cell());
        ObjectNode assignments = n.putObject("assignments");
        trial.assignments().forEach(assignments::set);
        n.put("seed", trial.seed());
        if (trial.teacherName() != null) {
            n.put("teacher_name", trial.teacherName());
        }
        n.put("file", trial.file());
        n.set("resolved", trial.resolved());
        return n;
    }

    /**
     * The trial a JSON from {@link #encode(Trial)} describes.
     *
     * @throws IllegalArgumentException when the JSON is not a trial, or its id does not match its content (a trial
     *     written by another version of the code)
     */
    public static Trial decodeTrial(JsonNode n) {
        if (!n.path("resolved").isObject() || !n.path("role").isTextual()) {
            throw new IllegalArgumentException("not a trial description (no role or resolved config)");
        }
        LinkedHashMap<String, JsonNode> assignments = new LinkedHashMap<>();
        n.path("assignments").fields().forEachRemaining(e -> assignments.put(e.getKey(), e.getValue()));
        Trial trial = new Trial(Trial.Role.valueOf(n.get("role").asText()), n.path("cell").asText(), assignments,
                n.path("seed").asInt(), n.hasNonNull("teacher_name") ? n.get("teacher_name").asText() : null,
                n.path("file").asText(), (ObjectNode) n.get("resolved"));
        if (n.has("id") && !n.get("id").asText().equals(trial.id())) {
            throw new IllegalArgumentException("trial id " + n.get("id").asText() + " does not match its content ("
                    + trial.id() + ")");
        }
        return trial;
    }

    /** A result as JSON (its trial by id, role, method and seed). */
    public static ObjectNode encode(TrialResult r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", r.trialId());
        if (r.runId() != null) {
            n.put("run_id", r.runId());
        }
        n.put("role", r.trial().role().label()).put("method", r.trial().method())
                .put("seed", r.trial().trainingSeed());
        n.set("test", numbers(r.test()));
        n.set("validation", numbers(r.validation()));
        n.set("facts", numbers(r.facts()));
        n.put("parameters", r.parameters()).put("millis", r.millis());
        if (!r.testPredictions().isEmpty()) {
            n.put("test_predictions", r.testPredictions());
        }
        if (r.failure() != null) {
            n.put("failure", r.failure());
        }
        return n;
    }

    /** The result of {@code trial} that a JSON from {@link #encode(TrialResult)} holds. */
    public static TrialResult decodeResult(Trial trial, JsonNode n) {
        return new TrialResult(trial, trial.id(), doubles(n.get("test")), doubles(n.get("validation")),
                n.path("parameters").asLong(), n.path("millis").asLong(),
                n.hasNonNull("run_id") ? n.get("run_id").asText() : null,
                n.hasNonNull("failure") ? n.get("failure").asText() : null, doubles(n.get("facts")),
                n.path("test_predictions").asText(""));
    }

    private static ObjectNode numbers(Map<String, Double> m) {
        ObjectNode n = JSON.createObjectNode();
        m.forEach((k, v) -> {
            if (Double.isFinite(v)) {
                n.put(k, v);
            } else {
                n.put(k, Double.toString(v));
            }
        });
        return n;
    }

    private static Map<String, Double> doubles(JsonNode n) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (n != null) {
            n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().isNumber() ? e.getValue().asDouble()
                    : Double.parseDouble(e.getValue().asText())));
        }
        return m;
    }
}
