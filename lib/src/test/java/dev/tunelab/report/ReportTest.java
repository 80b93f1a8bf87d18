package dev.tunelab.report;

import dev.tunelab.data.Example;
import dev.tunelab.data.Split;
import dev.tunelab.data.TaskType;
import dev.tunelab.eval.Prediction;
import dev.tunelab.eval.Strategy;
import dev.tunelab.experiment.Comparison;
import dev.tunelab.experiment.Experiment;
import dev.tunelab.experiment.LocalData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTest {
    static final String EVIL = "<script>alert('x')</script> & <img src=x onerror=alert(1)>";

    static Comparison hostileComparison() {
        Split real = LocalData.sentiment(30, 5, 10, 3);
        List<Example> test = new ArrayList<>(real.test());
        test.add(new Example("evil-1", EVIL, "positive", Map.of()));
        Split split = new Split("sentiment+evil", TaskType.CLASSIFICATION, real.labels(), real.train(), real.validation(), test);
        Strategy parrot = new Strategy() {
            public String name() { return "parrot<b>"; }
            public String kind() { return "prompting"; }
            public Prediction predict(Example e) {
                return new Prediction(e.id().equals("evil-1") ? "</td><script>steal()</script>" : "negative", null, null, 3, 10, 1, null);
            }
        };
        return Experiment.named("sentiment").split(split).strategy(parrot).knn(3).bagOfWords(30).config("note", EVIL).run();
    }

    @Test
    void htmlIsSelfContainedAndEscapesDataText(@TempDir Path dir) throws Exception {
        Comparison c = hostileComparison();
        Path html = Report.create().title("Report <test>").config("dataset", "sentiment-uci").comparison(c)
                .wrongExamplesPerStrategy(50).environment(Environment.current("cpu")).writeTo(dir);
        String doc = Files.readString(html);
        assertFalse(doc.contains("<script"), "a data row became a script element");
        assertFalse(doc.contains("<img src=x"), "a data row became an element");
        assertTrue(doc.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;img src=x"), "evil input shown as text");
        assertTrue(doc.contains("&lt;/td&gt;&lt;script&gt;steal()&lt;/script&gt;"), "evil prediction shown as text");
        assertTrue(doc.contains("parrot&lt;b&gt;"));
        assertTrue(doc.contains("Report &lt;test&gt;"));
        // nothing is fetched from elsewhere: no external src/href, no link/script elements
        Matcher refs = Pattern.compile("(?i)(src|href)\\s*=\\s*\"([^\"]*)\"").matcher(doc);
        int images = 0;
        while (refs.find()) {
            String url = refs.group(2);
            assertTrue(url.startsWith("data:image/png;base64,"), "external reference: " + url.substring(0, Math.min(80, url.length())));
            byte[] png = Base64.getDecoder().decode(url.substring("data:image/png;base64,".length()));
            assertNotNull(ImageIO.read(new ByteArrayInputStream(png)), "embedded image does not decode");
            images++;
        }
        assertTrue(images >= 4, "charts embedded: " + images);
        assertFalse(Pattern.compile("(?i)<link|@import|url\\(").matcher(doc).find());
        // the comparison table, the dataset statistics, the error analysis and the environment are all there
        assertTrue(doc.contains("<th>accuracy</th>") && doc.contains("<th>latency_p95_ms</th>"));
        assertTrue(doc.contains("<td>tfidf-knn-3</td>"));
        assertTrue(doc.contains("<th>mean input chars</th>"));
        assertTrue(doc.contains("evil-1"));
        long wrong = c.result("parrot<b>").wrong().size();
        assertTrue(doc.contains("parrot&lt;b&gt;: " + wrong + " wrong of " + c.result("parrot<b>").examples().size()));
        assertTrue(doc.contains("<th>java</th><td>" + System.getProperty("java.version")));
        assertTrue(doc.contains("<th>device</th><td>cpu</td>"));
        assertTrue(doc.contains("<th>djl</th><td>0.35.1</td>"), "DJL version from its jar");
        assertTrue(doc.contains("<th>pytorch_native</th><td>2.7.1</td>") || doc.contains("<th>pytorch_native</th><td>unknown</td>"));
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    @Test
    void markdownHasTheTableImagesAndEscapedText(@TempDir Path dir) throws Exception {
        Comparison c = hostileComparison();
        Report.create().comparison(c).wrongExamplesPerStrategy(50).writeTo(dir);
        String md = Files.readString(dir.resolve("report.md"));
        assertFalse(md.contains("<script"));
        assertTrue(md.contains("&lt;script&gt;"));
        assertTrue(md.contains("| strategy | kind | accuracy | macro\\_f1 |"), md.substring(0, Math.min(2000, md.length())));
        Matcher img = Pattern.compile("!\\[[^]]*]\\((report-images/[^)]+\\.png)\\)").matcher(md);
        int n = 0;
        while (img.find()) {
            Path png = dir.resolve(img.group(1));
            assertTrue(Files.isRegularFile(png), png.toString());
            assertNotNull(ImageIO.read(png.toFile()));
            n++;
        }
        assertTrue(n >= 4, "images linked: " + n);
        String row = md.lines().filter(l -> l.startsWith("| tfidf-knn-3 |")).findFirst().orElseThrow();
        assertEquals(c.table().columnCount(), row.split(" \\| ").length);
    }
}
