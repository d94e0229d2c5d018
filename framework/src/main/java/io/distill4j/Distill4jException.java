package io.distill4j;

/**
 * A problem caused by the user's input (a study file, a data file, a command-line option), not by a bug.
 *
 * <p>The command line prints {@link #getMessage()} on one line, without a stack trace, and exits with
 * code 2. Messages name the place (file, row, config path) and what was expected. A message is always one line:
 * line breaks inside it (usually from quoted user input) are shown as {@code \n} / {@code \r}.
 */
public class Distill4jException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Distill4jException(String message) {
        super(oneLine(message));
    }

    public Distill4jException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** {@code message} with line breaks written as escapes, so that it prints as one line. */
    static String oneLine(String message) {
        if (message == null) {
            return null;
        }
        StringBuilder sb = null;
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            String esc = switch (c) {
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\u0085', '\u2028', '\u2029', '\f' -> String.format("\\u%04X", (int) c);
                default -> null;
            };
            if (esc != null && sb == null) {
                sb = new StringBuilder(message.length() + 8).append(message, 0, i);
            }
            if (sb != null) {
                if (esc != null) {
                    sb.append(esc);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? message : sb.toString();
    }
}
