package io.distill4j;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A failure of the machine rather than of the input or of one trial: the disk is full, a quota is exceeded, the file
 * system is read-only or a results folder is not writable. Every later write would fail the same way, so a study
 * stops at once (keeping what finished) instead of failing its remaining trials one by one. Like any
 * {@link Distill4jException}, the command line prints it as one line and exits with code 2.
 */
public class EnvironmentException extends Distill4jException {
    private static final long serialVersionUID = 1L;

    /** The operating system's messages for these failures (Linux strerror texts, then Windows). */
    private static final List<String> MESSAGES = List.of("no space left on device", "disk quota exceeded",
            "read-only file system", "not enough space on the disk");

    public EnvironmentException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The environment failure behind {@code t}, if an {@link IOException} in its cause chain is one (see the class
     * comment); its message names what was being written and the system's reason.
     */
    public static Optional<EnvironmentException> of(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof EnvironmentException e) {
                return Optional.of(e);
            }
            if (c instanceof IOException io && isEnvironmental(io)) {
                String reason = io instanceof AccessDeniedException a ? "permission denied: " + a.getFile()
                        : io.getMessage();
                String context = t == c || t.getMessage() == null || t.getMessage().equals(reason) ? ""
                        : t.getMessage().replace(": " + reason, "") + ": ";
                return Optional.of(new EnvironmentException(context + reason, t));
            }
        }
        return Optional.empty();
    }

    private static boolean isEnvironmental(IOException e) {
        if (e instanceof AccessDeniedException) {
            return true;
        }
        String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        return MESSAGES.stream().anyMatch(m::contains);
    }
}
