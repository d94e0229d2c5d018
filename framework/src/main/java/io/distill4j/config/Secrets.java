package io.distill4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.regex.Pattern;

/**
 * The one rule for secret-looking config values: a value whose key (any segment of its dotted path) names a token,
 * password, secret, API key, credential or private key is never written to tracking, neither as a param nor in the
 * resolved-config artifacts; it is replaced by {@value #MASK}. The study's own schema has no such key today; the rule
 * protects plugin settings and future keys. (Provenance tags read no environment variable but
 * {@code OMP_NUM_THREADS}.)
 */
public final class Secrets {
    /** What a secret value is replaced with. */
    public static final String MASK = "***";
    private static final Pattern SECRET_SEGMENT = Pattern.compile(
            "(?i)(?:^|.*[_-])(?:token|password|passwd|pwd|secret|api[_-]?key|apikey|access[_-]?key|credentials?"
                    + "|private[_-]?key|auth)(?:[_-].*|$)");

    private Secrets() {
    }

    /** Whether the dotted {@code path} (e.g. {@code data.source.api_key} or a param name) names a secret. */
    public static boolean isSecretKey(String path) {
        if (path == null) {
            return false;
        }
        for (String segment : path.split("[./\\[\\]]")) {
            if (!segment.isEmpty() && SECRET_SEGMENT.matcher(segment).matches()) {
                return true;
            }
        }
        return false;
    }

    /** {@code value}, or {@value #MASK} when {@code key} names a secret. */
    public static String maskValue(String key, String value) {
        return isSecretKey(key) ? MASK : value;
    }

    /** A copy of {@code tree} in which every value under a secret key is {@value #MASK}. */
    public static ObjectNode masked(ObjectNode tree) {
        return (ObjectNode) mask(tree);
    }

    private static JsonNode mask(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            node.fields().forEachRemaining(e -> out.set(e.getKey(),
                    isSecretKey(e.getKey()) ? TextNode.valueOf(MASK) : mask(e.getValue())));
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            node.forEach(n -> out.add(mask(n)));
            return out;
        }
        return node.deepCopy();
    }
}
