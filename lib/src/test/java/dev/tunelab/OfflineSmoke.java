package dev.tunelab;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tunelab.model.ByteTokenizer;
import dev.tunelab.model.CausalLM;
import dev.tunelab.model.DjlSetup;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.model.LlamaConfig;
import dev.tunelab.model.Models;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One forward and backward step of a small Llama, printed as a JSON line. {@link OfflineDjlTest} runs it in a
 * process without any network and compares it with the same step run in the test's own process.
 */
public final class OfflineSmoke {
    static final String[] PARAMS = {"model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight",
        "model.layers.1.mlp.down_proj.weight", "model.norm.weight"};

    private OfflineSmoke() {}

    public static void main(String[] args) throws Exception {
        System.out.println(run());
    }

    static String run() throws Exception {
        DjlSetup.ensure();
        List<String> interfaces = new ArrayList<>();
        // /proc/net/dev lists the interfaces of this process's network namespace (Java's own API throws when only a
        // downed loopback exists).
        for (String line : Files.readAllLines(Path.of("/proc/net/dev"))) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                interfaces.add(line.substring(0, colon).trim());
            }
        }
        LlamaConfig config = LlamaConfig.tiny(260, 64, 128, 2, 4, 2, 64);
        int[] ids = "offline forward and backward".chars().toArray();
        StringBuilder json = new StringBuilder("{\"interfaces\": \"").append(String.join(",", interfaces)).append('"');
        try (LanguageModel lm = Models.random(config, new ByteTokenizer(), 5)) {
            CausalLM model = lm.model();
            model.parameters().values().forEach(p -> p.setRequiresGradient(true));
            try (NDManager m = model.manager().newSubManager();
                 GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray input = m.create(ids, new Shape(1, ids.length));
                NDArray logProbs = model.forward(input, null, null).get(":, :-1, :").logSoftmax(-1);
                NDArray targets = input.get(":, 1:").toType(DataType.INT64, false).oneHot(260, DataType.FLOAT32);
                NDArray loss = logProbs.mul(targets).sum().div(m.create((float) -(ids.length - 1)));
                gc.backward(loss);
                json.append(String.format(Locale.ROOT, ", \"loss\": %.9g", loss.getFloat()));
                for (String name : PARAMS) {
                    try (NDArray g = model.parameters().get(name).getGradient()) {
                        json.append(String.format(Locale.ROOT, ", \"%s\": %.9g", name, g.abs().sum().getFloat()));
                    }
                }
            }
        }
        return json.append('}').toString();
    }
}
