package dev.tunelab.track;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.util.LinkedHashMap;
import java.util.Map;

/** Shared Jackson mapper; NaN and infinities are refused rather than written as invalid JSON. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private Json() {}

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise to JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Copies {@code metrics}, rejecting non-finite numbers with the offending key in the message. */
    static Map<String, Object> checkedCopy(Map<String, Object> metrics) {
        Map<String, Object> out = new LinkedHashMap<>();
        metrics.forEach((k, v) -> {
            if (v instanceof Double d && (d.isNaN() || d.isInfinite()) || v instanceof Float f && (f.isNaN() || f.isInfinite())) {
                throw new IllegalArgumentException("metric '" + k + "' is " + v + ": only finite numbers can be tracked");
            }
            out.put(k, v);
        });
        return out;
    }
}
