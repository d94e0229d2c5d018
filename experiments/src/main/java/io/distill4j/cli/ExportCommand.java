package io.distill4j.cli;

import io.distill4j.Distill4jException;
import io.distill4j.deploy.ExportInfo;
import io.distill4j.deploy.RuntimeExporter;
import io.distill4j.experiment.ModelExport;
import io.distill4j.runtime.StudentModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code distill4j export STUDENT.zip [--out FILE]}: converts a student zip written by a study into the runtime's
 * model file ({@code .d4jr}), with the standardiser, feature specification and provenance kept beside the zip
 * ({@code <trial-id>.export.properties}). Studies already export every student this way; the command re-exports
 * one (e.g. to another place).
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a trained student (results/<study>/students/<trial-id>.zip) to the dependency-free "
                + "runtime's model file.")
public final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "STUDENT.zip", description = "a student zip written by distill4j run")
    Path zip;

    @Option(names = "--out", paramLabel = "FILE", description = "the model file to write (default: beside the zip, "
            + "<trial-id>.d4jr)")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(zip)) {
            throw new Distill4jException(zip + ": no such file");
        }
        Path infoFile = ModelExport.exportInfoBeside(zip);
        if (!Files.isRegularFile(infoFile)) {
            throw new Distill4jException(zip + ": no " + infoFile.getFileName() + " beside it (the standardiser and "
                    + "provenance a study writes with every student); expected a zip from results/<study>/students/");
        }
        ExportInfo info;
        try (InputStream in = Files.newInputStream(infoFile)) {
            info = ExportInfo.read(in);
        } catch (IOException e) {
            throw new Distill4jException(infoFile + ": " + e.getMessage(), e);
        }
        ComputationGraph graph;
        try {
            graph = ModelSerializer.restoreComputationGraph(zip.toFile(), false);
        } catch (IOException | RuntimeException e) {
            throw new Distill4jException(zip + ": not a readable DL4J student model: " + e.getMessage(), e);
        }
        Path target = out != null ? out : ModelExport.runtimeModelBeside(zip);
        StudentModel model;
        try {
            model = RuntimeExporter.export(graph, info);
        } catch (UnsupportedOperationException e) {
            throw new Distill4jException(zip + ": " + e.getMessage(), e);
        }
        ModelExport.writeRuntimeModel(graph, info, target);
        PrintWriter w = spec.commandLine().getOut();
        w.println("wrote " + target + " (" + Files.size(target) + " bytes): " + model.describe());
        w.println("  " + model.parameters() + " parameters, " + model.multiplyAccumulates()
                + " multiply-accumulates per sample, input " + (model.sequenceInput() ? model.lookback() + " x " : "")
                + model.numFeatures() + " features; study " + model.metadata().get("study") + ", trial "
                + model.metadata().get("trial_id") + ", config hash " + model.metadata().get("config_hash"));
        return 0;
    }
}
