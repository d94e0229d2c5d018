package io.distill4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.Distill4jException;
import io.distill4j.api.FittedTeacher;
import io.distill4j.api.InputKind;
import io.distill4j.api.ModelInput;
import io.distill4j.api.Teacher;
import io.distill4j.api.TeacherFitContext;
import io.distill4j.api.TeacherOutputs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/** The teacher cache under resource faults: too little disk space, and a write that fails half way. */
class TeacherCacheFaultTest {
    @TempDir
    Path dir;

    /** A teacher with fixed outputs whose save writes part of a file and then, if asked, fails like a full disk. */
    private static Teacher teacher(boolean failSave) {
        FittedTeacher fitted = new FittedTeacher() {
            @Override
            public TeacherOutputs infer(ModelInput input) {
                return new TeacherOutputs(Nd4j.rand(100, 3), Map.of("h", Nd4j.rand(100, 8)));
            }

            @Override
            public long parameterCount() {
                return 1_000;
            }

            @Override
            public void save(Path zip) throws IOException {
                Files.write(zip, new byte[4096]);
                if (failSave) {
                    throw new IOException("No space left on device");
                }
            }
        };
        return new Teacher() {
            @Override
            public String describe() {
                return "fake";
            }

            @Override
            public InputKind inputKind() {
                return InputKind.values()[0];
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

    private static Map<String, ModelInput> splits() {
        Map<String, ModelInput> s = new LinkedHashMap<>();
        s.put("train", null);
        s.put("test", null);
        return s;
    }

    private List<String> entries(Path root) throws IOException {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(root)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void tooLittleFreeSpaceFailsBeforeWritingAndNamesFolderNeededAndFree() throws IOException {
        Path root = dir.resolve("cache");
        TeacherCache cache = new TeacherCache(root, p -> 5_000_000L);
        Distill4jException e = assertThrows(Distill4jException.class,
                () -> cache.getOrFit("k1", teacher(false), null, splits()));
        String m = e.getMessage();
        assertTrue(m.startsWith("not enough free disk space for the teacher cache in " + root + ": needs about "), m);
        assertTrue(m.endsWith(" bytes (4.8 MiB) free"), m);
        assertFalse(m.contains("\n"), m);
        assertEquals(List.of(), entries(root), "nothing written");
    }

    @Test
    void enoughSpaceWritesTheEntry() throws IOException {
        Path root = dir.resolve("cache");
        TeacherCache cache = new TeacherCache(root, p -> Long.MAX_VALUE);
        TeacherCache.Entry entry = cache.getOrFit("k1", teacher(false), null, splits());
        assertFalse(entry.fromCache());
        assertEquals(List.of("k1"), entries(root));
        assertTrue(new TeacherCache(root).getOrFit("k1", teacher(false), null, splits()).fromCache());
    }

    @Test
    void failureHalfWayLeavesNoPartialEntryAndIsOneLine() throws IOException {
        Path root = dir.resolve("cache");
        TeacherCache cache = new TeacherCache(root);
        Distill4jException e = assertThrows(Distill4jException.class,
                () -> cache.getOrFit("k2", teacher(true), null, splits()));
        assertEquals("cannot write the teacher cache entry " + root.resolve("k2") + ": No space left on device "
                + "(is the disk full or the folder not writable?)", e.getMessage());
        assertEquals(List.of(), entries(root), "no partial entry and no temporary folder");
        // a later attempt that succeeds writes a complete entry
        assertFalse(cache.getOrFit("k2", teacher(false), null, splits()).fromCache());
        assertEquals(List.of("k2"), entries(root));
    }

    @Test
    void unwritableCacheFolderIsOneLine() throws IOException {
        Path root = dir.resolve("cache");
        Files.writeString(root, "a file where the cache folder should be");
        Distill4jException e = assertThrows(Distill4jException.class,
                () -> new TeacherCache(root).getOrFit("k3", teacher(false), null, splits()));
        assertTrue(e.getMessage().startsWith("cannot write the teacher cache entry " + root.resolve("k3") + ": "),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
