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
import java.util.Optional;
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
  static final String CERT_FILE = "--cert";
  // Not --key, which names the verifier's key in audit and attest.
  static final String KEY_FILE = "--cert-key";
  /** The port of a --target that names none: the server's default gRPC port. */
  static final int DEFAULT_PORT = 9090;

  @Spec(Spec.Target.MIXEE)
  private CommandSpec command;

  @Option(names = TARGET, paramLabel = "HOST[:PORT]",
      description = "Server address, the gRPC port (default: $GANTRY_TARGET, else " + GantryCli.DEFAULT_TARGET
          + "); without a port, " + DEFAULT_PORT + ".")
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

  @Option(names = CERT_FILE, paramLabel = "PEM",
      description = "Speak TLS and present this client certificate chain (mTLS), with --cert-key (default: "
          + "$GANTRY_CERT_FILE).")
  private Path certFile;

  @Option(names = KEY_FILE, paramLabel = "PEM",
      description = "The private key (PKCS#8 PEM) of --cert (default: $GANTRY_KEY_FILE).")
  private Path keyFile;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
      description = "table (default) or json: one object, or one a line for streams; lowerCamelCase names, "
          + "integers as numbers, enum words as in tables (see docs/cli.md).")
  private Printer.Format format;

  GantryClient connect() {
    return GantryClient.connect(target(), user, sentToken(), transport());
  }

  /** A connection that calls as {@code user}, for commands that play several callers (soak). */
  GantryClient connectAs(String user) {
    return GantryClient.connect(target(), user, sentToken(), transport());
  }

  GantryClient connectWithoutRetries() {
    return GantryClient.connectWithoutRetries(target(), user, sentToken(), transport());
  }

  /** --target with the default port when it names none: gRPC would take 80 (443 with TLS). */
  String target() {
    if (target.contains("/")) {
      return target; // a gRPC target URI (dns:///host:port, unix:/path) says what it means
    }
    if (target.startsWith("[")) {
      return target.endsWith("]") ? target + ":" + DEFAULT_PORT : target;
    }
    int colons = target.length() - target.replace(":", "").length();
    return colons == 0 ? target + ":" + DEFAULT_PORT : colons > 1 ? "[" + target + "]:" + DEFAULT_PORT : target;
  }

  /** Whether connections speak TLS. */
  private boolean speaksTls() {
    return tls || caFile != null || certFile != null;
  }

  /** The token a new connection sends, after warning (once) if it would cross the network in clear. */
  private String sentToken() {
    String token = token();
    ((GantryCli) command.root().userObject()).cleartextTokenWarning()
        .warnOnce(target(), speaksTls(), token != null, err());
    return token;
  }

  private ChannelCredentials transport() {
    if ((certFile == null) != (keyFile == null)) {
      throw usageError(CERT_FILE + " and " + KEY_FILE + " go together (GANTRY_CERT_FILE and GANTRY_KEY_FILE): give "
          + "both or neither");
    }
    if (!speaksTls()) {
      return InsecureChannelCredentials.create();
    }
    TlsChannelCredentials.Builder credentials = TlsChannelCredentials.newBuilder();
    if (caFile != null) {
      try {
        credentials.trustManager(caFile.toFile());
      } catch (IOException | IllegalArgumentException e) {
        throw usageError(CA_FILE + " " + caFile + " cannot be used: " + e.getMessage());
      }
    }
    if (certFile != null) {
      try {
        credentials.keyManager(certFile.toFile(), keyFile.toFile());
      } catch (IOException | IllegalArgumentException e) {
        throw usageError(CERT_FILE + " " + certFile + " and " + KEY_FILE + " " + keyFile + " cannot be used: "
            + e.getMessage());
      }
    }
    return credentials.build();
  }

  /**
   * Why a call that failed on this side (the server sent no reason) may not have reached the server, by probing
   * --target as the call connected; empty for a target URI, which names no single address.
   */
  Optional<ConnectionDiagnosis.Finding> diagnose() {
    String address = target();
    int colon = address.lastIndexOf(':');
    if (address.contains("/") || colon < 0) {
      return Optional.empty();
    }
    String host = address.substring(0, colon).replace("[", "").replace("]", "");
    try {
      int port = Integer.parseInt(address.substring(colon + 1));
      return new ConnectionDiagnosis(host, port, speaksTls(), caFile).diagnose();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
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
