package io.distill4j.config;

import static io.distill4j.config.Messages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigPathsTest {
    private final ObjectNode tree = StudyFileReader.parse("t.yaml",
            "a: {b: {c: 1}}\nlist: [10, {x: 1}, [5, 6]]\nnothing: null\nscalar: 3\n");

    @Test
    void parsesKeysAndIndices() {
        assertEquals("[list, [1], x]", ConfigPaths.parse("list[1].x").toString());
        assertEquals("[m, [2], [0]]", ConfigPaths.parse("m[2][0]").toString());
        assertNull(ConfigPaths.syntaxProblem("data.source.bars"));
        assertEquals("empty segment in path 'a.'", ConfigPaths.syntaxProblem("a."));
        assertEquals("empty path", ConfigPaths.syntaxProblem(""));
        assertTrue(ConfigPaths.syntaxProblem("a[x]").startsWith("bad segment 'a[x]'"));
        assertThrows(IllegalArgumentException.class, () -> ConfigPaths.parse("[1]"));
    }

    @Test
    void gets() {
        assertEquals(IntNode.valueOf(1), ConfigPaths.get(tree, "a.b.c").orElseThrow());
        assertEquals(IntNode.valueOf(1), ConfigPaths.get(tree, "list[1].x").orElseThrow());
        assertEquals(IntNode.valueOf(6), ConfigPaths.get(tree, "list[2][1]").orElseThrow());
        assertTrue(ConfigPaths.get(tree, "a.b.missing").isEmpty());
        assertTrue(ConfigPaths.get(tree, "scalar.x").isEmpty());
        assertTrue(ConfigPaths.get(tree, "list[9]").isEmpty());
        assertTrue(ConfigPaths.get(tree, "nothing").isEmpty());
    }

    @Test
    void setsAndCreatesOnlyWhenTold() {
        ConfigPaths.set("t.yaml", tree, "a.b.c", TextNode.valueOf("v"), false);
        ConfigPaths.set("t.yaml", tree, "a.b.new", IntNode.valueOf(2), false);
        ConfigPaths.set("t.yaml", tree, "list[2][0]", IntNode.valueOf(50), false);
        ConfigPaths.set("t.yaml", tree, "nothing.deep.key", IntNode.valueOf(3), true);
        assertEquals("{\"c\":\"v\",\"new\":2}", tree.at("/a/b").toString());
        assertEquals("[50,6]", tree.at("/list/2").toString());
        assertEquals(3, tree.at("/nothing/deep/key").intValue());
        assertMessage("t.yaml: x.y.z: cannot set: x does not exist",
                () -> ConfigPaths.set("t.yaml", tree, "x.y.z", IntNode.valueOf(1), false));
    }

    @Test
    void settingThroughScalarsAndListsFails() {
        assertMessage("t.yaml: scalar.x: cannot set 'x' inside scalar, which is the number 3, not a mapping",
                () -> ConfigPaths.set("t.yaml", tree, "scalar.x", IntNode.valueOf(1), true));
        assertMessage("t.yaml: list.x: cannot set 'x' inside list, which is a list, not a mapping",
                () -> ConfigPaths.set("t.yaml", tree, "list.x", IntNode.valueOf(1), true));
        assertMessage("t.yaml: a.b[0]: cannot use index [0] on a.b, which is a mapping, not a list",
                () -> ConfigPaths.set("t.yaml", tree, "a.b[0]", IntNode.valueOf(1), true));
        assertMessage("t.yaml: new[0]: cannot set: new does not exist, so it has no list elements",
                () -> ConfigPaths.set("t.yaml", tree, "new[0]", IntNode.valueOf(1), true));
        assertMessage("t.yaml: bad path syntax in 'a..b': empty segment in path 'a..b'",
                () -> ConfigPaths.set("t.yaml", tree, "a..b", IntNode.valueOf(1), true));
    }

    @Test
    void removesAndNamesLastSegment() {
        assertEquals(IntNode.valueOf(1), ConfigPaths.remove(tree, "a.b.c").orElseThrow());
        assertTrue(ConfigPaths.remove(tree, "a.b.c").isEmpty());
        assertEquals("hidden[1]", ConfigPaths.lastSegment("teacher.hidden[1]"));
        assertEquals(List.of("b"), ConfigNode.root("t", tree).section("a").keys());
    }
}
