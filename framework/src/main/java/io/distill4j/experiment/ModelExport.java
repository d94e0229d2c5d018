package io.distill4j.experiment;

import io.distill4j.AtomicFiles;
import io.distill4j.eval.FeatureSimilarity;
import java.io.IOException;
import java.io.UncheckedIOException;

import java.nio.file.Files;
import java.nio.file.Path;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Exports every trained student as a {@link TrialListener}: the deployable graph (no training heads, a single softmax
 * output {@code probabilities}) as a DL4J model zip at {@link ResultsPaths#studentModel}, written to a temporary file
 * and renamed so a killed process never leaves a partial model; and its CKA matrix against the teacher (test split) as
 * CSV at {@link ResultsPaths#ckaMatrix}, likewise atomically.
 */
public final class ModelExport implements TrialListener {
    private final Path resultsDir;

    /** @param resultsDir the results root ({@code results/}) */
    public ModelExport(Path resultsDir) {
        this.resultsDir = resultsDir;
    }

    /** Where a trial's student is exported. */
    public Path modelOf(Trial trial) {
        return ResultsPaths.studentModel(resultsDir, trial.config().name(), trial.id());
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
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            tmp = Files.createTempFile(target.getParent(), ".tmp-", ".zip");
            ModelSerializer.writeModel(deployable, tmp.toFile(), false);
            AtomicFiles.replace(tmp, target);
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
}
