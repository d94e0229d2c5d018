package io.distill4j.tracking;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * MLflow's rules for param, tag and metric keys, and the one place where distill4j makes a key acceptable.
 *
 * <p>MLflow 2.17 accepts a key only if it matches {@code ^[/\w.\- :]*$}, is a normalised relative path (no empty,
 * {@code .} or leading {@code ..} segments, no leading or trailing {@code /}) and has at most
 * {@value #MAX_KEY_LENGTH} characters. {@link #sanitise(String)} maps a key onto that set instead of failing, so
 * that a study with an awkward name still logs. Two different keys may sanitise to the same key; {@link RunKeys}
 * keeps the keys of one run apart.
 */
public final class MlflowKeys {

    /** Longest key MLflow accepts. */
    public static final int MAX_KEY_LENGTH = 250;

    /** Longest param value MLflow accepts. Longer values are rejected, never truncated. */
    public static final int MAX_PARAM_VALUE_LENGTH = 6000;

    private static final Pattern VALID = Pattern.compile("^[/A-Za-z0-9_.\\- :]*$");
    private static final Pattern INVALID_CHAR = Pattern.compile("[^/A-Za-z0-9_.\\- :]");

    private MlflowKeys() {
    }

    /**
     * Returns {@code key} made acceptable to MLflow:
     * <ol>
     *   <li>every character other than ASCII letters, digits, {@code _ . - / :} and space becomes {@code _}
     *       (MLflow's {@code \w} also allows non-ASCII letters; they are mapped too, to keep file names portable);</li>
     *   <li>the key is split at {@code /}; empty and {@code .} segments are dropped (so {@code a//b} and
     *       {@code /a/} become {@code a/b} and {@code a});</li>
     *   <li>the leading dots of a segment that starts with {@code ..} become {@code _} (so {@code ../x} becomes
     *       {@code __/x}).</li>
     * </ol>
     * A key that is valid already is returned unchanged.
     *
     * @throws IllegalArgumentException if the key is null, has nothing left, or is longer than
     *     {@value #MAX_KEY_LENGTH} characters after sanitising
     */
    public static String sanitise(String key) {
        if (key == null) {
            throw new IllegalArgumentException("MLflow key must not be null");
        }
        String mapped = INVALID_CHAR.matcher(key).replaceAll("_");
        List<String> segments = new ArrayList<>();
        for (String segment : mapped.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.startsWith("..")) {
                int dots = 0;
                while (dots < segment.length() && segment.charAt(dots) == '.') {
                    dots++;
                }
                segment = "_".repeat(dots) + segment.substring(dots);
            }
            segments.add(segment);
        }
        String result = String.join("/", segments);
        if (result.isEmpty()) {
            throw new IllegalArgumentException("MLflow key '" + key + "' is empty after sanitising");
        }
        if (result.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("MLflow key '" + key + "' has " + result.length()
                    + " characters; MLflow accepts at most " + MAX_KEY_LENGTH);
        }
        return result;
    }

    /** Whether MLflow accepts {@code key} as it is (i.e. {@link #sanitise(String)} would return it unchanged). */
    public static boolean isValid(String key) {
        if (key == null || key.isEmpty() || key.length() > MAX_KEY_LENGTH || !VALID.matcher(key).matches()) {
            return false;
        }
        try {
            return sanitise(key).equals(key);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Checks a param value against MLflow's limit.
     *
     * @throws IllegalArgumentException if {@code value} is null or longer than {@value #MAX_PARAM_VALUE_LENGTH}
     */
    public static void checkParamValue(String key, String value) {
        if (value == null) {
            throw new IllegalArgumentException("param '" + key + "' has a null value");
        }
        if (value.length() > MAX_PARAM_VALUE_LENGTH) {
            throw new IllegalArgumentException("param '" + key + "' value has " + value.length()
                    + " characters; MLflow accepts at most " + MAX_PARAM_VALUE_LENGTH);
        }
    }

    /**
     * Checks an artifact path: relative, '/'-separated, no empty, '.' or '..' segments.
     *
     * @return the path with segments joined by '/'
     * @throws IllegalArgumentException if the path could leave the run's artifact folder or is empty
     */
    public static String checkArtifactPath(String relativePath) {
        if (relativePath == null || relativePath.isEmpty()) {
            throw new IllegalArgumentException("artifact path must not be empty");
        }
        String p = relativePath.replace('\\', '/');
        if (p.startsWith("/") || (p.length() > 1 && p.charAt(1) == ':')) {
            throw new IllegalArgumentException("artifact path '" + relativePath
                    + "' is absolute; it must be relative to the run's artifacts folder");
        }
        List<String> segments = new ArrayList<>();
        for (String segment : p.split("/", -1)) {
            if (segment.equals("..")) {
                throw new IllegalArgumentException("artifact path '" + relativePath
                        + "' contains '..'; it must stay inside the run's artifacts folder");
            }
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("artifact path '" + relativePath + "' contains a NUL character");
            }
            segments.add(segment);
        }
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("artifact path '" + relativePath + "' names no file");
        }
        return String.join("/", segments);
    }
}
