package io.gantry.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.gantry.v1.ErrorReason;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.List;

/**
 * A failed call, with the details the server attached to its {@code google.rpc.Status} unpacked:
 * the status code, the {@link ErrorReason} from {@code ErrorInfo} and the field violations from
 * {@code BadRequest}. Branch on {@link #code()} and {@link #reason()}, never on the message.
 */
public final class GantryClientException extends RuntimeException {

  /** The {@code ErrorInfo.domain} of every error a Gantry server raises. */
  public static final String ERROR_DOMAIN = "gantry.dev";

  /** One invalid field: a path in the request message ({@code model_version.files.mlmodel}) and what is wrong. */
  public record FieldViolation(String field, String description) {}

  private final Status.Code code;
  private final String reasonName;
  private final String description;
  private final List<FieldViolation> fieldViolations;

  private GantryClientException(
      Status.Code code, String reasonName, String description, List<FieldViolation> fieldViolations,
      StatusRuntimeException cause) {
    super(code + (reasonName.isEmpty() ? "" : " (" + reasonName + ")") + ": " + description
        + localCause(cause.getStatus()), cause);
    this.code = code;
    this.reasonName = reasonName;
    this.description = description;
    this.fieldViolations = List.copyOf(fieldViolations);
  }

  public static GantryClientException from(StatusRuntimeException failure) {
    Status status = failure.getStatus();
    String reasonName = "";
    List<FieldViolation> violations = new ArrayList<>();
    com.google.rpc.Status details = StatusProto.fromThrowable(failure);
    if (details != null) {
      for (Any detail : details.getDetailsList()) {
        try {
          if (detail.is(ErrorInfo.class)) {
            ErrorInfo info = detail.unpack(ErrorInfo.class);
            if (ERROR_DOMAIN.equals(info.getDomain())) {
              reasonName = info.getReason();
            }
          } else if (detail.is(BadRequest.class)) {
            for (BadRequest.FieldViolation violation : detail.unpack(BadRequest.class).getFieldViolationsList()) {
              violations.add(new FieldViolation(violation.getField(), violation.getDescription()));
            }
          }
        } catch (InvalidProtocolBufferException malformedDetail) {
          // A detail we cannot read does not hide the status code and message, which remain.
        }
      }
    }
    String description = status.getDescription() == null ? "" : status.getDescription();
    return new GantryClientException(status.getCode(), reasonName, description, violations, failure);
  }

  // A status with a cause was made on this side (e.g. the connection was refused); the server's
  // own errors carry none. The cause says what the bare "io exception" does not.
  private static String localCause(Status status) {
    return status.getCause() == null ? "" : " (" + status.getCause().getMessage() + ")";
  }

  public Status.Code code() {
    return code;
  }

  /**
   * The stable reason; {@code ERROR_REASON_UNSPECIFIED} when the server sent none (e.g. the call
   * never reached it), {@code UNRECOGNIZED} when it is newer than this client.
   */
  public ErrorReason reason() {
    if (reasonName.isEmpty()) {
      return ErrorReason.ERROR_REASON_UNSPECIFIED;
    }
    try {
      return ErrorReason.valueOf(reasonName);
    } catch (IllegalArgumentException newerThanThisClient) {
      return ErrorReason.UNRECOGNIZED;
    }
  }

  /** The server's message, without the code and reason. */
  public String description() {
    return description;
  }

  public List<FieldViolation> fieldViolations() {
    return fieldViolations;
  }
}
