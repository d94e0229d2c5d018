package io.distill4j.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MlflowKeysTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "val_loss|val_loss",
        "teacher/lr|teacher/lr",
        "a b:c.d-e|a b:c.d-e",
        "loss(val)|loss_val_",
        "ß-σ|_-_",
        "lr@2*x|lr_2_x",
        "a//b|a/b",
        "/a/b/|a/b",
        "./a/./b|a/b",
        "../x|__/x",
        "a/../b|a/__/b",
        "...x|___x",
        "a/..b/c|a/__b/c",
        "tab\there|tab_here",
    })
    void sanitiseMapsAwkwardKeys(String key, String expected) {
        assertEquals(expected, MlflowKeys.sanitise(key));
        assertTrue(MlflowKeys.isValid(expected), expected);
    }

    @Test
    void invalidKeysAreRecognised() {
        assertFalse(MlflowKeys.isValid("a//b"));
        assertFalse(MlflowKeys.isValid("../x"));
        assertFalse(MlflowKeys.isValid("x%"));
        assertFalse(MlflowKeys.isValid(""));
        assertFalse(MlflowKeys.isValid("a".repeat(251)));
        assertTrue(MlflowKeys.isValid("a".repeat(250)));
    }

    @Test
    void emptyAndTooLongKeysRejected() {
        assertThrows(IllegalArgumentException.class, () -> MlflowKeys.sanitise(""));
        assertThrows(IllegalArgumentException.class, () -> MlflowKeys.sanitise("//./"));
        assertThrows(IllegalArgumentException.class, () -> MlflowKeys.sanitise(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MlflowKeys.sanitise("k".repeat(251)));
        assertTrue(e.getMessage().contains("251"), e.getMessage());
        assertEquals(250, MlflowKeys.sanitise("k".repeat(250)).length());
    }

    @Test
    void artifactPathsMustStayInside() {
        assertEquals("a/b.txt", MlflowKeys.checkArtifactPath("a/b.txt"));
        assertEquals("a/b.txt", MlflowKeys.checkArtifactPath("./a//b.txt"));
        for (String bad : new String[] {"../x", "a/../../x", "a/..", "/etc/passwd", "C:\\x", "..\\x", "", "."}) {
            assertThrows(IllegalArgumentException.class, () -> MlflowKeys.checkArtifactPath(bad), bad);
        }
    }
}
