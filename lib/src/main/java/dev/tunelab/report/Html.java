package dev.tunelab.report;

/** HTML escaping for every piece of text that comes from data or configuration. */
final class Html {
    private Html() {}

    static String esc(Object o) {
        return dev.tunelab.experiment.HtmlTable.escape(o == null ? "" : String.valueOf(o));
    }

    static final String CSS = """
            body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
            h1{font-size:1.7rem}h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
            table{border-collapse:collapse;margin:.8rem 0;font-size:.9rem}
            th,td{border:1px solid #ccc;padding:.3rem .55rem;text-align:left;vertical-align:top}
            th{background:#f3f5f8}td.num{text-align:right;font-variant-numeric:tabular-nums}
            img{max-width:100%;border:1px solid #eee;margin:.5rem 0}
            .wrong td{max-width:28rem;word-wrap:break-word}
            details{margin:.6rem 0}summary{cursor:pointer;font-weight:600}
            .muted{color:#666;font-size:.85rem}pre{background:#f6f8fa;padding:.6rem;overflow:auto}
            """;
}
