package io.distill4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.FittedTeacher;
import io.distill4j.api.InputKind;
import io.distill4j.api.ModelInput;
import io.distill4j.api.Teacher;
import io.distill4j.api.TeacherFitContext;
import io.distill4j.api.TeacherOutputs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Cached activations load lazily, by split and layer: reading an entry and using its logits (what a study of logit
 * losses does) reads no activation file; asking for one layer of one split reads that file only.
 */
class TeacherCacheLazyTest {
    @TempDir
    Path dir;

    private final List<String> read = new ArrayList<>();

    private INDArray recordingReader(Path file) {
        read.add(file.getFileName().toString());
        try {
            return Nd4j.readBinary(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void activationsAreReadOnlyWhenALossAsksForThem() {
        INDArray h0 = Nd4j.rand(10, 4);
        INDArray h1 = Nd4j.rand(10, 2);
        TeacherCache cache = new TeacherCache(dir, d -> -1, this::recordingReader);
        TeacherCache.Entry fitted = cache.getOrFit("k", teacher(new TeacherOutputs(Nd4j.rand(10, 3),
                Map.of("h0", h0, "h1", h1))), null, splits());
        assertEquals(Set.of("train.logits.bin", "validation.logits.bin"), Set.copyOf(read),
                "a freshly trained entry is returned as a cached one is: activations on disk only");

        read.clear();
        TeacherCache.Entry entry = new TeacherCache(dir, d -> -1, this::recordingReader).get("k").orElseThrow();
        for (String split : List.of("train", "validation")) {
            assertEquals(10, entry.split(split).logits().size(0));
            assertEquals(Set.of("h0", "h1"), entry.split(split).featureLayers());
        }
        assertEquals(Set.of("train.logits.bin", "validation.logits.bin"), Set.copyOf(read));

        read.clear();
        assertEquals(h1, entry.split("validation").feature("h1"));
        assertEquals(List.of("validation.h1.bin"), read);
        assertEquals(h0, fitted.outputs().get("train").feature("h0"));
    }

    /** A missing activation file makes the entry damaged (retrained), though it is not read. */
    @Test
    void aMissingActivationFileIsADamagedEntry() throws IOException {
        TeacherCache cache = new TeacherCache(dir, d -> -1, this::recordingReader);
        cache.getOrFit("k", teacher(new TeacherOutputs(Nd4j.rand(10, 3), Map.of("h0", Nd4j.rand(10, 4)))), null,
                splits());
        Files.delete(dir.resolve("k").resolve("validation.h0.bin"));
        assertTrue(cache.get("k").isEmpty());
    }

    private static Map<String, ModelInput> splits() {
        Map<String, ModelInput> s = new LinkedHashMap<>();
        s.put("train", null);
        s.put("validation", null);
        return s;
    }

    private static Teacher teacher(TeacherOutputs outputs) {
        FittedTeacher fitted = new FittedTeacher() {
            @Override
            public TeacherOutputs infer(ModelInput input) {
                return outputs;
            }

            @Override
            public long parameterCount() {
                return 0;
            }

            @Override
            public void save(Path zip) throws IOException {
                Files.write(zip, new byte[16]);
            }
        };
        return new Teacher() {
            @Override
            public String describe() {
                return "fixed";
            }

            @Override
            public InputKind inputKind() {
                return InputKind.TABULAR;
            }

            @Override
            public FittedTeacher fit(TeacherFitContext context) {
                return fitted;
            }

            @Override
            public int epochBudget() {
                return 0;
            }
        };
    }
}
