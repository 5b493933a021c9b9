package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import io.gantry.client.GantryClientException;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the CLI does before, or without, reaching a server. */
class GantryCliTest {

  // Nothing listens on port 1; the client fails UNAVAILABLE at once.
  private static final Map<String, String> NO_SERVER = Map.of("GANTRY_TARGET", "127.0.0.1:1");

  @Test
  void helpDocumentsExitCodesAndEnvironment() {
    CliResult result = CliResult.run(Map.of(), "--help");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .contains("models", "versions", "eval", "bench")
        .contains("Exit codes:", "3    NOT_FOUND", "4    INVALID_ARGUMENT", "6    UNAVAILABLE", "7    promote, rollback",
            "10   setup error, do not retry")
        .contains("GANTRY_TARGET", "GANTRY_USER");
  }

  @Test
  void aGroupWithoutSubcommandIsAUsageError() {
    CliResult result = CliResult.run(Map.of(), "models");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("error: missing subcommand", "create", "Try 'gantry models --help'");
  }

  @Test
  void unknownOptionsAreUsageErrors() {
    CliResult result = CliResult.run(Map.of(), "models", "list", "--colour");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("error: Unknown option: '--colour'");
  }

  @Test
  void aVersionNeedsItsNumber() {
    CliResult result = CliResult.run(NO_SERVER, "versions", "get", "taxi");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("missing VERSION after MODEL 'taxi'");
  }

  @Test
  void aMalformedVersionUriIsAUsageError() {
    CliResult result = CliResult.run(NO_SERVER, "eval", "report", "models:/taxi@champion",
        "--dataset", "holdout", "--metric", "rmse=1.5");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("expected a version as models:/MODEL/VERSION");
  }

  @Test
  void aVersionUriLeavesNoRoomForAnotherVersion() {
    CliResult result = CliResult.run(NO_SERVER, "versions", "archive", "models:/taxi/3", "4");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("unexpected argument '4'");
  }

  @Test
  void metricsMustBeNumbers() {
    CliResult result = CliResult.run(NO_SERVER, "eval", "report", "taxi", "3",
        "--dataset", "holdout", "--metric", "rmse=low");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("'low' is not a double");
  }

  @Test
  void tagsNeedAKeyAndAValue() {
    assertThat(CliResult.run(NO_SERVER, "models", "tag", "taxi").err())
        .contains("give at least one KEY=VALUE or --delete KEY");
    CliResult result = CliResult.run(NO_SERVER, "versions", "tag", "models:/taxi/3", "team");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("expected KEY=VALUE, got 'team'");
  }

  @Test
  void registeringAMissingDirectoryNamesIt(@TempDir Path parent) {
    Path absent = parent.resolve("model");

    CliResult result = CliResult.run(NO_SERVER, "versions", "register", "taxi", absent.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("error: not a directory: " + absent);
  }

  @Test
  void registeringADirectoryWithoutMlmodelSaysWhatIsMissing(@TempDir Path directory) {
    CliResult result = CliResult.run(NO_SERVER, "versions", "register", "taxi", directory.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("no MLmodel file in " + directory + ": not an MLflow model directory");
  }

  @Test
  void aMalformedPolicyFileIsAUsageErrorNamingItsLine_beforeAnyCall(@TempDir Path directory) throws Exception {
    Path policyFile = directory.resolve("policy.yaml");
    Files.writeString(policyFile, "bindings:\n  - models: taxi\n    alias: champion\n    policies:\n");

    CliResult result = CliResult.run(NO_SERVER, "policy", "set", "--file", policyFile.toString());

    assertThat(result.exitCode()).as("not 6: the unreachable server was never called").isEqualTo(2);
    assertThat(result.err()).startsWith("error: " + policyFile + ":4: bindings[0].policies: expected a list, found no "
        + "value; write 'policies: []' to remove the binding");
  }

  @Test
  void aPromotionIdIsCheckedBeforeAnyCall() {
    CliResult result = CliResult.run(NO_SERVER, "promotions", "show", "promotions/");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("expected a promotion as its id or promotions/ID, got 'promotions/'");
  }

  @Test
  void anUnreachableServerFromTheEnvironmentIsUnavailable() {
    CliResult result = CliResult.run(NO_SERVER, "models", "get", "taxi");

    assertThat(result.exitCode()).isEqualTo(6);
    assertThat(result.err()).startsWith("error: nothing is listening on ");
  }

  @Test
  void theTargetOptionOverridesTheEnvironment() {
    CliResult result = CliResult.run(Map.of("GANTRY_TARGET", "localhost:9090"),
        "models", "get", "taxi", "--target", "127.0.0.1:1");

    assertThat(result.exitCode()).isEqualTo(6);
    assertThat(result.err()).contains("127.0.0.1:1");
  }

  @Test
  void failuresPrintCodeReasonAndEveryFieldThenMapToExitCodes() {
    StringWriter err = new StringWriter();
    int exitCode = GantryCli.reportFailure(StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(Code.INVALID_ARGUMENT_VALUE)
        .setMessage("model_version.files.mlmodel: line 3: mapping values are not allowed here")
        .addDetails(Any.pack(ErrorInfo.newBuilder()
            .setReason("INVALID_FIELD").setDomain(GantryClientException.ERROR_DOMAIN).build()))
        .addDetails(Any.pack(BadRequest.newBuilder().addFieldViolations(BadRequest.FieldViolation.newBuilder()
            .setField("model_version.files.mlmodel")
            .setDescription("line 3: mapping values are not allowed here")).build()))
        .build()), new PrintWriter(err, true), null);

    assertThat(exitCode).isEqualTo(4);
    assertThat(err.toString().lines()).containsExactly(
        "error: INVALID_ARGUMENT (INVALID_FIELD): model_version.files.mlmodel: line 3: mapping values are not allowed here",
        "  model_version.files.mlmodel: line 3: mapping values are not allowed here");
  }

  @Test
  void everyStatusCodeHasAnExitCode() {
    assertThat(GantryCli.exitCode(Status.Code.NOT_FOUND)).isEqualTo(3);
    assertThat(GantryCli.exitCode(Status.Code.INVALID_ARGUMENT)).isEqualTo(4);
    assertThat(GantryCli.exitCode(Status.Code.FAILED_PRECONDITION)).isEqualTo(5);
    assertThat(GantryCli.exitCode(Status.Code.ABORTED)).isEqualTo(5);
    assertThat(GantryCli.exitCode(Status.Code.ALREADY_EXISTS)).isEqualTo(5);
    assertThat(GantryCli.exitCode(Status.Code.UNAVAILABLE)).isEqualTo(6);
    assertThat(GantryCli.exitCode(Status.Code.PERMISSION_DENIED)).isEqualTo(9);
    assertThat(GantryCli.exitCode(Status.Code.UNAUTHENTICATED)).isEqualTo(9);
    assertThat(GantryCli.exitCode(Status.Code.UNIMPLEMENTED)).isEqualTo(1);
  }
}
