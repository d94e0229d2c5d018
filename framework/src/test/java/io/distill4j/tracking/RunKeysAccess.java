package io.distill4j.tracking;

/** Test access to {@link RunKeys}' suffix. */
public final class RunKeysAccess {
    private RunKeysAccess() {
    }

    public static String hash8(String raw) {
        return RunKeys.hash8(raw);
    }
}
