package io.distill4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class ConfigHashTest {
    private static ObjectNode yaml(String text) {
        return StudyFileReader.parse("h.yaml", text);
    }

    @Test
    void knownDigestOfEmptyMapping() {
        // sha256("{}")
        assertEquals("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
                ConfigHash.of(JsonNodeFactory.instance.objectNode()));
        assertEquals("44136fa355b3", ConfigHash.shortId(JsonNodeFactory.instance.objectNode()));
    }

    @Test
    void keysAreSortedRecursivelyAndListsKeepOrder() {
        ObjectNode a = yaml("b: {y: 1, x: [3, 1]}\na: true\n");
        ObjectNode b = yaml("a: true\nb: {x: [3, 1], y: 1}\n");
        assertEquals("{\"a\":true,\"b\":{\"x\":[3,1],\"y\":1}}", ConfigHash.canonicalJson(a));
        assertEquals(ConfigHash.of(a), ConfigHash.of(b));
        assertNotEquals(ConfigHash.of(a), ConfigHash.of(yaml("a: true\nb: {x: [1, 3], y: 1}\n")));
        assertNotEquals(ConfigHash.of(a), ConfigHash.of(yaml("a: 'true'\nb: {x: [3, 1], y: 1}\n")));
    }

    @Test
    void numbersAreNormalisedByValue() {
        assertEquals("[4,4,4,1000,0.5,0.005,1.5E-7,-2,0.1,100000000000000000000]", ConfigHash.canonicalJson(
                yaml("x: [4, 4.0, 4e0, 1e3, 0.50, 5e-3, 1.5e-7, -2.0, 0.1, 1e20]\n").get("x")));
        assertEquals(ConfigHash.of(yaml("t: 4\n")), ConfigHash.of(yaml("t: 4.0\n")));
        assertNotEquals(ConfigHash.of(yaml("t: 4\n")), ConfigHash.of(yaml("t: '4'\n")));
        assertEquals("0.1", ConfigHash.canonicalJson(new DecimalNode(new BigDecimal("0.100"))));
        assertEquals("0.30000000000000004", ConfigHash.canonicalJson(DoubleNode.valueOf(0.1 + 0.2)));
        assertEquals("0", ConfigHash.canonicalJson(DoubleNode.valueOf(-0.0)));
        assertThrows(IllegalArgumentException.class, () -> ConfigHash.of(DoubleNode.valueOf(Double.NaN)));
    }

    @Test
    void stringsAreEscapedMinimally() {
        assertEquals("\"a\\\"b\\\\c\\nd\\u0001é\"", ConfigHash.canonicalJson(TextNode.valueOf("a\"b\\c\nd\u0001é")));
    }

    @Test
    void quickstartHashIsStable() {
        ObjectNode q = StudyFileReader.parse("q.yaml", StudyFileReaderTest.QUICKSTART);
        ObjectNode roundTripped = StudyFileReader.parse("q2.yaml", StudyFileWriter.toYaml(q));
        assertEquals(ConfigHash.of(q), ConfigHash.of(roundTripped));
        assertEquals(64, ConfigHash.of(q).length());
        assertEquals(ConfigHash.of(q).substring(0, 12), ConfigHash.shortId(q));
    }
}
