package io.distill4j.experiment;

import io.distill4j.AtomicFiles;
import io.distill4j.api.InputKind;
import io.distill4j.api.PipelineVersion;
import io.distill4j.config.ConfigHash;
import io.distill4j.data.features.PreparedData;
import io.distill4j.deploy.ExportInfo;
import io.distill4j.deploy.RuntimeExporter;
import io.distill4j.eval.FeatureSimilarity;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports every trained student as a {@link TrialListener}: the deployable graph (no training heads, a single softmax
 * output {@code probabilities}) as a DL4J model zip at {@link ResultsPaths#studentModel}; beside it its
 * {@link ExportInfo} (standardiser, lookback, bar interval, provenance) as {@code <trial-id>.export.properties}, so
 * {@code distill4j export} can convert the zip later without the data, and the dependency-free runtime model
 * ({@code <trial-id>.d4jr}, see {@code io.distill4j.runtime}). Each file is written to a temporary file and renamed
 * so a killed process never leaves a partial one. A student the runtime cannot run (attention, transformer) gets no
 * {@code .d4jr}, and a warning naming why. Also each student's CKA matrix against the teacher (test split), as CSV at
 * {@link ResultsPaths#ckaMatrix}, likewise atomically.
 */
public final class ModelExport implements TrialListener {
    private static final Logger LOG = LoggerFactory.getLogger(ModelExport.class);
    /** The runtime model's file extension. */
    public static final String RUNTIME_EXTENSION = ".d4jr";
    private final Path resultsDir;
    private final Map<String, PreparedData> data = new ConcurrentHashMap<>();

    /** @param resultsDir the results root ({@code results/}) */
    public ModelExport(Path resultsDir) {
        this.resultsDir = resultsDir;
    }

    /** Where a trial's student is exported. */
    public Path modelOf(Trial trial) {
        return ResultsPaths.studentModel(resultsDir, trial.config().name(), trial.id());
    }

    /** The runtime model beside a student zip: {@code <trial-id>.d4jr}. */
    public static Path runtimeModelBeside(Path zip) {
        return beside(zip, RUNTIME_EXTENSION);
    }

    /** The export information beside a student zip: {@code <trial-id>.export.properties}. */
    public static Path exportInfoBeside(Path zip) {
        return beside(zip, ".export.properties");
    }

    private static Path beside(Path zip, String extension) {
        String name = zip.getFileName().toString();
        String stem = name.endsWith(".zip") ? name.substring(0, name.length() - 4) : name;
        return zip.resolveSibling(stem + extension);
    }

    @Override
    public void dataReady(Trial trial, PreparedData prepared) {
        if (trial.role() != Trial.Role.TEACHER) {
            data.put(trial.id(), prepared);
        }
    }

    @Override
    public void trialFinished(TrialResult result) {
        data.remove(result.trialId());
    }

    @Override
    public void trialFailed(TrialResult result, RuntimeException error) {
        data.remove(result.trialId());
    }

    /** The export information of a trial trained on {@code prepared}. */
    public static ExportInfo exportInfo(Trial trial, PreparedData prepared) {
        StudyConfig config = trial.config();
        Map<String, String> p = new LinkedHashMap<>();
        p.put("study", config.name());
        p.put("trial_id", trial.id());
        p.put("method", trial.method());
        p.put("seed", Integer.toString(trial.seed()));
        p.put("student", config.student().describe());
        p.put("config_hash", ConfigHash.of(trial.resolved()));
        p.put("pipeline_version", Integer.toString(PipelineVersion.CURRENT));
        p.put("data_source", prepared.description().source());
        p.put("data_sha256", prepared.description().sha256());
        p.put("label_threshold", Double.toString(prepared.labelThreshold()));
        p.put("horizon", Integer.toString(prepared.horizon()));
        p.put("exported_utc", Instant.now().toString());
        Map<String, String> tags = Provenance.tags();
        p.put("git_commit", tags.getOrDefault("distill4j.git.commit", "unknown"));
        p.put("distill4j_version", tags.getOrDefault("distill4j.version", "unknown"));
        return ExportInfo.of(config.student().inputKind() == InputKind.SEQUENCE, prepared.lookback(),
                prepared.description().intervalMs(), prepared.standardiser(), p, prepared.featureSet());
    }

    @Override
    public void featuresCompared(Trial trial, FeatureSimilarity similarity) {
        Path target = ResultsPaths.ckaMatrix(resultsDir, trial.config().name(), trial.id());
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), ".tmp-", ".part");
            Files.writeString(tmp, similarity.ckaCsv(), java.nio.charset.StandardCharsets.UTF_8);
            AtomicFiles.replace(tmp, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the CKA matrix " + target + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void studentTrained(Trial trial, ComputationGraph deployable) {
        Path target = modelOf(trial);
        PreparedData prepared = data.get(trial.id());
        ExportInfo info = prepared == null ? null : exportInfo(trial, prepared);
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            tmp = Files.createTempFile(target.getParent(), ".tmp-", ".zip");
            ModelSerializer.writeModel(deployable, tmp.toFile(), false);
            AtomicFiles.replace(tmp, target);
            tmp = null;
            if (info != null) {
                tmp = Files.createTempFile(target.getParent(), ".tmp-", ".properties");
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    info.write(out);
                }
                AtomicFiles.replace(tmp, exportInfoBeside(target));
                tmp = null;
                writeRuntimeModel(deployable, info, runtimeModelBeside(target));
            }
        } catch (IOException e) {
            try {
                if (tmp != null) {
                    Files.deleteIfExists(tmp); // a failed write leaves nothing and frees its space
                }
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw new UncheckedIOException("cannot save the student model " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the runtime model of {@code deployable} to {@code target} (atomically); a student the runtime cannot run
     * is logged and skipped.
     *
     * @return whether the file was written
     */
    public static boolean writeRuntimeModel(ComputationGraph deployable, ExportInfo info, Path target)
            throws IOException {
        io.distill4j.runtime.StudentModel model;
        try {
            model = RuntimeExporter.export(deployable, info);
        } catch (UnsupportedOperationException e) {
            LOG.warn("{}: no runtime model: {}", target.getFileName(), e.getMessage());
            return false;
        }
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".tmp-", RUNTIME_EXTENSION);
        try {
            model.save(tmp);
            AtomicFiles.replace(tmp, target);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return true;
    }
}
