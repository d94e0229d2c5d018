package io.distill4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.function.Executable;

/** Assertions on user-facing error messages. */
final class Messages {
    private static final List<String> LEAKS = List.of("Exception", "org.yaml", "snakeyaml", "com.fasterxml",
            "jackson", "io.distill4j", "java.lang", "java.io", "java.nio", "java.util", "\tat ", "Node{");

    private Messages() {
    }

    /** Runs {@code code}, expects a {@link ConfigException} with exactly {@code expected} as its one-line message. */
    static ConfigException assertMessage(String expected, Executable code) {
        ConfigException e = assertThrows(ConfigException.class, code);
        String m = e.getMessage();
        assertEquals(expected, m);
        assertFalse(m.contains("\n") || m.contains("\r"), () -> "multi-line message: " + m);
        for (String leak : LEAKS) {
            assertFalse(m.contains(leak), () -> "message leaks '" + leak + "': " + m);
        }
        return e;
    }
}
