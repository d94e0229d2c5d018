package io.distill4j.cli;

import io.distill4j.Distill4jException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code distill4j} command. User mistakes ({@link Distill4jException}, bad options) print one line and exit
 * with code 2; a bug prints its stack trace and exits with code 1.
 */
@Command(name = "distill4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Knowledge-distillation studies on trading models.",
        subcommands = {RunCommand.class, SearchCommand.class, MergeCommand.class, RunsCommand.class, RegisterCommand.class, ReportCommand.class, Main.DataCommand.class,
            Main.MlflowCommand.class, ExportCommand.class, BenchCommand.class,
            DoctorCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    /** Exit code for user mistakes. */
    public static final int USER_ERROR = 2;

    /** {@code distill4j data ...}. */
    @Command(name = "data", mixinStandardHelpOptions = true, description = "Market data commands.",
            subcommands = {DataFetchCommand.class})
    static final class DataCommand {
    }

    /** {@code distill4j mlflow ...}. */
    @Command(name = "mlflow", mixinStandardHelpOptions = true, description = "MLflow tracking commands.",
            subcommands = {MlflowSyncCommand.class})
    static final class MlflowCommand {
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Package p = Main.class.getPackage();
            String v = p.getImplementationVersion();
            return new String[] {"distill4j " + (v == null ? "(development build)" : v)};
        }
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns the exit code (used by tests). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof Distill4jException) {
                err.println("error: " + e.getMessage());
                return USER_ERROR;
            }
            err.println("internal error (please report it): " + e);
            e.printStackTrace(err);
            return 1;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("error: " + e.getMessage());
            err.println("(see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return USER_ERROR;
        });
        return cli.execute(args);
    }
}
