package dev.tunelab.cli;

import dev.tunelab.model.DjlSetup;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Entry point of the `tunelab` launcher. */
public final class Main {
    private Main() {}

    static List<Command> commands() {
        return List.of(new CompareCommand(), new GenerateCommand(), new FinetuneCommand(), new EvalCommand(),
                new BenchCommand(), new SyncCommand());
    }

    public static void main(String[] argv) {
        System.exit(run(argv));
    }

    public static int run(String[] argv) {
        Map<String, Command> byName = new LinkedHashMap<>();
        for (Command c : commands()) {
            byName.put(c.name(), c);
        }
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h") || argv[0].equals("help")) {
            System.out.println(usage(byName));
            return argv.length == 0 ? 2 : 0;
        }
        Command command = byName.get(argv[0]);
        if (command == null) {
            System.err.println("tunelab: unknown command '" + argv[0] + "' (commands: " + String.join(", ", byName.keySet()) + ")");
            return 2;
        }
        String[] rest = java.util.Arrays.copyOfRange(argv, 1, argv.length);
        try {
            Args args = command.args().parse(rest);
            if (args.flagSet("help")) {
                System.out.println(args.help(command.summary()));
                return 0;
            }
            DjlSetup.ensure();
            return command.run(args);
        } catch (UsageException e) {
            System.err.println("tunelab " + e.getMessage());
            return 2;
        } catch (Exception e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            System.err.println("tunelab " + command.name() + ": error: " + msg.lines().findFirst().orElse(msg));
            if (System.getenv("TUNELAB_DEBUG") != null) {
                e.printStackTrace();
            }
            return 1;
        }
    }

    private static String usage(Map<String, Command> byName) {
        StringBuilder sb = new StringBuilder("usage: tunelab <command> [options]\n\ncommands:\n");
        for (Command c : byName.values()) {
            sb.append(String.format("  %-10s %s%n", c.name(), c.summary()));
        }
        sb.append("\nRun 'tunelab <command> --help' for a command's options.");
        return sb.toString();
    }
}
