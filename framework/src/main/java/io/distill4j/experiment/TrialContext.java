package io.distill4j.experiment;

import io.distill4j.config.ConfigHash;
import io.distill4j.data.features.CrossTimeframeData;
import io.distill4j.data.features.DatasetPreparer;
import io.distill4j.data.features.PreparedData;
import io.distill4j.train.TeacherCache;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What trials share in one process: the prepared data (once per distinct data config), the teacher cache and the
 * teachers already loaded from it, the device tag, and the evaluation scope. Everything here can be rebuilt in
 * another JVM from the cache location alone (data preparation is deterministic), which is what makes a trial
 * runnable anywhere.
 */
public final class TrialContext {
    private final TeacherCache teacherCache;
    private final EvaluationScope scope;
    private final String device;
    private final Map<String, PreparedData> data = new ConcurrentHashMap<>();
    private final Map<String, CrossTimeframeData> crossTimeframe = new ConcurrentHashMap<>();
    private final Map<String, TeacherCache.Entry> teachers = new ConcurrentHashMap<>();
    private final Map<PreparedData, DataFacts> facts = new ConcurrentHashMap<>(); // by identity: one per data section
    private final Map<Path, String> fileHashes = new ConcurrentHashMap<>();
    private final Map<String, java.util.concurrent.CompletableFuture<Object>> once = new ConcurrentHashMap<>();

    /**
     * @param teacherCache where teachers and their outputs are cached (shared by every process of a study)
     * @param scope the splits trials may read
     * @param device the {@code distill4j.device} tag of runs ({@code cpu}, {@code gpu}, or a decision's tag)
     */
    public TrialContext(TeacherCache teacherCache, EvaluationScope scope, String device) {
        this.teacherCache = teacherCache;
        this.scope = scope;
        this.device = device;
    }

    /** A context over the teacher cache folder {@code cacheRoot} ({@code results/cache/teachers}). */
    public static TrialContext at(Path cacheRoot, EvaluationScope scope, String device) {
        return new TrialContext(new TeacherCache(cacheRoot), scope, device);
    }

    /** The device tag of the ND4J backend this JVM loaded: {@code cpu} or {@code gpu}. */
    public static String backendDevice() {
        return org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getSimpleName().equals("CpuBackend") ? "cpu" : "gpu";
    }

    public TeacherCache teacherCache() {
        return teacherCache;
    }

    public EvaluationScope scope() {
        return scope;
    }

    public String device() {
        return device;
    }

    /**
     * The prepared data of a config (the student's), prepared once per distinct {@code data} section; with a
     * {@code teacher_data} section, only the samples that have an aligned teacher output (see
     * {@link #crossTimeframe}).
     */
    PreparedData data(StudyConfig config) {
        return crossTimeframe(config).map(CrossTimeframeData::student)
                .orElseGet(() -> data.computeIfAbsent(DataFacts.key(config), k -> DatasetPreparer.prepare(config.data())));
    }

    /** The aligned student and teacher data of a config with {@code teacher_data}, prepared once per key. */
    Optional<CrossTimeframeData> crossTimeframe(StudyConfig config) {
        return config.teacherData().map(teacherData -> crossTimeframe.computeIfAbsent(DataFacts.key(config),
                k -> CrossTimeframeData.prepare(config.data(), teacherData)));
    }

    /** The summary's facts about prepared data (class balance, chance baselines), computed once per dataset. */
    public DataFacts dataFacts(PreparedData prepared) {
        return facts.computeIfAbsent(prepared, DataFacts::of);
    }

    /**
     * The SHA-256 of a teacher's input file (saved model, positions), read once per process: every trial of a study
     * names the same files, and a study reads them as they were when it started.
     */
    String fileHash(Path file) {
        return fileHashes.computeIfAbsent(file.toAbsolutePath().normalize(), ConfigHash::sha256);
    }

    /**
     * A value computed once per key in this process, e.g. a mutual-learning cohort, trained once for the trials of all
     * its students: a concurrent caller with the same key waits for the first one's result, and a failure is every
     * caller's (the same exception).
     */
    @SuppressWarnings("unchecked")
    <T> T once(String key, java.util.function.Supplier<T> compute) {
        var mine = new java.util.concurrent.CompletableFuture<Object>();
        var held = once.putIfAbsent(key, mine);
        if (held == null) {
            try {
                mine.complete(compute.get());
            } catch (RuntimeException | Error e) {
                mine.completeExceptionally(e);
                throw e;
            }
            held = mine;
        }
        try {
            return (T) held.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Remembers a ready teacher (its activations stay on disk until a loss reads them). */
    void rememberTeacher(TeacherCache.Entry entry) {
        teachers.put(entry.key(), entry);
    }

    /** A teacher by cache key: one this process holds, else a complete entry of the cache on disk. */
    Optional<TeacherCache.Entry> teacher(String cacheKey) {
        TeacherCache.Entry held = teachers.get(cacheKey);
        if (held != null) {
            return Optional.of(held);
        }
        Optional<TeacherCache.Entry> cached = teacherCache.get(cacheKey);
        cached.ifPresent(this::rememberTeacher);
        return cached;
    }
}
