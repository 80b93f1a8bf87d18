package dev.tunelab.rag;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/**
 * The on-disk format of a {@link VectorIndex} (big-endian):
 * <pre>
 * magic "TLVIDX\0\1" | int version | long fileLength | int dimension | int count
 * count × { utf8 id | int nMeta | nMeta × { utf8 key | utf8 value } }      (utf8 = int length + bytes)
 * count × dimension float32 vectors
 * long CRC32 of every byte before it
 * </pre>
 * Written to a temp file in the same folder, then atomically renamed. Reading checks length, magic, version and
 * checksum before trusting anything and names the file and the problem.
 */
final class VectorIndexFile {
    static final byte[] MAGIC = {'T', 'L', 'V', 'I', 'D', 'X', 0, 1};
    static final int VERSION = 1;
    private static final int HEADER = MAGIC.length + 4 + 8 + 4 + 4;

    private VectorIndexFile() {}

    static void write(Path file, int dim, int count, float[] data, List<String> ids, List<Map<String, String>> meta)
            throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        long length = HEADER + 8L + (long) count * dim * Float.BYTES;
        for (int i = 0; i < count; i++) {
            length += 4 + utf8(ids.get(i)).length + 4;
            for (Map.Entry<String, String> e : meta.get(i).entrySet()) {
                length += 8 + utf8(e.getKey()).length + utf8(e.getValue()).length;
            }
        }
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            CRC32 crc = new CRC32();
            try (OutputStream raw = Files.newOutputStream(tmp);
                 CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(raw, 1 << 16), crc);
                 DataOutputStream out = new DataOutputStream(checked)) {
                out.write(MAGIC);
                out.writeInt(VERSION);
                out.writeLong(length);
                out.writeInt(dim);
                out.writeInt(count);
                for (int i = 0; i < count; i++) {
                    writeUtf8(out, ids.get(i));
                    out.writeInt(meta.get(i).size());
                    for (Map.Entry<String, String> e : meta.get(i).entrySet()) {
                        writeUtf8(out, e.getKey());
                        writeUtf8(out, e.getValue());
                    }
                }
                ByteBuffer buf = ByteBuffer.allocate(dim * Float.BYTES).order(ByteOrder.BIG_ENDIAN);
                for (int i = 0; i < count; i++) {
                    buf.clear();
                    buf.asFloatBuffer().put(data, i * dim, dim);
                    out.write(buf.array(), 0, dim * Float.BYTES);
                }
                out.flush();
                // The checksum itself is not checksummed: write it past the CheckedOutputStream.
                DataOutputStream tail = new DataOutputStream(raw);
                tail.writeLong(crc.getValue());
                tail.flush();
            }
            if (Files.size(tmp) != length) {
                throw new IOException("internal error writing " + file + ": wrote " + Files.size(tmp) + " bytes, expected " + length);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static VectorIndex read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("vector index " + file + ": no such file");
        }
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < HEADER + 8) {
            throw new IOException("vector index " + file + ": truncated (" + bytes.length + " bytes, shorter than the header)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < MAGIC.length; i++) {
            if (b.get() != MAGIC[i]) {
                throw new IOException("vector index " + file + ": not a TuneLab vector index (bad magic bytes)");
            }
        }
        int version = b.getInt();
        if (version != VERSION) {
            throw new IOException("vector index " + file + ": unsupported format version " + version + " (this build reads " + VERSION + ")");
        }
        long length = b.getLong();
        if (length != bytes.length) {
            throw new IOException("vector index " + file + ": " + (bytes.length < length ? "truncated" : "trailing bytes")
                    + " (header says " + length + " bytes, file has " + bytes.length + ")");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 8);
        long stored = ByteBuffer.wrap(bytes, bytes.length - 8, 8).order(ByteOrder.BIG_ENDIAN).getLong();
        if (stored != crc.getValue()) {
            throw new IOException("vector index " + file + ": checksum mismatch (stored " + Long.toHexString(stored)
                    + ", computed " + Long.toHexString(crc.getValue()) + "): the file is corrupted");
        }
        int dim = b.getInt();
        int count = b.getInt();
        if (dim < 1 || count < 0) {
            throw new IOException("vector index " + file + ": invalid dimension " + dim + " or count " + count);
        }
        String[] ids = new String[count];
        @SuppressWarnings("unchecked")
        Map<String, String>[] meta = new Map[count];
        try {
            for (int i = 0; i < count; i++) {
                ids[i] = readUtf8(b);
                int n = b.getInt();
                Map<String, String> m = new LinkedHashMap<>();
                for (int j = 0; j < n; j++) {
                    m.put(readUtf8(b), readUtf8(b));
                }
                meta[i] = Map.copyOf(m);
            }
            float[] vectors = new float[Math.multiplyExact(count, dim)];
            if ((long) b.position() + (long) vectors.length * Float.BYTES != bytes.length - 8L) {
                throw new IllegalStateException("vector block has the wrong size for " + count + " × " + dim + " floats");
            }
            b.asFloatBuffer().get(vectors);
            VectorIndex index = new VectorIndex(dim);
            for (int i = 0; i < count; i++) {
                index.addTrusted(ids[i], vectors, i * dim, meta[i]);
            }
            return index;
        } catch (RuntimeException e) {
            throw new IOException("vector index " + file + ": malformed content (" + e + ")", e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void writeUtf8(DataOutputStream out, String s) throws IOException {
        byte[] b = utf8(s);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readUtf8(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw new IllegalStateException("string length " + n + " at byte " + (b.position() - 4) + " is out of range");
        }
        String s = new String(b.array(), b.position(), n, StandardCharsets.UTF_8);
        b.position(b.position() + n);
        return s;
    }
}
