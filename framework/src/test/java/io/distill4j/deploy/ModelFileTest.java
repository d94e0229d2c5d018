package io.distill4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.runtime.StudentModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The model file: what it carries, and that readers refuse other versions, truncation and what they cannot run. */
class ModelFileTest {
    @Test
    void fileCarriesStandardiserFeatureSpecificationAndProvenance() throws IOException {
        StudentModel model = RuntimeEqualityTest.roundTrip(RuntimeExporter.export(
                DeployFixtures.student("{type: mlp, hidden: [16, 8]}", 2), DeployFixtures.info(false)));
        assertArrayEquals(DeployFixtures.DATA.standardiser().mean(), model.standardiserMean());
        assertArrayEquals(DeployFixtures.DATA.standardiser().std(), model.standardiserStd());
        assertEquals("fixture", model.metadata().get("study"));
        assertEquals("000000000000", model.metadata().get("trial_id"));
        assertEquals("none", model.metadata().get("config_hash"));
        assertEquals("300000", model.metadata().get("interval_ms"));
        assertEquals(String.join(",", io.distill4j.data.features.FeatureEngineer.NAMES),
                model.metadata().get("features"));
        // 12 -> 16 -> 8 -> 3: (12*16 + 16) + (16*8 + 8) + (8*3 + 3) parameters, 12*16 + 16*8 + 8*3 MACs
        assertEquals(371, model.parameters());
        assertEquals(344, model.multiplyAccumulates());
    }

    @Test
    void readerRefusesOtherVersionsTruncationAndForeignFiles() throws IOException {
        StudentModel model = RuntimeExporter.export(DeployFixtures.student("{type: linear}", 2),
                DeployFixtures.info(false));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        model.write(out);
        byte[] bytes = out.toByteArray();
        byte[] v2 = bytes.clone();
        v2[7] = 2;
        assertEquals("model file format version 2, this runtime reads version 1", assertThrows(IOException.class,
                () -> StudentModel.read(new ByteArrayInputStream(v2))).getMessage());
        assertTrue(assertThrows(IOException.class, () -> StudentModel.read(new ByteArrayInputStream(
                Arrays.copyOf(bytes, bytes.length - 9)))).getMessage().contains("truncated"));
        assertEquals("not a distill4j runtime model (no D4JR header)", assertThrows(IOException.class,
                () -> StudentModel.read(new ByteArrayInputStream("PK\3\4 a zip".getBytes()))).getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{type: attention, model_size: 4, heads: 2}",
        "{type: transformer, model_size: 4, heads: 2, ff_size: 4, readout: last}"})
    void attentionAndTransformerStudentsAreRefusedWithTheReason(String yaml) {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> RuntimeExporter.export(DeployFixtures.student(yaml, 1), DeployFixtures.info(true)));
        assertTrue(e.getMessage().startsWith("cannot export the student to the runtime: "), e.getMessage());
    }
}
