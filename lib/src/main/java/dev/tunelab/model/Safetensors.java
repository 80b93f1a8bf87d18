package dev.tunelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format: 8-byte little-endian header length, a JSON header
 * {@code {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}}, then raw little-endian
 * tensor bytes. Every field is checked against the file before a byte is allocated, so a truncated or hostile file
 * gives an IOException naming the file and tensor instead of an OutOfMemoryError.
 */
public final class Safetensors {
    /** Headers larger than this are refused (real ones are kilobytes to a few megabytes). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    /** Storage type when writing. */
    public enum Precision { F32, BF16 }

    /** One tensor's header entry; offsets are relative to the end of the header. */
    public record TensorInfo(String name, String dtype, long[] shape, long begin, long end) {
        public long elements() {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }
    }

    /** The parsed, validated header of one file. */
    public record Header(Path file, long dataStart, List<TensorInfo> tensors, Map<String, String> metadata) {}

    private Safetensors() {}

    static int bytesPerElement(String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
            default -> -1;
        };
    }

    public static Header header(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": file not found");
        }
        long size = Files.size(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (size < 8) {
                throw new IOException(file + ": not a safetensors file (only " + size + " bytes)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, file);
            long headerLen = lenBuf.getLong(0);
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
                throw new IOException(file + ": header length " + Long.toUnsignedString(headerLen)
                        + " is not plausible (2.." + MAX_HEADER_BYTES + " bytes): corrupt or not a safetensors file");
            }
            if (headerLen > size - 8) {
                throw new IOException(file + ": header length " + headerLen + " exceeds the file size " + size
                        + " (truncated file?)");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8, file);
            return parseHeader(file, new String(hb.array(), StandardCharsets.UTF_8), 8 + headerLen, size);
        }
    }

    private static Header parseHeader(Path file, String json, long dataStart, long fileSize) throws IOException {
        JsonNode root;
        try {
            root = ConfigJson.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IOException(file + ": header is not a JSON object");
        }
        long dataLen = fileSize - dataStart;
        List<TensorInfo> tensors = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode t = e.getValue();
            if (name.equals("__metadata__")) {
                t.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            String where = file + ": tensor '" + name + "'";
            if (!t.isObject() || !t.path("dtype").isTextual() || !t.path("shape").isArray()
                    || !t.path("data_offsets").isArray() || t.get("data_offsets").size() != 2) {
                throw new IOException(where + ": entry needs dtype, shape and two data_offsets");
            }
            String dtype = t.get("dtype").asText();
            int width = bytesPerElement(dtype);
            if (width < 0) {
                throw new IOException(where + ": unknown dtype " + dtype);
            }
            long[] shape = new long[t.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = t.get("shape").get(i);
                if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                    throw new IOException(where + ": bad dimension " + d);
                }
                shape[i] = d.asLong();
            }
            JsonNode b = t.get("data_offsets").get(0);
            JsonNode en = t.get("data_offsets").get(1);
            if (!b.isIntegralNumber() || !en.isIntegralNumber() || !b.canConvertToLong() || !en.canConvertToLong()) {
                throw new IOException(where + ": data_offsets must be integers");
            }
            long begin = b.asLong();
            long end = en.asLong();
            if (begin < 0 || end < begin || end > dataLen) {
                throw new IOException(where + ": data_offsets [" + begin + ", " + end + "] outside the data section of "
                        + dataLen + " bytes (truncated or corrupt file)");
            }
            TensorInfo info = new TensorInfo(name, dtype, shape, begin, end);
            long expected;
            try {
                expected = Math.multiplyExact(info.elements(), width);
            } catch (ArithmeticException ex) {
                throw new IOException(where + ": shape overflows");
            }
            if (expected != end - begin) {
                throw new IOException(where + ": shape " + java.util.Arrays.toString(shape) + " of " + dtype + " needs "
                        + expected + " bytes but data_offsets span " + (end - begin));
            }
            tensors.add(info);
        }
        List<TensorInfo> byOffset = new ArrayList<>(tensors);
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin));
        for (int i = 1; i < byOffset.size(); i++) {
            if (byOffset.get(i).begin() < byOffset.get(i - 1).end()) {
                throw new IOException(file + ": tensor '" + byOffset.get(i).name() + "' overlaps tensor '"
                        + byOffset.get(i - 1).name() + "'");
            }
        }
        return new Header(file, dataStart, tensors, metadata);
    }

    /** Every floating tensor of one file as FLOAT32, owned by {@code manager}. */
    public static LinkedHashMap<String, NDArray> read(Path file, NDManager manager) throws IOException {
        Header h = header(file);
        LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (TensorInfo t : h.tensors()) {
                long len = t.end() - t.begin();
                if (len > Integer.MAX_VALUE - 16) {
                    throw new IOException(file + ": tensor '" + t.name() + "' is larger than 2 GB, not supported");
                }
                ByteBuffer raw = ByteBuffer.allocateDirect((int) len).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, raw, h.dataStart() + t.begin(), file);
                raw.flip();
                out.put(t.name(), toFloat32(manager, raw, t, file));
            }
        }
        return out;
    }

    private static NDArray toFloat32(NDManager manager, ByteBuffer raw, TensorInfo t, Path file) throws IOException {
        Shape shape = new Shape(t.shape());
        int n = (int) t.elements();
        switch (t.dtype()) {
            case "F32":
                return manager.create(raw, shape, DataType.FLOAT32);
            case "BF16": {
                ByteBuffer f = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    f.putInt((raw.getShort(2 * i) & 0xFFFF) << 16);
                }
                f.flip();
                return manager.create(f, shape, DataType.FLOAT32);
            }
            case "F16": {
                ByteBuffer f = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    f.putFloat(halfToFloat(raw.getShort(2 * i)));
                }
                f.flip();
                return manager.create(f, shape, DataType.FLOAT32);
            }
            case "F64":
                return manager.create(raw, shape, DataType.FLOAT64).toType(DataType.FLOAT32, false);
            default:
                throw new IOException(file + ": tensor '" + t.name() + "' has dtype " + t.dtype()
                        + "; only F32, F16, BF16 and F64 weights are supported");
        }
    }

    /** IEEE 754 binary16 → float. */
    static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant / 1024f / 16384f; // subnormal: mant * 2^-24
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** float → bfloat16 bits, rounding to nearest even (NaN stays NaN). */
    static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /**
     * Writes tensors (converted to {@code precision}) to a temp file next to {@code file} and renames it into place.
     */
    public static void write(Path file, Map<String, NDArray> tensors, Precision precision, Map<String, String> metadata)
            throws IOException {
        String dtype = precision == Precision.BF16 ? "BF16" : "F32";
        int width = precision == Precision.BF16 ? 2 : 4;
        ObjectNode header = ConfigJson.MAPPER.createObjectNode();
        ObjectNode meta = header.putObject("__metadata__");
        meta.put("format", "pt");
        if (metadata != null) {
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            long n = e.getValue().getShape().size();
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", dtype);
            var shape = t.putArray("shape");
            for (long d : e.getValue().getShape().getShape()) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + n * width);
            offset += n * width;
        }
        byte[] json = ConfigJson.MAPPER.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        Path tmp = AtomicFiles.tempFor(file);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, head);
                for (NDArray a : tensors.values()) {
                    writeFully(ch, encode(a, precision));
                }
                ch.force(true);
            }
            AtomicFiles.move(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static ByteBuffer encode(NDArray a, Precision precision) {
        float[] values;
        if (a.getDataType() == DataType.FLOAT32) {
            values = a.toFloatArray();
        } else {
            try (NDArray f = a.toType(DataType.FLOAT32, true)) {
                values = f.toFloatArray();
            }
        }
        ByteBuffer b = ByteBuffer.allocate(values.length * (precision == Precision.BF16 ? 2 : 4))
                .order(ByteOrder.LITTLE_ENDIAN);
        if (precision == Precision.BF16) {
            for (float v : values) {
                b.putShort(floatToBf16(v));
            }
        } else {
            b.asFloatBuffer().put(values);
            b.position(b.capacity());
        }
        b.flip();
        return b;
    }

    /**
     * All weights of a checkpoint folder: model.safetensors, or the shards named by model.safetensors.index.json.
     * Pickle checkpoints (.bin/.pt/.pth/.ckpt) are refused: unpickling runs arbitrary code.
     */
    public static LinkedHashMap<String, NDArray> readCheckpoint(Path dir, NDManager manager) throws IOException {
        Path single = dir.resolve("model.safetensors");
        if (Files.isRegularFile(single)) {
            return read(single, manager);
        }
        Path index = dir.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(index)) {
            JsonNode map = ConfigJson.read(index).get("weight_map");
            if (map == null || !map.isObject()) {
                throw new IOException(index + ": missing object 'weight_map'");
            }
            java.util.Set<String> shards = new java.util.LinkedHashSet<>();
            map.fields().forEachRemaining(e -> shards.add(e.getValue().asText()));
            LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
            for (String shard : shards) {
                out.putAll(read(dir.resolve(safeFileName(shard, index)), manager));
            }
            for (Iterator<String> it = map.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!out.containsKey(name)) {
                    throw new IOException(index + ": tensor '" + name + "' is not in its shard " + map.get(name).asText());
                }
            }
            return out;
        }
        refusePickle(dir);
        throw new IOException(dir + ": no model.safetensors or model.safetensors.index.json");
    }

    /** Throws a clear refusal when the folder holds only a pickle checkpoint. */
    public static void refusePickle(Path dir) throws IOException {
        for (String name : new String[] {"pytorch_model.bin", "pytorch_model.bin.index.json", "model.pt", "model.pth",
                "model.ckpt", "consolidated.00.pth"}) {
            if (Files.exists(dir.resolve(name))) {
                throw new IOException(dir.resolve(name) + ": pickle checkpoints are refused because loading them can run"
                        + " arbitrary code; convert to safetensors first (e.g. in Python: safetensors.torch.save_file("
                        + "torch.load(path, weights_only=True), 'model.safetensors'))");
            }
        }
    }

    /** A shard or hub file name that stays inside its folder. */
    static String safeFileName(String name, Object source) throws IOException {
        if (name.isEmpty() || name.contains("..") || name.contains("\\") || name.startsWith("/") || name.contains(":")
                || Path.of(name).isAbsolute()) {
            throw new IOException(source + ": refusing file name '" + name + "' (path traversal)");
        }
        return name;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path file) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                throw new IOException(file + ": unexpected end of file at byte " + pos);
            }
            pos += r;
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
