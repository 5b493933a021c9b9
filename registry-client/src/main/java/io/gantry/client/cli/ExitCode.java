package io.gantry.client.cli;

import io.grpc.Status;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The exit codes of {@code gantry}, as {@code gantry --help} lists them and docs/cli.md tables them (a test holds the
 * three together). A pipeline retries {@link #UNAVAILABLE} and nothing else: {@link #SETUP} is a command or
 * environment that cannot reach a Gantry server however often it runs.
 */
enum ExitCode {
  OK(0, "success"),
  OTHER(1, "any other error; for audit verify, audit prove and attest verify: not verified"),
  USAGE(2, "bad command line, or a local file missing or malformed (versions register: a file that cannot be "
      + "uploaded, such as a symbolic link out of DIR)"),
  NOT_FOUND(3, "NOT_FOUND: no such model, version, tag, alias or promotion"),
  INVALID_ARGUMENT(4, "INVALID_ARGUMENT: the server refused a field (named on stderr)"),
  CONFLICT(5, "FAILED_PRECONDITION, ABORTED or ALREADY_EXISTS: the current state forbids it; artifacts download: a "
      + "different file is in the way (--force replaces it)"),
  UNAVAILABLE(6, "UNAVAILABLE: the server or its database cannot be reached, or nothing listens at --target yet; "
      + "retry"),
  REJECTED(7, "promote, rollback, approve, aliases remove: the promotion ended without applying (REJECTED by a "
      + "policy or a reviewer; a dry run: would be)"),
  DATA_LOSS(8, "DATA_LOSS: the server's stored copy of a file is corrupted; it was not written"),
  PERMISSION(9, "PERMISSION_DENIED or UNAUTHENTICATED: the caller lacks the role, or sent no valid credential"),
  SETUP(10, "setup error, do not retry: the name in --target does not resolve, the port is not Gantry's gRPC port, "
      + "or TLS is on one side only or its certificate is not trusted");

  final int code;
  final String meaning;

  ExitCode(int code, String meaning) {
    this.code = code;
    this.meaning = meaning;
  }

  /** The exit code of a call that failed with {@code code}. */
  static ExitCode of(Status.Code code) {
    return switch (code) {
      case NOT_FOUND -> NOT_FOUND;
      case INVALID_ARGUMENT -> INVALID_ARGUMENT;
      case FAILED_PRECONDITION, ABORTED, ALREADY_EXISTS -> CONFLICT;
      case UNAVAILABLE -> UNAVAILABLE;
      case DATA_LOSS -> DATA_LOSS;
      case PERMISSION_DENIED, UNAUTHENTICATED -> PERMISSION;
      default -> OTHER;
    };
  }

  /** The list picocli prints under "Exit codes:". */
  static Map<String, String> helpList() {
    Map<String, String> list = new LinkedHashMap<>();
    for (ExitCode exitCode : values()) {
      list.put(Integer.toString(exitCode.code), exitCode.meaning);
    }
    return list;
  }
}
