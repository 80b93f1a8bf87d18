package dev.tunelab.data;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSONL (one object per line) and JSON arrays of objects into rows of strings. */
final class JsonParser {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonParser() {}

    static void parseLines(Path file, boolean skipBad, RawRows out) {
        String fileName = file.toString();
        for (StrictLines.Line line : StrictLines.read(file)) {
            try {
                if (line.text() == null) {
                    throw new DataFormatException(fileName, line.number(), null, line.error());
                }
                if (line.text().isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = MAPPER.readTree(line.text());
                } catch (JsonProcessingException e) {
                    throw new DataFormatException(fileName, line.number(), null,
                            "invalid JSON: " + e.getOriginalMessage());
                }
                out.add(line.number(), toRow(node, fileName, line.number()));
            } catch (DataFormatException e) {
                if (!skipBad) {
                    throw e;
                }
                out.skipped.add(e.toBadRow());
            }
        }
    }

    /**
     * A JSON array of objects. A syntax error breaks the whole file, so it is always an error (never skipped); an
     * element that is not an object can be skipped.
     */
    static void parseArray(Path file, boolean skipBad, RawRows out) {
        String fileName = file.toString();
        String text = StrictLines.readAll(file);
        try (com.fasterxml.jackson.core.JsonParser p = MAPPER.getFactory().createParser(text)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new DataFormatException(fileName, p.currentLocation().getLineNr(), null,
                        "expected a JSON array of objects");
            }
            while (p.nextToken() != JsonToken.END_ARRAY) {
                long line = p.currentTokenLocation().getLineNr();
                JsonNode node = MAPPER.readTree(p);
                try {
                    out.add(line, toRow(node, fileName, line));
                } catch (DataFormatException e) {
                    if (!skipBad) {
                        throw e;
                    }
                    out.skipped.add(e.toBadRow());
                }
            }
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            throw new DataFormatException(fileName, loc == null ? -1 : loc.getLineNr(), null,
                    "invalid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new DataFormatException(fileName, -1, null, "cannot read: " + e.getMessage());
        }
    }

    private static Map<String, String> toRow(JsonNode node, String file, long line) {
        if (node == null || !node.isObject()) {
            throw new DataFormatException(file, line, null, "expected a JSON object, found "
                    + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase()));
        }
        Map<String, String> row = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isNull()) {
                continue;
            }
            row.put(e.getKey(), v.isValueNode() ? v.asText() : v.toString());
        }
        return row;
    }
}
