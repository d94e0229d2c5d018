package io.distill4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One point of a study's grid: {@code assignments} (axis path to value, in grid order) and {@code resolved}, a
 * copy of the study tree with those values set and the {@code grid} and {@code seeds} sections removed.
 */
public record GridCell(int index, LinkedHashMap<String, JsonNode> assignments, ObjectNode resolved) {

    /**
     * A short name such as {@code temperature=4,alpha=0.5}: each axis by the last segment of its path (the full
     * path where last segments collide), values as written (lists and mappings as compact JSON); {@code ""} when
     * the study has no grid.
     */
    public String label() {
        Map<String, Integer> counts = new HashMap<>();
        for (String path : assignments.keySet()) {
            counts.merge(ConfigPaths.lastSegment(path), 1, Integer::sum);
        }
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, JsonNode> e : assignments.entrySet()) {
            String last = ConfigPaths.lastSegment(e.getKey());
            b.append(b.length() > 0 ? "," : "").append(counts.get(last) > 1 ? e.getKey() : last).append('=')
                    .append(valueText(e.getValue()));
        }
        return b.toString();
    }

    /** The text of a grid value in labels and messages. */
    static String valueText(JsonNode v) {
        if (v.isTextual()) {
            return v.textValue();
        }
        if (v.isNumber()) {
            return v.asText();
        }
        return ConfigHash.canonicalJson(v);
    }
}
