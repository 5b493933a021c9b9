package io.gantry.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.DebugInfo;
import com.google.rpc.ErrorInfo;
import io.gantry.v1.ErrorReason;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import org.junit.jupiter.api.Test;

class GantryClientExceptionTest {

  @Test
  void unpacksReasonAndFieldViolations() {
    StatusRuntimeException failure = StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(Code.INVALID_ARGUMENT_VALUE)
        .setMessage("2 invalid fields")
        .addDetails(Any.pack(ErrorInfo.newBuilder()
            .setReason(ErrorReason.INVALID_FIELD.name())
            .setDomain(GantryClientException.ERROR_DOMAIN)
            .build()))
        .addDetails(Any.pack(DebugInfo.newBuilder().setDetail("ignored").build()))
        .addDetails(Any.pack(BadRequest.newBuilder()
            .addFieldViolations(BadRequest.FieldViolation.newBuilder()
                .setField("model_id").setDescription("must match ^[A-Za-z0-9]..."))
            .addFieldViolations(BadRequest.FieldViolation.newBuilder()
                .setField("model_version.files.requirements_txt").setDescription("line 3: bad specifier"))
            .build()))
        .build());

    GantryClientException error = GantryClientException.from(failure);

    assertThat(error.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(error.reason()).isEqualTo(ErrorReason.INVALID_FIELD);
    assertThat(error.description()).isEqualTo("2 invalid fields");
    assertThat(error.getMessage()).isEqualTo("INVALID_ARGUMENT (INVALID_FIELD): 2 invalid fields");
    assertThat(error.fieldViolations()).containsExactly(
        new GantryClientException.FieldViolation("model_id", "must match ^[A-Za-z0-9]..."),
        new GantryClientException.FieldViolation("model_version.files.requirements_txt", "line 3: bad specifier"));
    assertThat(error.getCause()).isSameAs(failure);
  }

  @Test
  void aCallThatNeverReachedTheServerHasNoReason() {
    GantryClientException error = GantryClientException.from(
        Status.UNAVAILABLE.withDescription("io exception").asRuntimeException());

    assertThat(error.code()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(error.reason()).isEqualTo(ErrorReason.ERROR_REASON_UNSPECIFIED);
    assertThat(error.fieldViolations()).isEmpty();
    assertThat(error.getMessage()).isEqualTo("UNAVAILABLE: io exception");
  }

  @Test
  void aReasonNewerThanThisClientIsUnrecognizedButStillShown() {
    GantryClientException error = GantryClientException.from(reasonFrom("gantry.dev", "ALIAS_MOVED"));

    assertThat(error.reason()).isEqualTo(ErrorReason.UNRECOGNIZED);
    assertThat(error.getMessage()).startsWith("ABORTED (ALIAS_MOVED)");
  }

  @Test
  void reasonsOfOtherDomainsAreNotTakenForOurs() {
    assertThat(GantryClientException.from(reasonFrom("googleapis.com", "MODEL_NOT_FOUND")).reason())
        .isEqualTo(ErrorReason.ERROR_REASON_UNSPECIFIED);
  }

  private static StatusRuntimeException reasonFrom(String domain, String reason) {
    return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(Code.ABORTED_VALUE)
        .setMessage("moved")
        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(reason).setDomain(domain).build()))
        .build());
  }
}
