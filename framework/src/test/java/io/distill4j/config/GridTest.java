package io.distill4j.config;

import static io.distill4j.config.Messages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GridTest {
    private static ObjectNode study(String yaml) {
        return StudyFileReader.parse("study.yaml", yaml);
    }

    private static void fails(String expected, String yaml) {
        assertMessage(expected, () -> Grid.of("study.yaml", study(yaml)));
    }

    private static final String BASE = "training: {epochs: 20, batch_size: 256}\nteacher: {hidden: [128, 64]}\n";

    @Test
    void quickstartExpandsFirstAxisSlowest() {
        ObjectNode s = StudyFileReader.parse("q.yaml", StudyFileReaderTest.QUICKSTART);
        Grid g = Grid.of("q.yaml", s);
        assertEquals(List.of(1, 2), g.seeds());
        assertEquals(4, g.size());
        List<GridCell> cells = g.cells();
        assertEquals(List.of("temperature=1,alpha=0.1", "temperature=1,alpha=0.5", "temperature=4,alpha=0.1",
                "temperature=4,alpha=0.5"), cells.stream().map(GridCell::label).collect(Collectors.toList()));
        assertEquals(List.of(0, 1, 2, 3), cells.stream().map(GridCell::index).collect(Collectors.toList()));
        GridCell c = cells.get(2);
        assertEquals(List.of("distillation.loss.temperature", "distillation.loss.alpha"),
                List.copyOf(c.assignments().keySet()));
        ObjectNode r = c.resolved();
        assertEquals(4, r.at("/distillation/loss/temperature").intValue());
        assertEquals(0.1, r.at("/distillation/loss/alpha").doubleValue());
        assertEquals("hinton", r.at("/distillation/loss/type").textValue());
        assertFalse(r.has("grid"));
        assertFalse(r.has("seeds"));
        assertEquals(List.of("type", "temperature", "alpha"), ConfigNode.root("r", r).section("distillation")
                .section("loss").keys(), "key order is kept");
        assertEquals(0.5, s.at("/distillation/loss/alpha").doubleValue(), "the study itself is unchanged");
        assertTrue(s.has("grid"));
    }

    @Test
    void threeAxesOdometerOrder() {
        Grid g = Grid.of("s", study("grid: {a: [1, 2], b: [x, y, z], c: [true, false]}\n"));
        List<String> labels = g.cells().stream().map(GridCell::label).collect(Collectors.toList());
        assertEquals(12, labels.size());
        assertEquals("a=1,b=x,c=true", labels.get(0));
        assertEquals("a=1,b=x,c=false", labels.get(1));
        assertEquals("a=1,b=y,c=true", labels.get(2));
        assertEquals("a=2,b=x,c=true", labels.get(6));
        assertEquals("a=2,b=z,c=false", labels.get(11));
    }

    @Test
    void noGridIsOneCellWithDefaultSeed() {
        Grid g = Grid.of("s", study(BASE));
        assertEquals(List.of(0), g.seeds());
        List<GridCell> cells = g.cells();
        assertEquals(1, cells.size());
        assertEquals("", cells.get(0).label());
        assertTrue(cells.get(0).assignments().isEmpty());
        assertEquals(study(BASE), cells.get(0).resolved());
    }

    @Test
    void labelsFallBackToFullPathsWhenLastSegmentsCollide() {
        Grid g = Grid.of("s", study(BASE + "grid:\n  teacher.hidden: [[64, 32], [8]]\n  student.hidden: [[4]]\n"
                + "  training.epochs: [5]\n"));
        assertEquals("teacher.hidden=[64,32],student.hidden=[4],epochs=5", g.cells().get(0).label());
        ObjectNode r = g.cells().get(1).resolved();
        assertEquals("[8]", r.at("/teacher/hidden").toString());
        assertEquals("[4]", r.at("/student/hidden").toString(), "grid paths may create keys");
    }

    @Test
    void listElementsAndMappingValues() {
        Grid g = Grid.of("s", study(BASE + "grid:\n  teacher.hidden[0]: [32, 16]\n  training: [{epochs: 1}]\n"));
        assertEquals("hidden[0]=32,training={\"epochs\":1}", g.cells().get(0).label());
        assertEquals("[16,64]", g.cells().get(1).resolved().at("/teacher/hidden").toString());
        assertEquals("{\"epochs\":1}", g.cells().get(1).resolved().get("training").toString());
    }

    @Test
    void cellsAreIndependentCopies() {
        Grid g = Grid.of("s", study(BASE + "grid: {training.epochs: [1, 2]}\n"));
        GridCell first = g.cells().get(0);
        ((ObjectNode) first.resolved().get("training")).put("epochs", 99);
        assertEquals(1, g.cells().get(0).resolved().at("/training/epochs").intValue());
        assertNotEquals(ConfigHash.of(g.cells().get(0).resolved()), ConfigHash.of(g.cells().get(1).resolved()));
    }

    // ---- malformed -----------------------------------------------------------------------------

    @Test
    void gridNotAMapping() {
        fails("study.yaml: grid: expected a mapping of config path to list of values, got a list",
                "grid: [training.epochs, 5]\n");
    }

    @Test
    void emptyAxis() {
        fails("study.yaml: grid.training.epochs: expected a non-empty list of values, got an empty list",
                BASE + "grid: {training.epochs: []}\n");
    }

    @Test
    void scalarAxis() {
        fails("study.yaml: grid.training.epochs: expected a non-empty list of values, got the number 5 (write [5]"
                + " for a single value)", BASE + "grid: {training.epochs: 5}\n");
    }

    @Test
    void mappingAxis() {
        fails("study.yaml: grid.training: expected a non-empty list of values, got a mapping",
                BASE + "grid: {training: {epochs: 5}}\n");
    }

    @Test
    void duplicateValues() {
        fails("study.yaml: grid.training.epochs[2]: duplicate value 5 (same as grid.training.epochs[0])",
                BASE + "grid: {training.epochs: [5, 6, 5]}\n");
    }

    @Test
    void duplicateValuesCompareNumbersByValue() {
        fails("study.yaml: grid.distillation.loss.temperature[1]: duplicate value 4.0 (same as"
                + " grid.distillation.loss.temperature[0])", "grid: {distillation.loss.temperature: [4, 4.0]}\n");
    }

    @Test
    void axisIntoGrid() {
        fails("study.yaml: grid.grid.x: a grid axis cannot change 'grid' itself", "grid: {grid.x: [1]}\n");
    }

    @Test
    void axisIntoSeeds() {
        fails("study.yaml: grid.seeds[0]: a grid axis cannot change 'seeds' itself", "seeds: [1]\ngrid:\n  seeds[0]: [1]\n");
    }

    @Test
    void parentIsAScalar() {
        fails("study.yaml: grid.training.epochs.max: cannot set 'max' inside training.epochs, which is the number 20,"
                + " not a mapping", BASE + "grid: {training.epochs.max: [1]}\n");
    }

    @Test
    void indexOutOfRange() {
        fails("study.yaml: grid.teacher.hidden[2]: index [2] is out of range: teacher.hidden has 2 elements",
                BASE + "grid:\n  teacher.hidden[2]: [1]\n");
    }

    @Test
    void badAxisPath() {
        fails("study.yaml: grid.training..epochs: bad config path: empty segment in path 'training..epochs'",
                BASE + "grid: {training..epochs: [1]}\n");
    }

    @Test
    void overlappingAxes() {
        fails("study.yaml: grid.teacher.hidden: overlaps the grid axis teacher (one path must not lie inside the"
                + " other)", BASE + "grid: {teacher: [{hidden: [1]}], teacher.hidden: [[2]]}\n");
    }

    @Test
    void seedsNotAList() {
        fails("study.yaml: seeds: expected a non-empty list of distinct integers, got the number 3 (write [3])",
                "seeds: 3\n");
    }

    @Test
    void seedsEmpty() {
        fails("study.yaml: seeds: expected a non-empty list of distinct integers, got an empty list", "seeds: []\n");
    }

    @Test
    void seedNotAnInteger() {
        fails("study.yaml: seeds[1]: expected an integer seed, got the number 2.5", "seeds: [1, 2.5]\n");
        fails("study.yaml: seeds[0]: expected an integer seed, got the string 'one'", "seeds: [one]\n");
        fails("study.yaml: seeds[0]: expected an integer seed, got the number 99999999999", "seeds: [99999999999]\n");
    }

    @Test
    void duplicateSeed() {
        fails("study.yaml: seeds[2]: duplicate seed 1", "seeds: [1, 2, 1]\n");
    }

    @Test
    void tooManyCells() {
        StringBuilder values = new StringBuilder("[0");
        for (int i = 1; i < 400; i++) {
            values.append(", ").append(i);
        }
        values.append(']');
        fails("study.yaml: grid: the grid has more than 100000 cells",
                "grid: {a: " + values + ", b: " + values + "}\n");
    }
}
