package io.gantry.client.cli;

import io.gantry.client.GantryClient;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The options every command takes: where the server is, who is calling, how to print. */
final class CommonOptions {

  static final String TARGET = "--target";
  static final String USER = "--user";
  static final String TOKEN = "--token";
  static final String TOKEN_FILE = "--token-file";
  static final String TLS = "--tls";
  static final String CA_FILE = "--ca-file";

  @Spec(Spec.Target.MIXEE)
  private CommandSpec command;

  @Option(names = TARGET, paramLabel = "HOST:PORT",
      description = "Server address (default: $GANTRY_TARGET, else " + GantryCli.DEFAULT_TARGET + ").")
  private String target;

  @Option(names = USER, paramLabel = "NAME",
      description = "Caller name, sent as x-gantry-user (default: $GANTRY_USER, else " + GantryCli.DEFAULT_USER + ").")
  private String user;

  @Option(names = TOKEN, paramLabel = "TOKEN",
      description = "Bearer token for a server that verifies callers: a JWT, or an API token from gantry tokens "
          + "create (default: $GANTRY_TOKEN); it replaces --user.")
  private String token;

  @Option(names = TOKEN_FILE, paramLabel = "FILE",
      description = "Read the bearer token from FILE (default: $GANTRY_TOKEN_FILE), which keeps it out of the "
          + "process list and shell history.")
  private Path tokenFile;

  @Option(names = TLS, description = "Speak TLS to the server, trusting the system's certificate authorities "
      + "(default: on when $GANTRY_TLS is true).")
  private boolean tls;

  @Option(names = CA_FILE, paramLabel = "PEM",
      description = "Speak TLS, trusting the certificate authorities in this PEM file (default: $GANTRY_CA_FILE).")
  private Path caFile;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
      description = "table (default) or json (protobuf's canonical JSON of the response).")
  private Printer.Format format;

  GantryClient connect() {
    return GantryClient.connect(target, user, sentToken(), transport());
  }

  /** A connection that calls as {@code user}, for commands that play several callers (soak). */
  GantryClient connectAs(String user) {
    return GantryClient.connect(target, user, sentToken(), transport());
  }

  GantryClient connectWithoutRetries() {
    return GantryClient.connectWithoutRetries(target, user, sentToken(), transport());
  }

  /** The token a new connection sends, after warning (once) if it would cross the network in clear. */
  private String sentToken() {
    String token = token();
    ((GantryCli) command.root().userObject()).cleartextTokenWarning()
        .warnOnce(target, tls || caFile != null, token != null, err());
    return token;
  }

  private ChannelCredentials transport() {
    if (caFile != null) {
      try {
        return TlsChannelCredentials.newBuilder().trustManager(caFile.toFile()).build();
      } catch (IOException | IllegalArgumentException e) {
        throw usageError(CA_FILE + " " + caFile + " cannot be used: " + e.getMessage());
      }
    }
    return tls ? TlsChannelCredentials.create() : InsecureChannelCredentials.create();
  }

  /** The bearer token given, if any; a token file that cannot be read is a usage error. */
  private String token() {
    if (token != null && !token.isBlank()) {
      return token.trim();
    }
    if (tokenFile == null) {
      return null;
    }
    try {
      String read = Files.readString(tokenFile).trim();
      if (read.isEmpty()) {
        throw usageError(TOKEN_FILE + " " + tokenFile + " is empty");
      }
      return read;
    } catch (IOException e) {
      throw usageError(TOKEN_FILE + " " + tokenFile + " cannot be read: " + e.getMessage());
    }
  }

  Printer printer() {
    return new Printer(command.commandLine().getOut(), format);
  }

  boolean json() {
    return format == Printer.Format.json;
  }

  /** Standard output as bytes, for output that must not pass through a charset; flushes the text printed so far. */
  PrintStream stdout() {
    command.commandLine().getOut().flush();
    return ((GantryCli) command.root().userObject()).stdout();
  }

  /** Standard output, for commands that print as they go rather than through a {@link Printer}. */
  PrintWriter out() {
    return command.commandLine().getOut();
  }

  /** Standard error, for progress and warnings that must not mix with the output. */
  PrintWriter err() {
    return command.commandLine().getErr();
  }

  /** Whether stderr is the process's own and a terminal, where a person watches progress. */
  boolean stderrIsTerminal() {
    return ((GantryCli) command.root().userObject()).stderrIsTerminal();
  }

  /** A resource name made from arguments by {@code parse}; one it refuses is a usage error with its message. */
  String resourceName(Supplier<String> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException e) {
      throw usageError(e.getMessage());
    }
  }

  /** Reports a failure found here rather than by the server, as the server's are reported; returns {@code exitCode}. */
  int fail(int exitCode, String message) {
    err().println("error: " + message);
    return exitCode;
  }

  /** A bad argument found while running: reported like a parse error, with exit code 2. */
  ParameterException usageError(String message) {
    return new ParameterException(command.commandLine(), message);
  }
}
