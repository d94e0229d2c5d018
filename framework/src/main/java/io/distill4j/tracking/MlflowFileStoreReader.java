package io.distill4j.tracking;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads an MLflow file store (as written by {@link MlflowFileStore} or by MLflow itself): experiments, runs, and
 * each run's meta fields, params, tags, metric histories and artifact list.
 */
public final class MlflowFileStoreReader {

    /** An experiment's {@code meta.yaml}. */
    public record Experiment(String experimentId, String name, String artifactLocation, String lifecycleStage,
            long creationTime, long lastUpdateTime) {
    }

    /** One line of a metric file. */
    public record Metric(long timestamp, double value, long step) {
    }

    /**
     * A run: its {@code meta.yaml} fields, params and tags by key, metric histories by key (in file order) and
     * artifact paths relative to its {@code artifacts/} folder ('/'-separated, sorted).
     */
    public record Run(String runId, String experimentId, String runName, RunStatus status, long startTime,
            Long endTime, String lifecycleStage, String userId, String artifactUri, Map<String, String> params,
            Map<String, String> tags, Map<String, List<Metric>> metrics, List<String> artifacts) {
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Path root;

    /** A reader for the store at {@code root}. */
    public MlflowFileStoreReader(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** Active experiments, oldest first. */
    public List<Experiment> experiments() {
        return readExperiments(root);
    }

    /** Deleted experiments (those in {@code .trash}), oldest first. */
    public List<Experiment> deletedExperiments() {
        return readExperiments(root.resolve(MlflowFileStore.TRASH));
    }

    /** The runs of an active experiment, by start time. */
    public List<Run> runs(String experimentId) {
        checkId(experimentId);
        Path dir = root.resolve(experimentId);
        List<Run> runs = new ArrayList<>();
        for (Path runDir : subdirs(dir)) {
            if (Files.isRegularFile(runDir.resolve("meta.yaml"))) {
                runs.add(readRunDir(runDir));
            }
        }
        runs.sort(Comparator.comparingLong(Run::startTime).thenComparing(Run::runId));
        return runs;
    }

    /** One run of an active experiment. */
    public Run run(String experimentId, String runId) {
        checkId(experimentId);
        checkId(runId);
        Path runDir = root.resolve(experimentId).resolve(runId);
        if (!Files.isRegularFile(runDir.resolve("meta.yaml"))) {
            throw new IllegalArgumentException("no run " + runId + " in experiment " + experimentId + " of " + root);
        }
        return readRunDir(runDir);
    }

    /**
     * The dataset inputs of a run, from MLflow's file-store layout: each {@code <run>/inputs/<id>/meta.yaml} names a
     * dataset under {@code <experiment>/datasets/<source_id>/meta.yaml}; the input tag {@code mlflow.data.context}
     * is the context. Runs written before distill4j wrote that layout keep the dataset as the JSON tag
     * {@value DatasetInput#TAG}, which is read when there are no inputs.
     */
    public List<DatasetInput> datasets(String experimentId, String runId) {
        checkId(experimentId);
        checkId(runId);
        Path expDir = root.resolve(experimentId);
        List<DatasetInput> out = new ArrayList<>();
        for (Path input : subdirs(expDir.resolve(runId).resolve("inputs"))) {
            if (!Files.isRegularFile(input.resolve("meta.yaml"))) {
                continue;
            }
            Map<String, Object> link = readMeta(input.resolve("meta.yaml"));
            Path datasetMeta = expDir.resolve("datasets").resolve(String.valueOf(link.get("source_id")))
                    .resolve("meta.yaml");
            if (!"DATASET".equals(link.get("source_type")) || !isPlainId(String.valueOf(link.get("source_id")))
                    || !Files.isRegularFile(datasetMeta)) {
                continue;
            }
            Map<String, Object> d = readMeta(datasetMeta);
            Object tags = link.get("tags");
            Object context = tags instanceof Map<?, ?> t ? t.get("mlflow.data.context") : null;
            out.add(new DatasetInput(String.valueOf(d.get("name")), String.valueOf(d.get("digest")),
                    String.valueOf(d.get("source_type")), String.valueOf(d.get("source")),
                    d.get("schema") == null ? null : String.valueOf(d.get("schema")), String.valueOf(d.get("profile")),
                    context == null ? null : String.valueOf(context)));
        }
        if (out.isEmpty()) {
            String legacy = run(experimentId, runId).tags().get(DatasetInput.TAG);
            if (legacy != null) {
                out.add(DatasetInput.fromJson(legacy));
            }
        }
        return out;
    }

    /** The meta fields of a {@code meta.yaml} file, as YAML reads them (strings, integers, null, lists). */
    public static Map<String, Object> readMeta(Path metaYaml) {
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = YAML.readValue(metaYaml.toFile(), Map.class);
            return map;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + metaYaml, e);
        }
    }

    static List<Path> experimentDirs(Path parent) {
        List<Path> dirs = new ArrayList<>();
        for (Path d : subdirs(parent)) {
            String name = d.getFileName().toString();
            if (!name.equals(MlflowFileStore.TRASH) && !name.equals("models")
                    && Files.isRegularFile(d.resolve("meta.yaml"))) {
                dirs.add(d);
            }
        }
        return dirs;
    }

    private static List<Experiment> readExperiments(Path parent) {
        List<Experiment> list = new ArrayList<>();
        for (Path d : experimentDirs(parent)) {
            Map<String, Object> m = readMeta(d.resolve("meta.yaml"));
            list.add(new Experiment(String.valueOf(m.get("experiment_id")), String.valueOf(m.get("name")),
                    (String) m.get("artifact_location"), String.valueOf(m.getOrDefault("lifecycle_stage", "active")),
                    asLong(m.get("creation_time"), 0L), asLong(m.get("last_update_time"), 0L)));
        }
        list.sort(Comparator.comparingLong(Experiment::creationTime).thenComparing(Experiment::experimentId));
        return list;
    }

    private static Run readRunDir(Path runDir) {
        Map<String, Object> m = readMeta(runDir.resolve("meta.yaml"));
        Map<String, List<Metric>> metrics = new TreeMap<>();
        readValues(runDir.resolve("metrics")).forEach((key, text) -> metrics.put(key, parseMetric(key, text)));
        Object status = m.get("status");
        Object endTime = m.get("end_time");
        return new Run(String.valueOf(m.get("run_id")), String.valueOf(m.get("experiment_id")),
                (String) m.get("run_name"),
                status == null ? RunStatus.RUNNING : RunStatus.fromCode(((Number) status).intValue()),
                asLong(m.get("start_time"), 0L), endTime == null ? null : asLong(endTime, 0L),
                String.valueOf(m.getOrDefault("lifecycle_stage", "active")), (String) m.get("user_id"),
                (String) m.get("artifact_uri"), readValues(runDir.resolve("params")),
                readValues(runDir.resolve("tags")), metrics, listFiles(runDir.resolve("artifacts")));
    }

    private static List<Metric> parseMetric(String key, String text) {
        List<Metric> points = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.strip().split(" ");
            if (parts.length != 2 && parts.length != 3) {
                throw new IllegalStateException("metric '" + key + "' has a malformed line '" + line + "'");
            }
            points.add(new Metric(Long.parseLong(parts[0]), parseValue(parts[1]),
                    parts.length == 3 ? Long.parseLong(parts[2]) : 0L));
        }
        return points;
    }

    /** Parses a metric value as Python's float() does for the spellings MLflow writes. */
    static double parseValue(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        return switch (lower) {
            case "nan", "+nan", "-nan" -> Double.NaN;
            case "inf", "+inf", "infinity", "+infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    /** Files under {@code dir} by '/'-separated relative path, with their UTF-8 contents (temp files skipped). */
    private static Map<String, String> readValues(Path dir) {
        Map<String, String> values = new TreeMap<>();
        for (String rel : listFiles(dir)) {
            try {
                values.put(rel, Files.readString(dir.resolve(rel), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + dir.resolve(rel), e);
            }
        }
        return values;
    }

    private static List<String> listFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .map(p -> dir.relativize(p).toString().replace('\\', '/'))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    static List<Path> subdirs(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** Whether {@code id} is a single folder name: letters, digits, '-' and '_' only. */
    static boolean isPlainId(String id) {
        return id != null && id.matches("[A-Za-z0-9_-]+");
    }

    /** Ids are single folder names: letters, digits, '-' and '_' only. */
    private static void checkId(String id) {
        if (!isPlainId(id)) {
            throw new IllegalArgumentException("'" + id + "' is not an MLflow experiment or run id");
        }
    }

    private static long asLong(Object o, long fallback) {
        return o instanceof Number n ? n.longValue() : o == null ? fallback : Long.parseLong(o.toString());
    }
}
