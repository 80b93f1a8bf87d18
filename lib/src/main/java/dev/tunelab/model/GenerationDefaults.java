package dev.tunelab.model;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** generation_config.json → {@link GenerationOptions} (missing file → TuneLab's defaults). */
final class GenerationDefaults {
    private GenerationDefaults() {}

    static GenerationOptions load(Path file) throws IOException {
        GenerationOptions o = GenerationOptions.defaults();
        if (!Files.isRegularFile(file)) {
            return o;
        }
        JsonNode n = ConfigJson.read(file);
        ConfigJson c = new ConfigJson(n, file.toString());
        boolean sample = c.bool("do_sample", false);
        if (n.hasNonNull("max_new_tokens")) {
            o = o.withMaxNewTokens(c.integer("max_new_tokens"));
        }
        if (sample) {
            o = o.withSampling(c.real("temperature", 1.0), c.integer("top_k", 50), c.real("top_p", 1.0));
        }
        if (n.hasNonNull("repetition_penalty")) {
            o = o.withRepetitionPenalty(c.real("repetition_penalty"));
        }
        return o;
    }
}
