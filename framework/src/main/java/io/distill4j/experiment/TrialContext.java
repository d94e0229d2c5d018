package io.distill4j.experiment;

import io.distill4j.config.ConfigHash;
import io.distill4j.data.features.CrossTimeframeData;
import io.distill4j.data.features.DatasetPreparer;
import io.distill4j.data.features.PreparedData;
import io.distill4j.eval.Cka;
import io.distill4j.train.TeacherCache;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.ndarray.INDArray;

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
    /** Teacher layers prepared for CKA, most recently used last (see {@link #teacherCkaLayer}). */
    private final Map<String, java.util.concurrent.CompletableFuture<Cka.Layer>> teacherCka =
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, java.util.concurrent.CompletableFuture<Cka.Layer>> e) {
                    return size() > TEACHER_CKA_LAYERS;
                }
            };

    /**
     * How many teacher layers {@link #teacherCkaLayer} keeps prepared: a study's teacher on the test split (the quickstart
     * teacher's 4 layers take about 40 MB in double precision); a study that walks through more teachers prepares
     * the older ones again.
     */
    static final int TEACHER_CKA_LAYERS = 8;

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
                .orElseGet(() -> data.computeIfAbsent(DataFacts.key(config), k -> prepare(config)));
    }

    /** A config's data: by its split fractions, or the walk-forward window of its trial (see {@link Rolling}). */
    private static PreparedData prepare(StudyConfig config) {
        Optional<Rolling> rolling = config.rolling();
        if (rolling.isPresent() && rolling.get().window() >= 0) {
            return DatasetPreparer.prepareWindow(config.data(), rolling.get().windows(), rolling.get().window());
        }
        return DatasetPreparer.prepare(config.data());
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
        return (T) computeOnce(once, key, compute::get, true);
    }

    /**
     * A teacher layer's test-split activations prepared for CKA ({@link Cka#layer}: read from the cache, centred, its
     * self-similarity norm), once for every student trial of the study that compares with it, by teacher cache key
     * and layer name; a concurrent caller with the same key waits for the first one's result, and a failure is not
     * kept (a later trial prepares the layer again).
     */
    Cka.Layer teacherCkaLayer(String teacherKey, String layer, java.util.function.Supplier<INDArray> activations) {
        return computeOnce(teacherCka, teacherKey + "\n" + layer, () -> Cka.layer(activations.get()), false);
    }

    /**
     * The value of {@code key} in {@code futures}, computed by the first caller while concurrent callers with the same
     * key wait for it; a failure is rethrown to them as it was thrown, and stays in {@code futures} (every later caller
     * gets it) when {@code keepFailure}, else is removed. The map is locked only to put and remove.
     */
    private static <T> T computeOnce(Map<String, java.util.concurrent.CompletableFuture<T>> futures, String key,
            java.util.function.Supplier<T> compute, boolean keepFailure) {
        var mine = new java.util.concurrent.CompletableFuture<T>();
        java.util.concurrent.CompletableFuture<T> held;
        synchronized (futures) {
            held = futures.putIfAbsent(key, mine);
        }
        if (held == null) {
            try {
                mine.complete(compute.get());
            } catch (RuntimeException | Error e) {
                mine.completeExceptionally(e);
                if (!keepFailure) {
                    synchronized (futures) {
                        futures.remove(key, mine);
                    }
                }
                throw e;
            }
            held = mine;
        }
        try {
            return held.join();
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
