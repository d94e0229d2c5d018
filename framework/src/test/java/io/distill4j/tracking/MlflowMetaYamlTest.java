package io.distill4j.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scalars as PyYAML's safe_dump writes them (checked by hand against PyYAML 6), or conservatively quoted. */
class MlflowMetaYamlTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "Default|Default",
        "0|'0'",
        "\"\"|''",
        "distill-study|distill-study",
        "file:///tmp/a b/x|file:///tmp/a b/x",
        "yes|'yes'",
        "No|'No'",
        "null|'null'",
        "~|'~'",
        "a: b|'a: b'",
        "a #b|'a #b'",
        "x:|'x:'",
        "-x|-x",
        "-1|'-1'",
        ".5|'.5'",
        "3.0|'3.0'",
        ".inf|'.inf'",
        "12:30|'12:30'",
        "it's|it's",
        "'q|'''q'",
        "@a|'@a'",
        "%a|'%a'",
        "\" x\"|' x'",
        "teacher/student|teacher/student",
        "y|y",
        "1e3|'1e3'",
        "0x1F|'0x1F'",
        "2026-01-01|'2026-01-01'",
        "1.2.3|1.2.3",
        "3 layers|3 layers",
        "53dad5974d604cb3bc871dd7f437adad|53dad5974d604cb3bc871dd7f437adad",
        "12345678901234567890123456789012|'12345678901234567890123456789012'",
        "639463585999583957|'639463585999583957'",
    })
    void scalarsQuotedAsYamlNeeds(String in, String out) {
        assertEquals(out, MetaYaml.scalar(in));
    }

    @Test
    void controlCharactersDoubleQuoted() {
        assertEquals("\"a\\nb\\t\\\"c\\\\\"", MetaYaml.scalar("a\nb\t\"c\\"));
    }

    @Test
    void nonStringsAndOrder() {
        Map<String, Object> m = new HashMap<>();
        m.put("b", 3L);
        m.put("a", null);
        m.put("c", List.of());
        m.put("d", 4);
        assertEquals("a: null\nb: 3\nc: []\nd: 4\n", MetaYaml.render(m));
    }

    @Test
    void fileUriLikePathlib(@TempDir Path tmp) {
        Path p = tmp.resolve("my runs").resolve("é%x");
        String abs = tmp.toAbsolutePath().normalize().toString();
        assertEquals("file://" + abs + "/my%20runs/%C3%A9%25x", MetaYaml.fileUri(p));
        assertEquals(Arrays.asList("file://" + abs), List.of(MetaYaml.fileUri(tmp)));
    }

    @Test
    void metricValuesParseBack() {
        for (double v : new double[] {0.0, -0.0, 1.0, 0.1, 1e-5, 1.0E20, -3.25, Double.MAX_VALUE, Double.MIN_VALUE,
                Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            String s = MlflowFileStore.Run.formatValue(v);
            assertEquals(Double.valueOf(v), Double.valueOf(MlflowFileStoreReader.parseValue(s)), s);
        }
        assertEquals("nan", MlflowFileStore.Run.formatValue(Double.NaN));
        assertEquals("-inf", MlflowFileStore.Run.formatValue(Double.NEGATIVE_INFINITY));
        assertEquals("1.0e-5", MlflowFileStore.Run.formatValue(1e-5));
    }
}
