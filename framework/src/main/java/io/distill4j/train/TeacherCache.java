package io.distill4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distill4j.Distill4jException;
import io.distill4j.api.FittedTeacher;
import io.distill4j.api.ModelInput;
import io.distill4j.api.Teacher;
import io.distill4j.api.TeacherFitContext;
import io.distill4j.api.TeacherOutputs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trained teachers and their outputs on disk, under a key that is the hash of everything they depend on (data
 * config, teacher config, seed; the caller computes it). A teacher is trained once and its logits and named
 * activations for every split are reused by every trial and every later study with the same key.
 *
 * <p>Layout of {@code <root>/<key>/}: {@code meta.json} (description, parameter count, training time, when it was
 * trained, the {@link io.distill4j.api.PipelineVersion} that made it, feature layer names), {@code teacher.zip} (the trained DL4J model, when the teacher has one), and
 * {@code <split>.logits.bin} / {@code <split>.<layer>.bin} / {@code <split>.member.<name>.bin} (ND4J binary
 * arrays; members are an ensemble's own logits). An entry is written in a temporary
 * folder and renamed into place, so a killed process never leaves a partial entry.
 *
 * <p>An entry holds logits and members in memory; activations stay on disk and are read by split and layer only when
 * a loss asks for them ({@link TeacherOutputs#feature}), and not kept, so a study of logit-only losses never reads an
 * activation file and memory grows with the data, not with the grid.
 */
public final class TeacherCache {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Extra room asked for beyond the estimated entry size: 10% plus this many bytes. */
    static final long MARGIN_BYTES = 16L * 1024 * 1024;

    private final Path root;
    private final ToLongFunction<Path> usableSpace;
    private final Function<Path, INDArray> reader;
    private final AtomicInteger fits = new AtomicInteger();

    public TeacherCache(Path root) {
        this(root, TeacherCache::usableSpace);
    }

    /** For tests: {@code usableSpace} reports the free bytes of the folder's file store. */
    TeacherCache(Path root, ToLongFunction<Path> usableSpace) {
        this(root, usableSpace, TeacherCache::readArray);
    }

    /** For tests: {@code reader} reads every array file of an entry (a seam to observe which files are read). */
    TeacherCache(Path root, ToLongFunction<Path> usableSpace, Function<Path, INDArray> reader) {
        this.root = root;
        this.usableSpace = usableSpace;
        this.reader = reader;
    }

    /**
     * A teacher's outputs on every split.
     *
     * @param fromCache whether the entry was read from disk rather than trained now
     * @param trainMillis how long training took when the entry was made
     * @param trainedAtMillis when the entry was made (Unix ms; 0 when unknown)
     */
    public record Entry(String key, String description, long parameterCount, Map<String, TeacherOutputs> outputs,
            boolean fromCache, long trainMillis, Path folder, long trainedAtMillis) {

        public TeacherOutputs split(String name) {
            TeacherOutputs o = outputs.get(name);
            if (o == null) {
                throw new IllegalArgumentException("no cached teacher outputs for split '" + name + "'");
            }
            return o;
        }
    }

    /** How many teachers this cache instance has trained (for tests and the time-saved report). */
    public int fitCount() {
        return fits.get();
    }

    /** The cached entry for {@code key}, if there is a complete and readable one. */
    public synchronized java.util.Optional<Entry> get(String key) {
        Path folder = root.resolve(key);
        if (!Files.isRegularFile(folder.resolve("meta.json"))) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(read(key, folder));
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * Returns the cached entry for {@code key}, or trains {@code teacher}, infers every input of {@code splits} and
     * stores the result.
     */
    public synchronized Entry getOrFit(String key, Teacher teacher, TeacherFitContext context,
            Map<String, ModelInput> splits) {
        Path folder = root.resolve(key);
        if (Files.isRegularFile(folder.resolve("meta.json"))) {
            try {
                return read(key, folder);
            } catch (IOException | RuntimeException e) {
                // A damaged entry is not trusted: it is removed and the teacher is trained again.
                deleteRecursively(folder);
            }
        }
        long t0 = System.currentTimeMillis();
        FittedTeacher fitted = teacher.fit(context);
        fits.incrementAndGet();
        long millis = System.currentTimeMillis() - t0;
        Map<String, TeacherOutputs> outputs = new LinkedHashMap<>();
        splits.forEach((name, input) -> outputs.put(name, fitted.infer(input)));
        long trainedAt = System.currentTimeMillis();
        write(key, folder, teacher.describe(), fitted, outputs, millis, trainedAt);
        try {
            // read back as every later use will: activations lazily, from the files just written
            Entry written = read(key, folder);
            return new Entry(key, written.description(), written.parameterCount(), written.outputs(), false,
                    written.trainMillis(), folder, trainedAt);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the teacher cache entry just written in " + folder, e);
        }
    }

    private void write(String key, Path folder, String description, FittedTeacher fitted,
            Map<String, TeacherOutputs> outputs, long millis, long trainedAt) {
        Path tmp = root.resolve(".tmp-" + key + "-" + UUID.randomUUID());
        try {
            Files.createDirectories(root);
            checkSpace(fitted, outputs);
            Files.createDirectories(tmp);
            fitted.save(tmp.resolve("teacher.zip"));
            ObjectNode meta = JSON.createObjectNode();
            meta.put("key", key);
            meta.put("description", description);
            meta.put("parameter_count", fitted.parameterCount());
            meta.put("train_millis", millis);
            meta.put("trained_at_ms", trainedAt);
            meta.put("pipeline_version", io.distill4j.api.PipelineVersion.CURRENT);
            ArrayNode splits = meta.putArray("splits");
            ArrayNode layers = meta.putArray("feature_layers");
            ArrayNode members = meta.putArray("members");
            boolean first = true;
            for (var e : outputs.entrySet()) {
                splits.add(e.getKey());
                BinaryArrays.write(e.getValue().logits(), tmp.resolve(e.getKey() + ".logits.bin"));
                for (var f : e.getValue().features().entrySet()) {
                    BinaryArrays.write(f.getValue(), tmp.resolve(e.getKey() + "." + f.getKey() + ".bin"));
                    if (first) {
                        layers.add(f.getKey());
                    }
                }
                for (var m : e.getValue().members().entrySet()) {
                    BinaryArrays.write(m.getValue(), tmp.resolve(e.getKey() + ".member." + m.getKey() + ".bin"));
                    if (first) {
                        members.add(m.getKey());
                    }
                }
                first = false;
            }
            Files.writeString(tmp.resolve("meta.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(meta));
            Files.createDirectories(root);
            try {
                Files.move(tmp, folder, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException e) {
                deleteRecursively(tmp); // another process finished the same entry first: keep theirs
            } catch (java.nio.file.FileSystemException e) {
                // Linux reports a rename onto a non-empty folder as a plain "Directory not empty"
                if (!Files.isRegularFile(folder.resolve("meta.json"))) {
                    throw e;
                }
                deleteRecursively(tmp); // another process (a shard, a cluster task) finished it first: keep theirs
            }
        } catch (IOException | RuntimeException e) {
            deleteRecursively(tmp); // never a partial entry: it is only renamed into place when complete
            if (e instanceof Distill4jException d) {
                throw d;
            }
            if (e instanceof RuntimeException r && !(e instanceof UncheckedIOException)) {
                throw r;
            }
            Throwable cause = e instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : e;
            String m = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            throw new Distill4jException("cannot write the teacher cache entry " + folder + ": "
                    + m.replaceAll("\\s+", " ").trim() + " (is the disk full or the folder not writable?)", e);
        }
    }

    /**
     * Fails cleanly, before anything is written, when the entry will not fit: estimated size (every output array,
     * plus the model zip at about 8 bytes per parameter for weights and updater state) plus a margin.
     */
    private void checkSpace(FittedTeacher fitted, Map<String, TeacherOutputs> outputs) {
        long needed = fitted.parameterCount() * 8L + 64 * 1024;
        for (TeacherOutputs o : outputs.values()) {
            needed += bytes(o.logits());
            for (INDArray a : o.features().values()) {
                needed += bytes(a);
            }
            for (INDArray a : o.members().values()) {
                needed += bytes(a);
            }
        }
        needed += needed / 10 + MARGIN_BYTES;
        long free = usableSpace.applyAsLong(root);
        if (free >= 0 && free < needed) {
            throw new Distill4jException("not enough free disk space for the teacher cache in " + root + ": needs "
                    + "about " + needed + " bytes (" + mib(needed) + " MiB), " + free + " bytes (" + mib(free)
                    + " MiB) free");
        }
    }

    private static long bytes(INDArray a) {
        return a == null ? 0 : a.length() * a.dataType().width() + 1024;
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0));
    }

    private static long usableSpace(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException | RuntimeException e) {
            return -1; // unknown: let the write itself fail if it must
        }
    }

    private Entry read(String key, Path folder) throws IOException {
        ObjectNode meta = (ObjectNode) JSON.readTree(folder.resolve("meta.json").toFile());
        List<String> layers = new ArrayList<>();
        meta.get("feature_layers").forEach(n -> layers.add(n.asText()));
        List<String> members = new ArrayList<>();
        meta.get("members").forEach(n -> members.add(n.asText()));
        Map<String, TeacherOutputs> outputs = new LinkedHashMap<>();
        for (var split : meta.get("splits")) {
            String s = split.asText();
            INDArray logits = reader.apply(folder.resolve(s + ".logits.bin"));
            Map<String, Supplier<INDArray>> features = new LinkedHashMap<>();
            for (String layer : layers) {
                Path file = folder.resolve(s + "." + layer + ".bin");
                if (!Files.isRegularFile(file)) {
                    throw new IOException("missing " + file); // a damaged entry: not trusted
                }
                features.put(layer, () -> reader.apply(file));
            }
            Map<String, INDArray> memberLogits = new LinkedHashMap<>();
            for (String member : members) {
                memberLogits.put(member, reader.apply(folder.resolve(s + ".member." + member + ".bin")));
            }
            outputs.put(s, TeacherOutputs.lazy(logits, features, memberLogits));
        }
        return new Entry(key, meta.get("description").asText(), meta.get("parameter_count").asLong(), outputs, true,
                meta.get("train_millis").asLong(), folder, meta.path("trained_at_ms").asLong(0));
    }

    private static INDArray readArray(Path file) {
        try {
            return BinaryArrays.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read cached teacher outputs " + file, e);
        }
    }

    private static void deleteRecursively(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a leftover temporary folder is harmless
        }
    }
}
