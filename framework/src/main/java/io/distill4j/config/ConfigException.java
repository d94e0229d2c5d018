package io.distill4j.config;

import io.distill4j.Distill4jException;

/** An invalid study file: the message names the file, the config path inside it and what was expected. */
public final class ConfigException extends Distill4jException {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final String path;
    private final String problem;

    public ConfigException(String file, String path, String problem) {
        super(file + ": " + (path.isEmpty() ? "" : path + ": ") + problem);
        this.file = file;
        this.path = path;
        this.problem = problem;
    }

    /** The study file (as the user named it). */
    public String file() {
        return file;
    }

    /** What is wrong, without the file and path. */
    public String problem() {
        return problem;
    }

    /** The dotted config path of the bad value, e.g. {@code data.split.train}; empty for the whole file. */
    public String path() {
        return path;
    }
}
