package dev.tunelab.notebook;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FallbackDisplayTest {
    @AfterEach
    void restore() {
        System.clearProperty(Display.DIR_PROPERTY);
        Display.useBackend(null);
    }

    @Test
    void displayFolderFromSystemPropertyGetsOneFilePerDisplay(@TempDir Path dir) throws IOException {
        System.setProperty(Display.DIR_PROPERTY, dir.toString());
        DisplayBackend b = Display.fallback();
        assertInstanceOf(FileBackend.class, b);
        Display.useBackend(b);

        BufferedImage img = new BufferedImage(6, 4, BufferedImage.TYPE_INT_RGB);
        img.setRGB(1, 1, 0xFF0000);
        Display.show(img);
        Display.Handle h = Display.showUpdatable(MimeBundle.of(Map.of(MimeBundle.HTML, "<p>one</p>",
                MimeBundle.TEXT, "one")));
        Display.show("plain text");

        BufferedImage back = ImageIO.read(dir.resolve("display-0001.png").toFile());
        assertEquals(6, back.getWidth());
        assertEquals(0xFF0000, back.getRGB(1, 1) & 0xFFFFFF);
        assertEquals("<p>one</p>", Files.readString(dir.resolve("display-0002.html")));
        assertEquals("plain text", Files.readString(dir.resolve("display-0003.txt")));

        h.update(MimeBundle.of(Map.of(MimeBundle.HTML, "<p>two</p>", MimeBundle.TEXT, "two")));
        assertEquals("<p>two</p>", Files.readString(dir.resolve("display-0002.html")));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("display-0001.png", "display-0002.html", "display-0003.txt"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary files left");
        }
    }

    @Test
    void updateWithAForeignIdIsAClearError(@TempDir Path dir) {
        FileBackend b = new FileBackend(dir);
        Exception e = assertThrows(IllegalArgumentException.class, () -> b.update("../evil", MimeBundle.text("x")));
        assertTrue(e.getMessage().contains("../evil"));
    }

    @Test
    void consolePrintsTextAndNotesRicherOutputs() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleBackend b = new ConsoleBackend(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertNull(b.display(MimeBundle.text("hello")));
        b.display(MimeRenderer.render(new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB)));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\\R");
        assertEquals("hello", lines[0]);
        assertTrue(lines[1].startsWith("[image/png] Image 2x2 (not in a notebook"), lines[1]);
        assertTrue(lines[1].contains(Display.DIR_PROPERTY));
    }

    @Test
    void withoutKernelOrFolderTheConsoleIsUsed() {
        System.clearProperty(Display.DIR_PROPERTY);
        if (System.getenv(Display.DIR_ENV) == null) {
            assertInstanceOf(ConsoleBackend.class, Display.detectBackend());
        } else {
            assertInstanceOf(FileBackend.class, Display.detectBackend());
        }
    }
}
