package dev.tunelab.rag;

import dev.tunelab.model.DjlSetup;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * ONNX Runtime loads its native libraries from {@code onnxruntime.native.path} when that property is set (DjlSetup
 * sets it so they are not unpacked into a fresh temp folder on every start) but never puts them there itself. This
 * copies them out of the onnxruntime jar once; on platforms whose libraries are not in the jar under the expected
 * name the property is cleared and ONNX Runtime falls back to its own extraction.
 */
final class OnnxNatives {
    private static volatile boolean done;

    private OnnxNatives() {}

    static synchronized void ensure() {
        if (done) {
            return;
        }
        DjlSetup.ensure();
        String dir = System.getProperty("onnxruntime.native.path");
        if (dir != null) {
            String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
            String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
            String platform = (os.contains("linux") ? "linux" : os.contains("mac") ? "osx" : "win")
                    + "-" + (arch.equals("amd64") || arch.equals("x86_64") ? "x64" : "aarch64");
            String ext = os.contains("linux") ? ".so" : os.contains("mac") ? ".dylib" : ".dll";
            String prefix = os.contains("win") ? "" : "lib";
            try {
                boolean ok = true;
                for (String lib : new String[] {"onnxruntime", "onnxruntime4j_jni"}) {
                    String file = prefix + lib + ext;
                    URL url = OnnxNatives.class.getResource("/ai/onnxruntime/native/" + platform + "/" + file);
                    if (url == null) {
                        ok = false;
                        break;
                    }
                    copyOnce(url, Path.of(dir, file));
                }
                if (!ok) {
                    System.clearProperty("onnxruntime.native.path");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot unpack ONNX Runtime natives into " + dir + ": " + e.getMessage(), e);
            }
        }
        done = true;
    }

    private static void copyOnce(URL url, Path target) throws IOException {
        long size = url.openConnection().getContentLengthLong();
        if (Files.isRegularFile(target) && Files.size(target) == size) {
            return;
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        try (InputStream in = url.openStream()) {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
