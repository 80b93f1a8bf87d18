package dev.tunelab.notebook;

import dev.tunelab.chart.Charts;
import dev.tunelab.chart.Figure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MimeRendererTest {
    static BufferedImage decode(MimeBundle bundle) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(bundle.get(MimeBundle.PNG))));
    }

    @Test
    void imageRoundTripsPixelForPixel() throws IOException {
        BufferedImage img = new BufferedImage(7, 5, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 7; x++) {
                img.setRGB(x, y, (x * 36) << 16 | (y * 50) << 8 | (x * y * 7));
            }
        }
        MimeBundle b = MimeRenderer.render(img);
        assertEquals(List.of(MimeBundle.PNG, MimeBundle.TEXT), new ArrayList<>(b.data().keySet()));
        assertEquals("Image 7x5", b.plainText());
        BufferedImage back = decode(b);
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 7; x++) {
                assertEquals(img.getRGB(x, y) & 0xFFFFFF, back.getRGB(x, y) & 0xFFFFFF, "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void xchartChartBecomesPngOfTheChartSize() throws IOException {
        XYChart chart = new XYChartBuilder().width(320).height(200).title("loss").build();
        chart.addSeries("train", new double[] {1, 2, 3, 4}, new double[] {4, 2, 1.5, 1});
        MimeBundle b = MimeRenderer.render(chart);
        assertEquals(MimeBundle.PNG, b.richest());
        assertEquals("Chart: loss", b.plainText());
        BufferedImage png = decode(b);
        assertEquals(320, png.getWidth());
        assertEquals(200, png.getHeight());
        assertTrue(distinctColours(png) > 20, "a drawn chart has many colours, got " + distinctColours(png));
    }

    @Test
    void libraryFigureBecomesItsPng() throws IOException {
        Map<String, Double> scores = new LinkedHashMap<>();
        scores.put("zero-shot", 0.5);
        scores.put("lora", 0.8);
        Figure f = Charts.metricBars("accuracy", "", scores);
        MimeBundle b = MimeRenderer.render(f);
        assertEquals(Base64.getEncoder().encodeToString(f.png()), b.get(MimeBundle.PNG));
        assertEquals(f.width(), decode(b).getWidth());
    }

    @Test
    void tableBecomesEscapedHtmlCutAtMaxRows() {
        int n = MimeRenderer.MAX_TABLE_ROWS + 3;
        List<String> names = new ArrayList<>();
        int[] values = new int[n];
        for (int i = 0; i < n; i++) {
            names.add(i == 0 ? "<b>&" : "row" + i);
            values[i] = i * 10;
        }
        Table t = Table.create("scores", StringColumn.create("name", names), IntColumn.create("value", values));
        MimeBundle b = MimeRenderer.render(t);
        String html = b.get(MimeBundle.HTML);
        assertEquals(MimeBundle.HTML, b.richest());
        assertTrue(html.contains("<caption>scores</caption>"));
        assertTrue(html.contains("<th>name</th><th>value</th>"));
        assertTrue(html.contains("<td>&lt;b&gt;&amp;</td><td>0</td>"), html);
        assertEquals(MimeRenderer.MAX_TABLE_ROWS, count(html, "<tr>") - 1);
        assertTrue(html.contains("3 more rows (" + n + " in all)"));
        assertTrue(b.plainText().contains("row52"), "the text view holds every row");
    }

    @Test
    void toHtmlAndToMarkdownAreUsedWhenPresent() {
        Object o = new Object() {
            public String toHtml() {
                return "<i>x</i>";
            }

            public String toMarkdown() {
                return "*x*";
            }

            @Override
            public String toString() {
                return "x";
            }
        };
        MimeBundle b = MimeRenderer.render(o);
        assertEquals(List.of(MimeBundle.HTML, MimeBundle.MARKDOWN, MimeBundle.TEXT), new ArrayList<>(b.data().keySet()));
        assertEquals("<i>x</i>", b.get(MimeBundle.HTML));
        assertEquals("*x*", b.get(MimeBundle.MARKDOWN));
        assertEquals("x", b.plainText());
    }

    @Test
    void plainValuesAreText() {
        assertEquals(Map.of(MimeBundle.TEXT, "42"), MimeRenderer.render(42).data());
        assertEquals(Map.of(MimeBundle.TEXT, "null"), MimeRenderer.render(null).data());
        assertEquals(Map.of(MimeBundle.TEXT, "hi"), MimeRenderer.render(new StringBuilder("hi")).data());
    }

    @Test
    void filesAreShownByExtension(@TempDir Path dir) throws IOException {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        Path png = dir.resolve("a.png");
        ImageIO.write(img, "png", png.toFile());
        assertEquals(Base64.getEncoder().encodeToString(Files.readAllBytes(png)),
                MimeRenderer.render(png).get(MimeBundle.PNG));
        Path html = Files.writeString(dir.resolve("r.html"), "<h1>r</h1>");
        assertEquals("<h1>r</h1>", MimeRenderer.render(html).get(MimeBundle.HTML));
        Path missing = dir.resolve("missing.html");
        Exception e = assertThrows(RuntimeException.class, () -> MimeRenderer.render(missing));
        assertTrue(e.getMessage().contains("missing.html"), e.getMessage());
    }

    @Test
    void bundleWithoutTextIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new MimeBundle(Map.of(MimeBundle.HTML, "<p/>")));
        assertFalse(MimeBundle.text("t").has(MimeBundle.PNG));
    }

    static int distinctColours(BufferedImage img) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                colours.add(img.getRGB(x, y));
            }
        }
        return colours.size();
    }

    static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
