package io.gantry.client.cli;

import io.gantry.client.ArtifactTransferException;
import io.gantry.client.GantryClientException;
import io.gantry.v1.ErrorReason;
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
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine;

@Command(
    name = "gantry",
    versionProvider = GantryCli.Version.class,
    description = {"Command line client of the Gantry model registry.",
        "Every command takes --target HOST[:PORT] (the server's gRPC port, 9090 by default), -o json for output a "
            + "script parses (docs/cli.md), and the credentials below; see 'gantry COMMAND --help'."},
    footerHeading = "%nEnvironment (an option given wins):%n",
    footer = {
        // one line each within picocli's 80 columns, which do not wrap a footer with an indent
        "  GANTRY_TARGET          --target HOST[:PORT] (default " + GantryCli.DEFAULT_TARGET + ")",
        "  GANTRY_USER            --user: the caller's name (default " + GantryCli.DEFAULT_USER + ")",
        "  GANTRY_TOKEN           --token: a JWT or an API token",
        "  GANTRY_TOKEN_FILE      --token-file: a file holding the token",
        "  GANTRY_TLS             --tls when true: TLS, trusting the system's CAs",
        "  GANTRY_CA_FILE         --ca-file: TLS, trusting the CAs in this PEM file",
        "  GANTRY_CERT_FILE       --cert: a client certificate (PEM), for mTLS",
        "  GANTRY_KEY_FILE        --cert-key: the private key of --cert (PEM)",
        "  MLFLOW_TRACKING_TOKEN  import mlflow --mlflow-token: the MLflow server's token"},
    exitCodeListHeading = "%nExit codes:%n")
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

  static final int EXIT_OK = ExitCode.OK.code;
  static final int EXIT_OTHER = ExitCode.OTHER.code;
  static final int EXIT_NOT_VERIFIED = EXIT_OTHER;
  static final int EXIT_USAGE = ExitCode.USAGE.code;
  static final int EXIT_NOT_FOUND = ExitCode.NOT_FOUND.code;
  static final int EXIT_INVALID_ARGUMENT = ExitCode.INVALID_ARGUMENT.code;
  static final int EXIT_CONFLICT = ExitCode.CONFLICT.code;
  static final int EXIT_UNAVAILABLE = ExitCode.UNAVAILABLE.code;
  static final int EXIT_REJECTED = ExitCode.REJECTED.code;
  static final int EXIT_DATA_LOSS = ExitCode.DATA_LOSS.code;
  static final int EXIT_PERMISSION = ExitCode.PERMISSION.code;
  static final int EXIT_SETUP = ExitCode.SETUP.code;

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
        .setExecutionExceptionHandler((failure, failed, parseResult) ->
            reportFailure(failure, failed.getErr(), commonOptions(failed)));
    commandLine.getCommandSpec().usageMessage().exitCodeList(ExitCode.helpList());
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
        case CommonOptions.CERT_FILE -> nonBlank(env.get("GANTRY_CERT_FILE"), null);
        case CommonOptions.KEY_FILE -> nonBlank(env.get("GANTRY_KEY_FILE"), null);
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
    // picocli starts the messages of argument groups (missing, mutually exclusive) with its own "Error: ", and
    // describes a map option's bad entry as "option option '--metric'"
    err.println("error: " + failure.getMessage().replaceFirst("^Error: ", "").replace("option option '", "option '"));
    if (failure instanceof UnmatchedArgumentException unmatched) {
      DidYouMean.commandLine(unmatched, args).ifPresent(meant -> err.println("Did you mean: " + meant + "?"));
    }
    err.println("Try '" + failure.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
    return EXIT_USAGE;
  }

  /** The common options of the command that failed, if it has them. */
  private static CommonOptions commonOptions(CommandLine failed) {
    return failed.getCommandSpec().mixins().values().stream()
        .map(CommandSpec::userObject)
        .filter(CommonOptions.class::isInstance)
        .map(CommonOptions.class::cast)
        .findFirst().orElse(null);
  }

  /**
   * Prints a failure and returns its exit code; with {@code common} (may be null), a failure made on this side is
   * diagnosed by probing --target (ConnectionDiagnosis).
   */
  static int reportFailure(Exception failure, PrintWriter err, CommonOptions common) {
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
    if (common != null && madeOnThisSide(error)) {
      Optional<ConnectionDiagnosis.Finding> finding = common.diagnose();
      if (finding.isPresent()) {
        err.println("error: " + finding.get().message());
        return finding.get().exitCode().code;
      }
    }
    err.println("error: " + error.getMessage());
    return reportDetails(error, err);
  }

  /**
   * A status the transport made rather than a server sent: no reason, and a code a broken connection gets
   * (UNAVAILABLE; INTERNAL or UNKNOWN when what answered speaks no gRPC), or any code gRPC made of an HTTP answer
   * that was not gRPC's (a web server speaking HTTP/2, such as Gantry's own HTTP port, answering 404 in text).
   */
  private static boolean madeOnThisSide(GantryClientException error) {
    return error.reason() == ErrorReason.ERROR_REASON_UNSPECIFIED
        && switch (error.code()) {
          case UNAVAILABLE, INTERNAL, UNKNOWN -> true;
          default -> String.valueOf(error.getMessage()).contains("invalid content-type");
        };
  }

  /** Prints the fields the server named, and returns the exit code of the error. */
  private static int reportDetails(GantryClientException error, PrintWriter err) {
    for (GantryClientException.FieldViolation violation : error.fieldViolations()) {
      err.println("  " + violation.field() + ": " + violation.description());
    }
    return exitCode(error.code());
  }

  static int exitCode(Status.Code code) {
    return ExitCode.of(code).code;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = GantryCli.class.getPackage().getImplementationVersion();
      return new String[] {"gantry " + (version == null ? "(development build)" : version)};
    }
  }
}
