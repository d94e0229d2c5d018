package io.distill4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.distill4j.config.ConfigException;
import org.junit.jupiter.api.Test;

/** User errors print as one line, whatever the quoted input holds. */
class Distill4jExceptionTest {
    @Test
    void lineBreaksInMessagesAreEscaped() {
        assertEquals("a: got 'x\\ny\\r\\nz\\u2028'", new Distill4jException("a: got 'x\ny\r\nz\u2028'").getMessage());
        assertEquals("f.yaml: study: got 'a\\nb'", new ConfigException("f.yaml", "study", "got 'a\nb'").getMessage());
        assertEquals("plain\ttab", new Distill4jException("plain\ttab").getMessage());
    }
}
