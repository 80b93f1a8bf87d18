package dev.tunelab.rag;

import dev.tunelab.data.Example;
import dev.tunelab.model.ByteTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class DocumentsAndChunkerTest {
    @Test
    void htmlIsStrippedToVisibleTextWithTitle(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("page.html"), "<html><head><title>Glaucoma &amp; You</title>"
                + "<style>p { color: red }</style></head><body><h1>Glaucoma</h1><!-- hidden -->"
                + "<p>Vision loss starts at the <b>edges</b>.</p><script>alert('x')</script>"
                + "<ul><li>Eye drops</li><li>Laser &#8212; surgery</li></ul></body></html>");
        Files.writeString(dir.resolve("notes.md"), "# Cataract\n\nClouding of the lens.");
        Files.writeString(dir.resolve("plain.txt"), "Just text.");
        Files.writeString(dir.resolve("image.png"), "not text");
        List<Document> docs = Documents.fromFiles(dir);
        assertEquals(List.of("notes.md", "page.html", "plain.txt"), docs.stream().map(Document::id).toList());
        Document html = docs.get(1);
        assertEquals("Glaucoma & You", html.metadata().title());
        assertEquals("Glaucoma\nVision loss starts at the edges.\nEye drops\nLaser — surgery", html.text());
        assertEquals("Cataract", docs.get(0).metadata().title());
        assertEquals("plain", docs.get(2).metadata().title());
        assertTrue(docs.get(2).metadata().source().endsWith("plain.txt"));
    }

    @Test
    void examplesBecomeDocumentsWithMetadata() {
        Example e = new Example("q1", "What is AMD?", "AMD is an eye disease.",
                Map.of("focus", "AMD", "url", "http://x", "source", "NIH"));
        Document d = Documents.fromExamples(List.of(e), "target", "focus").get(0);
        assertEquals("q1", d.id());
        assertEquals("AMD is an eye disease.", d.text());
        assertEquals("AMD", d.metadata().title());
        assertEquals("http://x", d.metadata().url());
        assertEquals("NIH", d.metadata().source());
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                () -> Documents.fromExamples(List.of(e), "missing", null));
        assertTrue(x.getMessage().contains("q1") && x.getMessage().contains("missing"));
    }

    @Test
    void sentenceChunksOverlapAndKeepMetadata() {
        Document doc = new Document("d", "One. Two! Three? Four. Five.",
                new Document.Metadata("src", "T", "u", 0, null, Map.of("focus", "f")));
        List<Document> chunks = Chunker.bySentences(2, 1).chunk(doc);
        assertEquals(List.of("One. Two!", "Two! Three?", "Three? Four.", "Four. Five."),
                chunks.stream().map(Document::text).toList());
        for (int i = 0; i < chunks.size(); i++) {
            Document c = chunks.get(i);
            assertEquals("d#" + i, c.id());
            assertEquals(i, c.metadata().position());
            assertEquals("d", c.parentId());
            assertEquals("T", c.metadata().title());
            assertEquals("u", c.metadata().url());
            assertEquals("src", c.metadata().source());
            assertEquals("f", c.metadata().field("focus"));
        }
        assertEquals(List.of("One. Two. Three."), Chunker.bySentences(3, 0).chunk(Document.of("x", "One. Two. Three."))
                .stream().map(Document::text).toList());
    }

    @Test
    void tokenChunksHaveTheRequestedTokenCountsAndOverlap() {
        ByteTokenizer tok = new ByteTokenizer();
        String text = "abcdefghijklmnopqrstuvwxyz";
        List<Document> chunks = Chunker.byTokens(tok, 10, 3).chunk(Document.of("d", text));
        // Byte tokens: windows [0,10) [7,17) [14,24) [21,26).
        assertEquals(List.of("abcdefghij", "hijklmnopq", "opqrstuvwx", "vwxyz"), chunks.stream().map(Document::text).toList());
        assertThrows(IllegalArgumentException.class, () -> Chunker.byTokens(tok, 5, 5));
    }
}
