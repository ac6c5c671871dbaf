package dev.oplora.cli;

import dev.oplora.adapters.ComputeDevice;
import dev.oplora.runtime.NativeThreads;
import dev.oplora.train.Algo;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code oplora}: off-principal PEFT for RLVR. Every subcommand explains itself with --help. */
@Command(name = "oplora", mixinStandardHelpOptions = true, version = "oplora 0.1.0",
        description = "Off-principal parameter-efficient fine-tuning for RL with verifiable rewards.",
        subcommands = {InspectCommand.class, InitCommand.class, MergeCommand.class, PretrainCommand.class,
                TrainCommand.class, GenerateCommand.class, DiagnoseCommand.class, GridCommand.class,
                ReportCommand.class, DemoCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line in-process and returns the exit code (tests call this). */
    public static int execute(String... args) {
        NativeThreads.configure();
        CommandLine cli = commandLine();
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("oplora " + String.join(" ", parsed.originalArgs().isEmpty() ? java.util.List.of()
                    : java.util.List.of(parsed.originalArgs().get(0))) + ": " + message(e));
            if (System.getenv("OPLORA_DEBUG") != null) {
                e.printStackTrace(line.getErr());
            }
            return 2;
        });
        return cli.execute(args);
    }

    /** The command line with its converters for typed options. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.registerConverter(Algo.class, Algo::parse);
        cli.registerConverter(ComputeDevice.class, ComputeDevice::parse);
        // Everything after "bench" goes to JMH, its options (-p, -f, -wi, ...) included.
        cli.getSubcommands().get("bench").setUnmatchedOptionsArePositionalParams(true);
        return cli;
    }

    private static String message(Throwable e) {
        String text = e.getMessage();
        return text == null || text.isBlank() ? e.toString() : text;
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }
}
