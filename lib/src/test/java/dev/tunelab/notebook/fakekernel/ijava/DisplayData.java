package dev.tunelab.notebook.fakekernel.ijava;

import java.util.LinkedHashMap;
import java.util.Map;

/** Same shape as IJava/JJava's DisplayData: a MIME → data map filled by renderers. */
public class DisplayData {
    public final Map<String, Object> data = new LinkedHashMap<>();

    public void putData(String mime, Object value) {
        data.put(mime, value);
    }
}
