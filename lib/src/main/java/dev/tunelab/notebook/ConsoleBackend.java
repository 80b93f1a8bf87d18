package dev.tunelab.notebook;

import java.io.PrintStream;

/** Outside a notebook and without a display folder: text is printed; images and HTML get a one-line note. */
public final class ConsoleBackend implements DisplayBackend {
    private final PrintStream out;

    public ConsoleBackend(PrintStream out) {
        this.out = out;
    }

    @Override
    public String name() {
        return "console";
    }

    @Override
    public String display(MimeBundle bundle) {
        String mime = bundle.richest();
        if (mime.equals(MimeBundle.TEXT) || mime.equals(MimeBundle.MARKDOWN)) {
            out.println(bundle.get(mime));
        } else {
            out.println("[" + mime + "] " + bundle.plainText() + " (not in a notebook: set -D" + Display.DIR_PROPERTY
                    + "=DIR or " + Display.DIR_ENV + "=DIR to save displays as files)");
        }
        return null;
    }

    @Override
    public boolean canUpdate() {
        return false;
    }

    @Override
    public void update(String displayId, MimeBundle bundle) {
        display(bundle);
    }
}
