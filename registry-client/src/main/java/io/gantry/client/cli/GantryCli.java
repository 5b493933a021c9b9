package io.gantry.client.cli;

import io.gantry.client.ArtifactTransferException;
import io.gantry.client.GantryClientException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine;

@Command(
    name = "gantry",
    versionProvider = GantryCli.Version.class,
    description = "Command line client of the Gantry model registry.",
    footerHeading = "%nEnvironment:%n",
    footer = {
        "  GANTRY_TARGET  server address host:port (default " + GantryCli.DEFAULT_TARGET + ")",
        "  GANTRY_USER    caller name sent as x-gantry-user (default " + GantryCli.DEFAULT_USER + ")",
        "  GANTRY_TOKEN, GANTRY_TOKEN_FILE  bearer JWT or API token (or a file holding it) for a server that "
            + "verifies callers",
        "  GANTRY_TLS, GANTRY_CA_FILE       speak TLS (true), trusting the system's authorities or those in the file"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        GantryCli.EXIT_OK + ":success",
        GantryCli.EXIT_OTHER + ":any other error (e.g. PERMISSION_DENIED, UNAUTHENTICATED); for audit verify and audit prove: "
            + "not verified",
        GantryCli.EXIT_USAGE + ":bad command line, or a local file missing or malformed (versions register: a file "
            + "that cannot be uploaded, such as a symbolic link out of DIR)",
        GantryCli.EXIT_NOT_FOUND + ":NOT_FOUND: no such model, version, tag, alias or promotion",
        GantryCli.EXIT_INVALID_ARGUMENT + ":INVALID_ARGUMENT: the server refused a field (named on stderr)",
        GantryCli.EXIT_CONFLICT + ":FAILED_PRECONDITION, ABORTED or ALREADY_EXISTS: the current state forbids it; "
            + "artifacts download: a different file is in the way (--force replaces it)",
        GantryCli.EXIT_UNAVAILABLE + ":UNAVAILABLE: the server or its database cannot be reached; retry",
        GantryCli.EXIT_REJECTED + ":promote, rollback, approve, aliases remove: the promotion ended without applying "
            + "(REJECTED by a policy or a reviewer; a dry run: would be)",
        GantryCli.EXIT_DATA_LOSS + ":DATA_LOSS: the server's stored copy of a file is corrupted; it was not written"})
public final class GantryCli {

  /**
   * The subcommands, in the order help lists them. They are added when a command line is run rather than declared on
   * the annotation: picocli reflects over every command it is given, so a run names only the one it calls (see
   * {@link #subcommandsFor}), which is about half of a short call's start-up.
   */
  static final List<Class<?>> SUBCOMMANDS = List.of(
      ModelsCommand.class, VersionsCommand.class, ArtifactsCommand.class, EvalCommand.class, ResolveCommand.class,
      WatchCommand.class, AliasesCommand.class, PromoteCommand.class, RollbackCommand.class,
      ApprovalCommands.Approve.class, ApprovalCommands.Reject.class, ApprovalCommands.Cancel.class,
      PromotionsCommand.class, PolicyCommand.class, AuditCommand.class, WhoamiCommand.class, TokensCommand.class,
      RolesCommand.class, WebhooksCommand.class, ImportCommand.class, AttestCommand.class, BenchCommand.class,
      SoakCommand.class);

  static final String DEFAULT_TARGET = "localhost:9090";
  static final String DEFAULT_USER = "anonymous";

  static final int EXIT_OK = 0;
  static final int EXIT_OTHER = 1;
  static final int EXIT_NOT_VERIFIED = EXIT_OTHER;
  static final int EXIT_USAGE = 2;
  static final int EXIT_NOT_FOUND = 3;
  static final int EXIT_INVALID_ARGUMENT = 4;
  static final int EXIT_CONFLICT = 5;
  static final int EXIT_UNAVAILABLE = 6;
  static final int EXIT_REJECTED = 7;
  static final int EXIT_DATA_LOSS = 8;

  /** Standard output as bytes, for output that must reach it unchanged (an audit export). */
  private final PrintStream stdout;
  /** Whether a person is likely watching stderr, so that transfers show their progress there unasked. */
  private final boolean stderrIsTerminal;
  private final CleartextTokenWarning cleartextTokenWarning = new CleartextTokenWarning();

  private GantryCli(PrintStream stdout, boolean stderrIsTerminal) {
    this.stdout = stdout;
    this.stderrIsTerminal = stderrIsTerminal;
  }

  PrintStream stdout() {
    return stdout;
  }

  boolean stderrIsTerminal() {
    return stderrIsTerminal;
  }

  /** One a run, which in a process of its own is once a process. */
  CleartextTokenWarning cleartextTokenWarning() {
    return cleartextTokenWarning;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, System.getenv(), processStderrIsTerminal()));
  }

  /**
   * Runs one command line; {@code env} stands in for the process environment, and {@code err} is taken not to be a
   * terminal. Returns the exit code.
   */
  public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
    return run(args, out, err, env, false);
  }

  private static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env,
      boolean stderrIsTerminal) {
    PrintWriter outWriter = new PrintWriter(out, true, StandardCharsets.UTF_8);
    PrintWriter errWriter = new PrintWriter(err, true, StandardCharsets.UTF_8);
    CommandLine commandLine = new CommandLine(new GantryCli(out, stderrIsTerminal));
    // before the settings below, which apply to the subcommands present when they are made
    subcommandsFor(args).forEach(commandLine::addSubcommand);
    commandLine.setOut(outWriter)
        .setErr(errWriter)
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setDefaultValueProvider(environmentDefaults(env))
        .setParameterExceptionHandler(GantryCli::reportUsageError)
        .setExecutionExceptionHandler((failure, failed, parseResult) -> reportFailure(failure, failed.getErr()));
    addHelpOptions(commandLine);
    int exitCode = commandLine.execute(args);
    outWriter.flush();
    errWriter.flush();
    return exitCode;
  }

  /**
   * Java 17 cannot ask whether stderr is a terminal: on Linux, /proc names the device behind file descriptor 2;
   * elsewhere, a console (stdin and stdout both terminals) stands in for it.
   */
  private static boolean processStderrIsTerminal() {
    try {
      String device = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return device.startsWith("/dev/pts/") || device.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException notLinux) {
      return System.console() != null;
    }
  }

  /**
   * The subcommand {@code args} start with, alone; none for the version alone; every one when they start with
   * anything else (help, a mistyped name), which needs them all.
   */
  static List<Class<?>> subcommandsFor(String[] args) {
    if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
      return List.of();
    }
    if (args.length > 0) {
      for (Class<?> subcommand : SUBCOMMANDS) {
        if (subcommand.getAnnotation(Command.class).name().equals(args[0])) {
          return List.of(subcommand);
        }
      }
    }
    return SUBCOMMANDS;
  }

  private static void addHelpOptions(CommandLine command) {
    command.getCommandSpec().mixinStandardHelpOptions(true);
    command.getSubcommands().values().forEach(GantryCli::addHelpOptions);
  }

  private static IDefaultValueProvider environmentDefaults(Map<String, String> env) {
    return argument -> {
      if (!(argument instanceof OptionSpec option)) {
        return null;
      }
      return switch (option.longestName()) {
        case CommonOptions.TARGET -> nonBlank(env.get("GANTRY_TARGET"), DEFAULT_TARGET);
        case CommonOptions.USER -> nonBlank(env.get("GANTRY_USER"), DEFAULT_USER);
        case CommonOptions.TOKEN -> nonBlank(env.get("GANTRY_TOKEN"), null);
        case CommonOptions.TOKEN_FILE -> nonBlank(env.get("GANTRY_TOKEN_FILE"), null);
        case CommonOptions.TLS -> Boolean.toString("true".equalsIgnoreCase(env.get("GANTRY_TLS")));
        case CommonOptions.CA_FILE -> nonBlank(env.get("GANTRY_CA_FILE"), null);
        case ImportCommand.MLFLOW_TOKEN -> nonBlank(env.get("MLFLOW_TRACKING_TOKEN"), null);
        default -> null;
      };
    };
  }

  private static String nonBlank(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }

  private static int reportUsageError(ParameterException failure, String[] args) {
    PrintWriter err = failure.getCommandLine().getErr();
    // picocli starts the messages of argument groups (missing, mutually exclusive) with its own "Error: "
    err.println("error: " + failure.getMessage().replaceFirst("^Error: ", ""));
    err.println("Try '" + failure.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
    return EXIT_USAGE;
  }

  static int reportFailure(Exception failure, PrintWriter err) {
    if (failure instanceof ArtifactTransferException transferFailure) {
      // The message names the file and carries the server's error, if that was the cause.
      err.println("error: " + transferFailure.getMessage());
      return transferFailure.serverError().map(error -> reportDetails(error, err)).orElse(EXIT_OTHER);
    }
    if (!(failure instanceof StatusRuntimeException callFailure)) {
      err.println("error: " + failure);
      return EXIT_OTHER;
    }
    GantryClientException error = GantryClientException.from(callFailure);
    err.println("error: " + error.getMessage());
    return reportDetails(error, err);
  }

  /** Prints the fields the server named, and returns the exit code of the error. */
  private static int reportDetails(GantryClientException error, PrintWriter err) {
    for (GantryClientException.FieldViolation violation : error.fieldViolations()) {
      err.println("  " + violation.field() + ": " + violation.description());
    }
    return exitCode(error.code());
  }

  static int exitCode(Status.Code code) {
    return switch (code) {
      case NOT_FOUND -> EXIT_NOT_FOUND;
      case INVALID_ARGUMENT -> EXIT_INVALID_ARGUMENT;
      case FAILED_PRECONDITION, ABORTED, ALREADY_EXISTS -> EXIT_CONFLICT;
      case UNAVAILABLE -> EXIT_UNAVAILABLE;
      case DATA_LOSS -> EXIT_DATA_LOSS;
      default -> EXIT_OTHER;
    };
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = GantryCli.class.getPackage().getImplementationVersion();
      return new String[] {"gantry " + (version == null ? "(development build)" : version)};
    }
  }
}
