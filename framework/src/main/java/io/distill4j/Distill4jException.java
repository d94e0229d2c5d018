package io.distill4j;

/**
 * A problem caused by the user's input (a study file, a data file, a command-line option), not by a bug.
 *
 * <p>The command line prints {@link #getMessage()} on one line, without a stack trace, and exits with
 * code 2. Messages name the place (file, row, config path) and what was expected.
 */
public class Distill4jException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Distill4jException(String message) {
        super(message);
    }

    public Distill4jException(String message, Throwable cause) {
        super(message, cause);
    }
}
