package dev.tunelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {
    static {
        DjlSetup.ensure();
    }

    @TempDir
    Path dir;
    static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** numpy writes F16 / BF16 / F32 files by hand; Java must read the same float32 values numpy computes. */
    @Test
    void readsHalfPrecisionWrittenByNumpy() throws Exception {
        String py = String.join("\n",
                "import json, struct, sys, numpy as np",
                "rng = np.random.default_rng(0)",
                "a = (rng.standard_normal((3, 5)) * 10).astype(np.float32)",
                "a[0, 0] = 6.0e-8; a[0, 1] = -65504; a[0, 2] = 0.0",
                "h = a.astype(np.float16)",
                "bf_bits = (a.view(np.uint32) >> 16).astype(np.uint16)  # truncation: exact reference below",
                "bf = (bf_bits.astype(np.uint32) << 16).view(np.float32)",
                "parts = [('half', 'F16', h.tobytes()), ('brain', 'BF16', bf_bits.tobytes()), ('full', 'F32', a.tobytes())]",
                "hdr, off = {}, 0",
                "for n, dt, b in parts:",
                "    hdr[n] = {'dtype': dt, 'shape': [3, 5], 'data_offsets': [off, off + len(b)]}; off += len(b)",
                "hj = json.dumps(hdr).encode()",
                "open(sys.argv[1] + '/mixed.safetensors', 'wb').write(struct.pack('<Q', len(hj)) + hj + b''.join(p[2] for p in parts))",
                "np.concatenate([h.astype(np.float32).ravel(), bf.ravel(), a.ravel()]).astype('<f4').tofile(sys.argv[1] + '/expected.f32')");
        Path script = dir.resolve("make.py");
        Files.writeString(script, py);
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        ByteBuffer e = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("expected.f32"))).order(ByteOrder.LITTLE_ENDIAN);
        float[] expected = new float[45];
        e.asFloatBuffer().get(expected);
        Map<String, NDArray> t = Safetensors.read(dir.resolve("mixed.safetensors"), manager);
        float[] got = new float[45];
        System.arraycopy(t.get("half").toFloatArray(), 0, got, 0, 15);
        System.arraycopy(t.get("brain").toFloatArray(), 0, got, 15, 15);
        System.arraycopy(t.get("full").toFloatArray(), 0, got, 30, 15);
        assertArrayEquals(expected, got, 0f);
        assertEquals(new Shape(3, 5), t.get("half").getShape());
    }

    @Test
    void roundTripsF32ExactlyAndBf16WithinRounding() throws Exception {
        float[] v = {1f, -2.5f, 3.14159f, 1e-3f, 12345.678f, -0f};
        Map<String, NDArray> m = new LinkedHashMap<>();
        m.put("a.weight", manager.create(v, new Shape(2, 3)));
        m.put("b", manager.create(new float[] {7f}, new Shape(1)));
        Path f32 = dir.resolve("f32.safetensors");
        Safetensors.write(f32, m, Safetensors.Precision.F32, Map.of("step", "3"));
        Map<String, NDArray> back = Safetensors.read(f32, manager);
        assertArrayEquals(v, back.get("a.weight").toFloatArray(), 0f);
        assertEquals("3", Safetensors.header(f32).metadata().get("step"));
        assertEquals(0, (Files.size(f32) - 8 - 4 * 7) % 8, "header padded to 8 bytes");
        Path bf = dir.resolve("bf16.safetensors");
        Safetensors.write(bf, m, Safetensors.Precision.BF16, null);
        float[] r = Safetensors.read(bf, manager).get("a.weight").toFloatArray();
        for (int i = 0; i < v.length; i++) {
            assertEquals(v[i], r[i], Math.abs(v[i]) / 256 + 1e-9, "bf16 keeps 8 bits of mantissa");
        }
        assertEquals(3.140625f, r[2], 0f, "round to nearest: 3.14159 -> 3.140625");
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(x -> x.getFileName().toString().endsWith(".tmp")), "no temp files left");
        }
    }

    @Test
    void truncatedFileIsRefusedNamingFileAndTensor() throws Exception {
        Path f = dir.resolve("t.safetensors");
        Map<String, NDArray> m = Map.of("w", manager.create(new float[64], new Shape(8, 8)));
        Safetensors.write(f, m, Safetensors.Precision.F32, null);
        byte[] all = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(all, all.length - 10));
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(f, manager));
        assertTrue(e.getMessage().contains("t.safetensors") && e.getMessage().contains("'w'"), e.getMessage());
        Files.write(f, java.util.Arrays.copyOf(all, 20));
        e = assertThrows(IOException.class, () -> Safetensors.read(f, manager));
        assertTrue(e.getMessage().contains("exceeds the file size"), e.getMessage());
    }

    @Test
    void hostileHeadersAreRefusedWithoutAllocating() throws Exception {
        assertRefused(header(Long.MAX_VALUE, "{}", 0), "not plausible");
        assertRefused(header(1L << 40, "{}", 0), "not plausible");
        assertRefused(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[1000000,1000000],\"data_offsets\":[0,16]}}", 16),
                "needs");
        assertRefused(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,1600000000]}}", 16),
                "outside the data section");
        assertRefused(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[-16,0]}}", 16), "outside");
        assertRefused(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16), "overlaps");
        assertRefused(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}", 16), "bad dimension");
        assertRefused(raw("{\"w\":{\"dtype\":\"Q4\",\"shape\":[4],\"data_offsets\":[0,16]}}", 16), "unknown dtype");
        assertRefused(raw("{\"w\": [1, 2", 16), "not valid JSON");
        assertRefused(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[9223372036854775807,4],\"data_offsets\":[0,16]}}", 16),
                "overflows");
    }

    @Test
    void shardedCheckpointLoadsThroughItsIndexAndPickleIsRefused() throws Exception {
        Safetensors.write(dir.resolve("model-00001-of-00002.safetensors"),
                Map.of("a", manager.create(new float[] {1, 2}, new Shape(2))), Safetensors.Precision.F32, null);
        Safetensors.write(dir.resolve("model-00002-of-00002.safetensors"),
                Map.of("b", manager.create(new float[] {3}, new Shape(1))), Safetensors.Precision.F32, null);
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"metadata\":{},\"weight_map\":{"
                + "\"a\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00002-of-00002.safetensors\"}}");
        Map<String, NDArray> all = Safetensors.readCheckpoint(dir, manager);
        assertArrayEquals(new float[] {1, 2}, all.get("a").toFloatArray(), 0f);
        assertArrayEquals(new float[] {3}, all.get("b").toFloatArray(), 0f);

        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\":{\"a\":\"../../etc/passwd\"}}");
        IOException e = assertThrows(IOException.class, () -> Safetensors.readCheckpoint(dir, manager));
        assertTrue(e.getMessage().contains("path traversal"), e.getMessage());

        Path pickle = Files.createDirectory(dir.resolve("pickled"));
        Files.write(pickle.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
        Files.writeString(pickle.resolve("config.json"), "{\"model_type\":\"llama\"}");
        e = assertThrows(IOException.class, () -> Safetensors.readCheckpoint(pickle, manager));
        assertTrue(e.getMessage().contains("arbitrary code") && e.getMessage().contains("pytorch_model.bin"),
                e.getMessage());
    }

    private Path raw(String json, int dataBytes) throws IOException {
        return header(json.getBytes(StandardCharsets.UTF_8).length, json, dataBytes);
    }

    private Path header(long declared, String json, int dataBytes) throws IOException {
        byte[] j = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + j.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declared).put(j);
        Path f = Files.createTempFile(dir, "bad", ".safetensors");
        Files.write(f, b.array());
        return f;
    }

    private void assertRefused(Path f, String fragment) {
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(f, manager));
        assertTrue(e.getMessage().contains(f.getFileName().toString()), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
    }
}
