package io.distill4j.experiment;

import io.distill4j.Distill4jException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The one place where folders and files under the results folder are derived from names (study names, trial ids).
 * Names are validated where they are read ({@code study:} by a pattern in {@link StudyConfig}); this asserts, as a
 * second line of defence, that the resolved path stays strictly inside the results folder.
 */
public final class ResultsPaths {
    private ResultsPaths() {
    }

    /** {@code <results>/<study>}. */
    public static Path studyFolder(Path results, String study) {
        return inside(results, results, study);
    }

    /** {@code <results>/cache/teachers}: the teacher cache, shared by every study written under {@code results}. */
    public static Path teacherCache(Path results) {
        return results.resolve("cache").resolve("teachers");
    }

    /** {@code <results>/<study>/students/<trialId>.zip}. */
    public static Path studentModel(Path results, String study, String trialId) {
        Path students = studyFolder(results, study).resolve("students");
        inside(results, students, trialId); // the id itself must be a plain name
        return inside(results, students, trialId + ".zip");
    }

    /** {@code <results>/<study>/cka/<trialId>.csv}: a student trial's CKA matrix against its teacher (test split). */
    public static Path ckaMatrix(Path results, String study, String trialId) {
        Path folder = studyFolder(results, study).resolve("cka");
        inside(results, folder, trialId);
        return inside(results, folder, trialId + ".csv");
    }

    /** {@code parent/name}, checked to be one plain name that stays inside {@code results}. */
    static Path inside(Path results, Path parent, String name) {
        String why = null;
        Path resolved = null;
        if (name == null || name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0) {
            why = "is not a plain file name";
        } else {
            try {
                resolved = parent.resolve(name);
                Path root = results.toAbsolutePath().normalize();
                Path abs = resolved.toAbsolutePath().normalize();
                if (!abs.startsWith(root) || abs.equals(root) || Path.of(name).isAbsolute()) {
                    why = "resolves outside the results folder";
                }
            } catch (InvalidPathException e) {
                why = "is not a valid file name";
            }
        }
        if (why != null) {
            throw new Distill4jException("the name '" + name + "' " + why + " (results folder " + results + ")");
        }
        return resolved;
    }
}
