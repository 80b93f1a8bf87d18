package dev.tunelab.tune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunelab.model.DjlSetup;
import dev.tunelab.model.Safetensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PEFT layout checks against an independent implementation: a torch script that reads the safetensors files itself,
 * applies W + B A * scaling to the base weights and runs the same tiny model.
 */
class PeftFormatTest {
    static final int[] IDS = {256, 72, 101, 108, 108, 111, 44, 32, 119, 111, 114, 108, 100, 33, 10, 84, 104};

    @BeforeAll
    static void setup() {
        DjlSetup.ensure();
    }

    /** Reads safetensors without the safetensors package; runs TinyLm with merged LoRA weights. */
    static final String TORCH_MODEL = """
            import json, struct, sys, numpy as np, torch
            torch.set_default_dtype(torch.float32)
            def read_st(path):
                raw = open(path, 'rb').read()
                n = struct.unpack('<Q', raw[:8])[0]
                header = json.loads(raw[8:8 + n])
                out = {}
                for k, v in header.items():
                    if k == '__metadata__': continue
                    assert v['dtype'] == 'F32', v
                    b, e = v['data_offsets']
                    out[k] = torch.from_numpy(np.frombuffer(raw[8 + n + b: 8 + n + e], dtype='<f4').copy()).reshape(v['shape'])
                return out
            def write_st(path, tensors):
                header, off, blobs = {}, 0, []
                for k, t in tensors.items():
                    b = t.detach().numpy().astype('<f4').tobytes()
                    header[k] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [off, off + len(b)]}
                    off += len(b); blobs.append(b)
                h = json.dumps(header).encode(); h += b' ' * ((8 - len(h) % 8) % 8)
                open(path, 'wb').write(struct.pack('<Q', len(h)) + h + b''.join(blobs))
            def forward(w, ids, layers):
                h = w['model.embed_tokens.weight'][torch.tensor(ids)][None]
                for l in range(layers):
                    p = 'model.layers.%d.' % l
                    x = h * w[p + 'input_layernorm.weight']
                    q = torch.tanh(x @ w[p + 'self_attn.q_proj.weight'].T)
                    v = q @ w[p + 'self_attn.v_proj.weight'].T
                    shifted = torch.cat([torch.zeros_like(h[:, :1]), h[:, :-1]], dim=1)
                    h = h + v + shifted
                h = h * w['model.norm.weight']
                return h @ w['lm_head.weight'].T
            def merge(w, adapter_dir):
                cfg = json.load(open(adapter_dir + '/adapter_config.json'))
                assert cfg['peft_type'] == 'LORA' and cfg['task_type'] == 'CAUSAL_LM' and cfg['bias'] == 'none'
                scale = cfg['lora_alpha'] / (cfg['r'] ** 0.5 if cfg.get('use_rslora') else cfg['r'])
                ad = read_st(adapter_dir + '/adapter_model.safetensors')
                merged = dict(w)
                for k in ad:
                    if k.endswith('.lora_A.weight'):
                        mod = k[len('base_model.model.'):-len('.lora_A.weight')]
                        A = ad[k]; B = ad['base_model.model.' + mod + '.lora_B.weight']
                        assert A.shape[0] == cfg['r'] and B.shape[1] == cfg['r']
                        assert mod.split('.')[-1] in cfg['target_modules'], mod
                        merged[mod + '.weight'] = w[mod + '.weight'] + (B @ A) * scale
                return merged
            """;

    static float[] ourLogits(TinyLm lm) {
        try (NDManager m = lm.manager().newSubManager()) {
            NDArray ids = m.create(IDS, new Shape(1, IDS.length));
            return lm.forward(ids, null, null).toFloatArray();
        }
    }

    static void saveBase(TinyLm lm, Path file) throws Exception {
        Safetensors.write(file, lm.parameters(), Safetensors.Precision.F32, null);
    }

    @Test
    void ourAdapterAppliedByTorchGivesOurLogits(@TempDir Path tmp) throws Exception {
        try (TinyLm lm = new TinyLm(259, 32, 2, 1, DataType.FLOAT32)) {
            saveBase(lm, tmp.resolve("base.safetensors"));
            LoraConfig cfg = new LoraConfig(4, 12, 0.0, List.of("q_proj", "v_proj"), null, true, 3);
            try (TunedModel tuned = TunedModel.lora(lm, cfg)) {
                Trainer.builder().setModel(tuned).setTokenizer(new ByteTokenizer())
                        .setTrainData(TrainerTest.sentiment(16)).optBatchSize(4).optMaxSteps(4).optLearningRate(2e-2)
                        .build().train();
                tuned.saveAdapter(tmp.resolve("adapter"), "tiny-test-model");
                float[] ours = ourLogits(lm);
                JsonNode c = new ObjectMapper().readTree(tmp.resolve("adapter/adapter_config.json").toFile());
                assertEquals("LORA", c.get("peft_type").asText());
                assertEquals(4, c.get("r").asInt());
                assertTrue(c.get("use_rslora").asBoolean());
                assertEquals("tiny-test-model", c.get("base_model_name_or_path").asText());
                String script = TORCH_MODEL + """
                        w = read_st(sys.argv[1])
                        logits = forward(merge(w, sys.argv[2]), [int(x) for x in sys.argv[3].split(',')], 2)
                        logits.detach().numpy().astype('<f4').tofile(sys.argv[4])
                        base = forward(w, [int(x) for x in sys.argv[3].split(',')], 2)
                        print(float((logits - base).abs().max()))
                        """;
                String out = Py.run(script, tmp, tmp.resolve("base.safetensors").toString(),
                        tmp.resolve("adapter").toString(), ids(), tmp.resolve("logits.bin").toString());
                assertTrue(Double.parseDouble(out.strip().lines().reduce((a, b) -> b).orElseThrow()) > 1e-3,
                        "the trained adapter must change the logits");
                float[] ref = Py.readFloats(tmp.resolve("logits.bin"));
                assertArrayEquals(ref, ours, 1e-4f);

                // save -> load into a fresh copy of the base gives identical logits
                try (TinyLm fresh = new TinyLm(259, 32, 2, 1, DataType.FLOAT32);
                     TunedModel loaded = TunedModel.fromAdapter(fresh, tmp.resolve("adapter"))) {
                    assertArrayEquals(ours, ourLogits(fresh));
                    assertEquals(tuned.trainableParams(), loaded.trainableParams());
                }
                // merged output equals unmerged
                tuned.setTraining(false);
                tuned.mergeAdapter();
                assertArrayEquals(ours, ourLogits(lm), 1e-5f);
                tuned.unmergeAdapter();
            }
        }
    }

    static String ids() {
        StringBuilder sb = new StringBuilder();
        for (int id : IDS) {
            sb.append(sb.length() == 0 ? "" : ",").append(id);
        }
        return sb.toString();
    }

    @Test
    void anAdapterWrittenByTorchInPeftLayoutLoadsHere(@TempDir Path tmp) throws Exception {
        try (TinyLm lm = new TinyLm(259, 32, 2, 1, DataType.FLOAT32)) {
            saveBase(lm, tmp.resolve("base.safetensors"));
            float[] baseLogits = ourLogits(lm);
            String script = TORCH_MODEL + """
                    import os
                    w = read_st(sys.argv[1]); out = sys.argv[2]; os.makedirs(out, exist_ok=True)
                    g = torch.Generator().manual_seed(0)
                    ad = {}
                    for l in range(2):
                        for m in ['q_proj', 'v_proj']:
                            key = 'base_model.model.model.layers.%d.self_attn.%s' % (l, m)
                            ad[key + '.lora_A.weight'] = torch.randn(6, 32, generator=g) * 0.2
                            ad[key + '.lora_B.weight'] = torch.randn(32, 6, generator=g) * 0.2
                    write_st(out + '/adapter_model.safetensors', ad)
                    json.dump({'peft_type': 'LORA', 'task_type': 'CAUSAL_LM', 'r': 6, 'lora_alpha': 3,
                               'lora_dropout': 0.1, 'target_modules': ['v_proj', 'q_proj'], 'bias': 'none',
                               'fan_in_fan_out': False, 'use_rslora': False, 'base_model_name_or_path': 'x'},
                              open(out + '/adapter_config.json', 'w'))
                    logits = forward(merge(w, out), [int(x) for x in sys.argv[3].split(',')], 2)
                    logits.detach().numpy().astype('<f4').tofile(sys.argv[4])
                    """;
            Py.run(script, tmp, tmp.resolve("base.safetensors").toString(), tmp.resolve("peft").toString(), ids(),
                    tmp.resolve("logits.bin").toString());
            float[] ref = Py.readFloats(tmp.resolve("logits.bin"));
            try (TunedModel tuned = TunedModel.fromAdapter(lm, tmp.resolve("peft"))) {
                tuned.setTraining(false);
                assertEquals(4 * (6 * 32 + 32 * 6), tuned.trainableParams());
                float[] ours = ourLogits(lm);
                assertArrayEquals(ref, ours, 1e-4f);
                // a second named adapter: "other" = the same file; switching back and forth
                tuned.loadAdapter(tmp.resolve("peft"), "other");
                assertEquals("other", tuned.activeAdapter());
                assertArrayEquals(ours, ourLogits(lm));
            }
            assertArrayEquals(baseLogits, ourLogits(lm));
        }
    }
}
