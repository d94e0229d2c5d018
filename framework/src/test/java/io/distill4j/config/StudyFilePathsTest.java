package io.distill4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.distill4j.data.DataConfig;
import io.distill4j.experiment.Study;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Relative file paths in a study file (kline file, saved teacher model, positions file) start at the study file's
 * folder, whatever the working directory; {@code --set} values start at the working directory; absolute paths are
 * kept. The tests run in {@code framework/}, never the study's folder.
 */
class StudyFilePathsTest {
    private static final String REST = """
            student: {type: mlp, hidden: [4]}
            distillation:
              loss: {type: hinton, temperature: 2, alpha: 0.5}
            training: {epochs: 1}
            seeds: [1]
            """;
    private static final String CWD_CSV = "src/test/resources/klines/valid/gapped.csv";

    @TempDir
    Path project;
    Path configs;

    @BeforeEach
    void files() throws IOException {
        configs = Files.createDirectories(project.resolve("configs"));
        Files.createDirectories(project.resolve("data"));
        Files.createDirectories(project.resolve("models"));
        for (String f : List.of("data/k.csv", "data/positions.csv", "models/teacher.zip")) {
            Files.writeString(project.resolve(f), "x");
        }
    }

    private Study load(String teacher, String csvPath, String... overrides) throws IOException {
        Path yaml = configs.resolve("study.yaml");
        Files.writeString(yaml, "study: paths\ndata:\n  source: {type: csv, path: '" + csvPath + "'}\nteacher: "
                + teacher + "\n" + REST);
        return Study.load(yaml, List.of(overrides));
    }

    private static Path csv(Study s) {
        return ((DataConfig.CsvSource) s.base().data().source()).path();
    }

    private static Path teacherFile(Study s) {
        return s.base().teachers().values().iterator().next().inputFiles().get(0);
    }

    @Test
    void relativePathsInTheFileStartAtItsFolder() throws IOException {
        Study saved = load("{type: saved, path: ../models/teacher.zip, input: tabular, output: logits}",
                "../data/k.csv");
        assertEquals(project.resolve("data/k.csv"), csv(saved));
        assertEquals(project.resolve("models/teacher.zip"), teacherFile(saved));
        Study strategy = load("{type: strategy, rule: positions_csv, path: ../data/positions.csv}", "../data/k.csv");
        assertEquals(project.resolve("data/positions.csv"), teacherFile(strategy));
    }

    @Test
    void absolutePathsAreKept() throws IOException {
        Path abs = project.resolve("data/k.csv").toAbsolutePath();
        assertEquals(abs, csv(load("{type: mlp, hidden: [8]}", abs.toString())));
    }

    @Test
    void overridesStartAtTheWorkingDirectory() throws IOException {
        Path expected = Path.of("").toAbsolutePath().resolve(CWD_CSV);
        String teacher = "{type: mlp, hidden: [8]}";
        assertEquals(expected, csv(load(teacher, "../data/k.csv", "data.source.path=" + CWD_CSV)));
        assertEquals(expected, csv(load(teacher, "../data/k.csv", "data.source={type: csv, path: " + CWD_CSV + "}")));
        Study grid = load(teacher, "../data/k.csv", "grid.data.source.path=[" + CWD_CSV + "]");
        assertEquals(expected, csv(grid));
        Path positions = Path.of("").toAbsolutePath().resolve("pos.csv");
        ConfigException e = assertThrows(ConfigException.class, () -> load(teacher, "../data/k.csv",
                "teacher={type: strategy, rule: positions_csv, path: pos.csv}"));
        assertEquals(configs.resolve("study.yaml") + ": teacher.path: positions file not found: " + positions
                + " (set by --set teacher={type: strategy, rule: positions_csv, path: pos.csv})", e.getMessage());
    }

    @Test
    void aMissingFileNamesTheStudyFolder() throws IOException {
        ConfigException e = assertThrows(ConfigException.class, () -> load("{type: mlp, hidden: [8]}", "k.csv"));
        assertEquals(configs.resolve("study.yaml") + ": data.source.path: kline file not found: "
                + configs.resolve("k.csv") + " (relative paths start at the study file's folder " + configs + ")",
                e.getMessage());
    }
}
