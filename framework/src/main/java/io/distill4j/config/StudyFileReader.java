package io.distill4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * Reads a study file into a Jackson tree, safely: the YAML is only parsed into events and turned into plain
 * mappings, lists and scalars here; nothing is ever instantiated from the file, and any explicit YAML tag
 * ({@code !!java.net.URL}, {@code !!str}, {@code !foo}) is rejected.
 *
 * <p>Plain scalars follow the YAML 1.2 core schema (see {@code YamlScalars}): {@code yes/no/on/off} are strings.
 * Duplicate keys, non-string keys, merge keys ({@code <<}), several documents in one file, an empty file, a top
 * level that is not a mapping, binary content and invalid UTF-8 are errors. Anchors and aliases are allowed (an
 * alias is a copy of the anchored value). Every failure is a one-line {@link ConfigException} naming the file.
 */
public final class StudyFileReader {
    /** Files larger than this are rejected before parsing. */
    public static final int MAX_BYTES = 8 * 1024 * 1024;
    private static final int MAX_DEPTH = 64;
    private static final long MAX_NODES = 1_000_000;
    private static final String YAML_TAG_PREFIX = "tag:yaml.org,2002:";

    private StudyFileReader() {
    }

    /** Reads {@code file}; messages name it as {@code file.toString()}. */
    public static ObjectNode read(Path file) {
        return read(file, file.toString());
    }

    /** Reads {@code file}; messages name it as {@code name}. */
    public static ObjectNode read(Path file, String name) {
        if (Files.isDirectory(file)) {
            throw new ConfigException(name, "", "is a directory, not a study file");
        }
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new ConfigException(name, "", "file is too large for a study file (more than "
                        + MAX_BYTES / (1024 * 1024) + " MiB)");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(name, "", "file not found");
        } catch (AccessDeniedException e) {
            throw new ConfigException(name, "", "cannot read file (permission denied)");
        } catch (IOException e) {
            throw new ConfigException(name, "", "cannot read file" + (e.getMessage() == null ? "" : " ("
                    + oneLine(e.getMessage()) + ")"));
        }
        return parse(name, bytes);
    }

    /** Parses the raw bytes of a study file (checks for binary content and UTF-8 first). */
    public static ObjectNode parse(String name, byte[] bytes) {
        if (looksLikeUtf16(bytes)) {
            throw new ConfigException(name, "", "looks like UTF-16 text, not UTF-8; save the file as UTF-8");
        }
        for (byte b : bytes) {
            if (b == 0) {
                throw new ConfigException(name, "", "not a text file (contains NUL bytes)");
            }
        }
        return parse(name, decodeUtf8(name, bytes));
    }

    /** Parses the text of a study file; {@code name} is used in messages. */
    public static ObjectNode parse(String name, String text) {
        try {
            JsonNode root = parseDocument(text);
            if (root == null) {
                throw new ConfigException(name, "", "file is empty (expected a mapping of study settings)");
            }
            if (!root.isObject()) {
                throw new ConfigException(name, "",
                        "top level must be a mapping of study settings, got " + ConfigNode.describe(root));
            }
            return (ObjectNode) root;
        } catch (Problem p) {
            throw new ConfigException(name, p.path, p.problem);
        }
    }

    /**
     * Parses one YAML document of any shape (used for {@code --set} values); returns {@code null} if the text holds
     * no document. Throws {@link Problem} with a path relative to the value and a one-line reason.
     */
    static JsonNode parseDocument(String text) {
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
        }
        checkCharacters(text);
        // Only the event parser of SnakeYAML is used: no composer, no constructor, so no tag is ever resolved.
        Yaml yaml = new Yaml(new LoaderOptions());
        try {
            return new Builder(yaml.parse(new StringReader(text)).iterator()).document();
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String reason = e.getProblem() != null ? e.getProblem() : e.getContext();
            throw new Problem("", "YAML syntax error" + (mark == null ? "" : " at " + at(mark)) + ": "
                    + trimReason(reason));
        } catch (YAMLException e) {
            throw new Problem("", "YAML error: " + trimReason(e.getMessage()));
        }
    }

    // ---- bytes and characters ----------------------------------------------------------------

    /** A UTF-16 byte-order mark, or text whose every other byte is NUL (UTF-16 without a mark). */
    static boolean looksLikeUtf16(byte[] bytes) {
        if (bytes.length >= 2 && ((bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE)
                || (bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF))) {
            return true;
        }
        int n = Math.min(bytes.length, 256) & ~1;
        if (n < 4) {
            return false;
        }
        int evenNul = 0;
        int oddNul = 0;
        for (int i = 0; i < n; i += 2) {
            evenNul += bytes[i] == 0 ? 1 : 0;
            oddNul += bytes[i + 1] == 0 ? 1 : 0;
        }
        return (evenNul == n / 2 && oddNul == 0) || (oddNul == n / 2 && evenNul == 0);
    }

    private static String decodeUtf8(String name, byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            int pos = in.position();
            int line = 1;
            for (int i = 0; i < pos; i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw new ConfigException(name, "", String.format(
                    "not valid UTF-8 text (invalid byte 0x%02X on line %d); save the file as UTF-8", bytes[pos] & 0xFF,
                    line));
        }
        decoder.flush(out);
        out.flip();
        return out.toString();
    }

    /** Rejects control characters, which YAML does not allow and which usually mean a binary file. */
    private static void checkCharacters(String text) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean bad = c < 0x20 && c != '\t' && c != '\n' && c != '\r'
                    || c == 0x7F || (c >= 0x80 && c <= 0x9F && c != 0x85) || c == 0xFFFE || c == 0xFFFF;
            if (bad) {
                throw new Problem("", String.format(
                        "contains the control character U+%04X at line %d, column %d (not a text file?)",
                        (int) c, line, column));
            }
            if (c == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
    }

    // ---- events to tree ------------------------------------------------------------------------

    /** Builds a tree from parser events; never resolves tags to types. */
    private static final class Builder {
        private final Iterator<Event> events;
        private final Map<String, JsonNode> anchors = new HashMap<>();
        private final Map<String, Long> anchorSizes = new HashMap<>();
        private long nodes;

        Builder(Iterator<Event> events) {
            this.events = events;
        }

        JsonNode document() {
            JsonNode root = null;
            boolean seen = false;
            while (events.hasNext()) {
                Event e = events.next();
                switch (e.getEventId()) {
                    case DocumentStart:
                        if (seen) {
                            throw new Problem("", "more than one YAML document (the second starts at line "
                                    + (e.getStartMark().getLine() + 1) + "); a study file holds exactly one");
                        }
                        seen = true;
                        break;
                    case StreamStart:
                    case StreamEnd:
                    case DocumentEnd:
                        break;
                    default:
                        root = node(e, "", 0);
                }
            }
            return root;
        }

        private JsonNode node(Event e, String path, int depth) {
            if (depth > MAX_DEPTH) {
                throw new Problem(path, "nested more than " + MAX_DEPTH + " levels deep (" + at(e.getStartMark()) + ")");
            }
            if (e instanceof AliasEvent) {
                String anchor = ((AliasEvent) e).getAnchor();
                JsonNode target = anchors.get(anchor);
                if (target == null) {
                    throw new Problem(path, "unknown alias *" + anchor + " (" + at(e.getStartMark()) + ")");
                }
                count(anchorSizes.get(anchor), path);
                return target.deepCopy();
            }
            long before = nodes;
            JsonNode result;
            if (e instanceof ScalarEvent) {
                ScalarEvent s = (ScalarEvent) e;
                checkTag(s.getTag(), e, path);
                count(1, path);
                result = s.isPlain() ? YamlScalars.resolvePlain(s.getValue()) : TextNode.valueOf(s.getValue());
            } else if (e.is(Event.ID.SequenceStart)) {
                checkTag(((CollectionStartEvent) e).getTag(), e, path);
                count(1, path);
                ArrayNode list = JsonNodeFactory.instance.arrayNode();
                for (Event next = events.next(); !next.is(Event.ID.SequenceEnd); next = events.next()) {
                    list.add(node(next, path + "[" + list.size() + "]", depth + 1));
                }
                result = list;
            } else if (e.is(Event.ID.MappingStart)) {
                checkTag(((CollectionStartEvent) e).getTag(), e, path);
                count(1, path);
                result = mapping(path, depth);
            } else {
                throw new Problem(path, "unexpected YAML structure (" + at(e.getStartMark()) + ")");
            }
            String anchor = ((NodeEvent) e).getAnchor();
            if (anchor != null) {
                anchors.put(anchor, result);
                anchorSizes.put(anchor, nodes - before);
            }
            return result;
        }

        private ObjectNode mapping(String path, int depth) {
            ObjectNode map = JsonNodeFactory.instance.objectNode();
            Map<String, Integer> lines = new LinkedHashMap<>();
            for (Event k = events.next(); !k.is(Event.ID.MappingEnd); k = events.next()) {
                String key = key(k, path);
                int line = k.getStartMark().getLine() + 1;
                String child = path.isEmpty() ? key : path + "." + key;
                Integer first = lines.putIfAbsent(key, line);
                if (first != null) {
                    throw new Problem(child, "duplicate key '" + key + "' on line " + line
                            + " (first defined on line " + first + ")");
                }
                map.set(key, node(events.next(), child, depth + 1));
            }
            return map;
        }

        private String key(Event k, String path) {
            if (!(k instanceof ScalarEvent)) {
                String what = k.is(Event.ID.MappingStart) ? "a mapping" : k.is(Event.ID.SequenceStart) ? "a list"
                        : "an alias";
                throw new Problem(path, "keys must be strings, got " + what + " as a key (" + at(k.getStartMark()) + ")");
            }
            ScalarEvent s = (ScalarEvent) k;
            checkTag(s.getTag(), k, path);
            if (((NodeEvent) k).getAnchor() != null) {
                throw new Problem(path, "anchors on keys are not supported (" + at(k.getStartMark()) + ")");
            }
            String key = s.getValue();
            if (s.isPlain()) {
                JsonNode v = YamlScalars.resolvePlain(key);
                if (v.isNull()) {
                    throw new Problem(path, "empty key (" + at(k.getStartMark()) + ")");
                }
                if (!v.isTextual()) {
                    throw new Problem(path, "keys must be strings, got " + ConfigNode.describe(v) + " as a key ("
                            + at(k.getStartMark()) + "); quote it if you mean the text '" + key + "'");
                }
                if (key.equals("<<")) {
                    throw new Problem(path, "merge keys (<<) are not supported (" + at(k.getStartMark()) + ")");
                }
            } else if (key.isEmpty()) {
                throw new Problem(path, "empty key (" + at(k.getStartMark()) + ")");
            }
            return key;
        }

        private void checkTag(String tag, Event e, String path) {
            if (tag != null) {
                String shown = tag.startsWith(YAML_TAG_PREFIX) ? "!!" + tag.substring(YAML_TAG_PREFIX.length()) : tag;
                throw new Problem(path, "YAML tag '" + oneLine(shown) + "' is not allowed (" + at(e.getStartMark())
                        + "); study files hold plain mappings, lists and values only");
            }
        }

        private void count(long n, String path) {
            nodes += n;
            if (nodes > MAX_NODES) {
                throw new Problem(path, "document too large (more than " + MAX_NODES + " values, after aliases)");
            }
        }
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static String at(Mark m) {
        return "line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1);
    }

    private static String trimReason(String reason) {
        String r = reason == null ? "invalid YAML" : oneLine(reason);
        // SnakeYAML names some tokens by their punctuation ("but got :"): quote it so it is not trimmed away
        r = r.replaceAll("got ([^\\s\\w<'])$", "got '$1'");
        while (r.endsWith(".") || r.endsWith(":")) {
            r = r.substring(0, r.length() - 1).trim();
        }
        return r.isEmpty() ? "invalid YAML" : r;
    }

    static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }

    /** A reader failure without a file name yet: {@code path} inside the parsed value, and the reason. */
    static final class Problem extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String path;
        final String problem;

        Problem(String path, String problem) {
            super(problem, null, false, false);
            this.path = path;
            this.problem = problem;
        }
    }
}
