package dev.tunelab.tune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Minimal safetensors reader/writer for adapters, checkpoints and optimizer state (8-byte little-endian header
 * length, JSON header, raw little-endian data). Writes go to a temp file renamed atomically.
 */
public final class SafetensorsIO {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsIO() {}

    static String dtypeName(DataType t) {
        return switch (t) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case FLOAT16 -> "F16";
            case BFLOAT16 -> "BF16";
            case INT64 -> "I64";
            case INT32 -> "I32";
            case INT8 -> "I8";
            case UINT8 -> "U8";
            case BOOLEAN -> "BOOL";
            default -> throw new IllegalArgumentException("safetensors: unsupported data type " + t);
        };
    }

    static DataType dataType(String name, Path file, String tensor) {
        return switch (name) {
            case "F32" -> DataType.FLOAT32;
            case "F64" -> DataType.FLOAT64;
            case "F16" -> DataType.FLOAT16;
            case "BF16" -> DataType.BFLOAT16;
            case "I64" -> DataType.INT64;
            case "I32" -> DataType.INT32;
            case "I8" -> DataType.INT8;
            case "U8" -> DataType.UINT8;
            case "BOOL" -> DataType.BOOLEAN;
            default -> throw new IllegalArgumentException(file + ": tensor '" + tensor + "' has unsupported dtype " + name);
        };
    }

    /** Writes {@code tensors} (in map order) with optional string metadata, atomically. */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            header.put("__metadata__", metadata);
        }
        long offset = 0;
        Map<String, byte[]> data = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            ByteBuffer bb = a.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            byte[] bytes = new byte[bb.remaining()];
            bb.get(bytes);
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", dtypeName(a.getDataType()));
            info.put("shape", a.getShape().getShape());
            info.put("data_offsets", List.of(offset, offset + bytes.length));
            header.put(e.getKey(), info);
            data.put(e.getKey(), bytes);
            offset += bytes.length;
        }
        byte[] h = JSON.writeValueAsBytes(header);
        int pad = (8 - h.length % 8) % 8;
        byte[] headerBytes = new byte[h.length + pad];
        System.arraycopy(h, 0, headerBytes, 0, h.length);
        for (int i = h.length; i < headerBytes.length; i++) {
            headerBytes[i] = ' ';
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length);
            out.write(len.array());
            out.write(headerBytes);
            for (byte[] b : data.values()) {
                out.write(b);
            }
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads every tensor into {@code manager}, in file order. */
    public static LinkedHashMap<String, NDArray> read(Path file, NDManager manager) throws IOException {
        LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new IOException(file + ": not a safetensors file (shorter than 8 bytes)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > size - 8 || headerLen > 100_000_000) {
                throw new IOException(file + ": bad safetensors header length " + headerLen);
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            ch.read(hb, 8);
            JsonNode header = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
            long base = 8 + headerLen;
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode info = e.getValue();
                DataType type = dataType(info.path("dtype").asText(), file, e.getKey());
                JsonNode shapeNode = info.path("shape");
                long[] shape = new long[shapeNode.size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shapeNode.get(i).asLong();
                }
                long begin = info.path("data_offsets").get(0).asLong();
                long end = info.path("data_offsets").get(1).asLong();
                long expected = new Shape(shape).size() * type.getNumOfBytes();
                if (end - begin != expected || base + end > size || begin < 0) {
                    throw new IOException(file + ": tensor '" + e.getKey() + "' has data_offsets [" + begin + ", " + end
                            + "] that do not fit its shape/dtype or the file");
                }
                ByteBuffer buf = ByteBuffer.allocateDirect((int) expected).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(buf, base + begin);
                buf.flip();
                out.put(e.getKey(), manager.create(buf, new Shape(shape), type));
            }
        }
        return out;
    }

    /** The string metadata of a safetensors file (empty when none). */
    public static Map<String, String> metadata(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            ch.read(hb, 8);
            JsonNode meta = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8)).path("__metadata__");
            Map<String, String> out = new LinkedHashMap<>();
            meta.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            return out;
        }
    }
}
