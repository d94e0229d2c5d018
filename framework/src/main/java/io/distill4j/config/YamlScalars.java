package io.distill4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigInteger;
import java.util.regex.Pattern;

/**
 * Resolution of plain (unquoted) YAML scalars, YAML 1.2 core schema: {@code null ~} and empty are null,
 * {@code true false} (any case form) are booleans, decimal / {@code 0x} / {@code 0o} integers and decimal floats
 * are numbers; everything else, including {@code yes no on off .inf .nan}, is a string. Shared by the reader and
 * the writer so that what is written plain reads back as the same value.
 */
final class YamlScalars {
    private static final Pattern NULL = Pattern.compile("~|null|Null|NULL|");
    private static final Pattern TRUE = Pattern.compile("true|True|TRUE");
    private static final Pattern FALSE = Pattern.compile("false|False|FALSE");
    private static final Pattern DEC_INT = Pattern.compile("[-+]?[0-9]+");
    private static final Pattern HEX_INT = Pattern.compile("0x[0-9a-fA-F]+");
    private static final Pattern OCT_INT = Pattern.compile("0o[0-7]+");
    private static final Pattern FLOAT = Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
    /** Strings the writer may emit without quotes (it also checks that they do not resolve to another type). */
    private static final Pattern SAFE_PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_./+-]*( [A-Za-z0-9_./+-]+)*");

    private YamlScalars() {
    }

    /** The value of a plain scalar. */
    static JsonNode resolvePlain(String s) {
        if (NULL.matcher(s).matches()) {
            return NullNode.getInstance();
        }
        if (TRUE.matcher(s).matches()) {
            return BooleanNode.TRUE;
        }
        if (FALSE.matcher(s).matches()) {
            return BooleanNode.FALSE;
        }
        if (DEC_INT.matcher(s).matches()) {
            return integer(new BigInteger(s.startsWith("+") ? s.substring(1) : s));
        }
        if (HEX_INT.matcher(s).matches()) {
            return integer(new BigInteger(s.substring(2), 16));
        }
        if (OCT_INT.matcher(s).matches()) {
            return integer(new BigInteger(s.substring(2), 8));
        }
        if (FLOAT.matcher(s).matches()) {
            double d = Double.parseDouble(s);
            if (Double.isFinite(d)) {
                return DoubleNode.valueOf(d);
            }
        }
        return TextNode.valueOf(s);
    }

    /** True if {@code s} can be written without quotes and reads back as the same string. */
    static boolean isSafePlain(String s) {
        return SAFE_PLAIN.matcher(s).matches() && resolvePlain(s).isTextual();
    }

    private static JsonNode integer(BigInteger v) {
        if (v.bitLength() < 32) {
            return IntNode.valueOf(v.intValue());
        }
        if (v.bitLength() < 64) {
            return LongNode.valueOf(v.longValue());
        }
        return BigIntegerNode.valueOf(v);
    }
}
