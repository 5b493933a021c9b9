package io.gantry.server.error;

import io.grpc.Status;

/**
 * Every domain error the registry reports, with the canonical status it travels as. This is the one
 * table from domain error to gRPC code; each name equals a {@code gantry.v1.ErrorReason} value,
 * which clients receive as the {@code ErrorInfo.reason}. Codes follow the retry rules of
 * {@code google/rpc/code.proto}: ABORTED means retry the read-modify-write, FAILED_PRECONDITION
 * means change the state first, UNAVAILABLE means retry as is.
 */
public enum ErrorCode {
  INVALID_FIELD(Status.Code.INVALID_ARGUMENT),
  MODEL_NOT_FOUND(Status.Code.NOT_FOUND),
  VERSION_NOT_FOUND(Status.Code.NOT_FOUND),
  TAG_NOT_FOUND(Status.Code.NOT_FOUND),
  CHECKPOINT_NOT_FOUND(Status.Code.NOT_FOUND),
  ALIAS_NOT_FOUND(Status.Code.NOT_FOUND),
  PROMOTION_NOT_FOUND(Status.Code.NOT_FOUND),
  ARTIFACT_NOT_FOUND(Status.Code.NOT_FOUND),
  MODEL_ALREADY_EXISTS(Status.Code.ALREADY_EXISTS),
  REQUEST_ID_REUSED(Status.Code.ALREADY_EXISTS),
  MODEL_HAS_ACTIVE_VERSIONS(Status.Code.FAILED_PRECONDITION),
  VERSION_NOT_MUTABLE(Status.Code.FAILED_PRECONDITION),
  PROMOTION_NOT_PENDING(Status.Code.FAILED_PRECONDITION),
  CURRENT_VERSION_MISMATCH(Status.Code.FAILED_PRECONDITION),
  NO_PREVIOUS_HOLDER(Status.Code.FAILED_PRECONDITION),
  REMOVAL_NOT_GATED(Status.Code.FAILED_PRECONDITION),
  NOT_ALLOWED(Status.Code.PERMISSION_DENIED),
  MANIFEST_MISMATCH(Status.Code.FAILED_PRECONDITION),
  ARTIFACT_CORRUPTED(Status.Code.DATA_LOSS),
  PRESIGN_UNSUPPORTED(Status.Code.UNIMPLEMENTED),
  STORE_UNAVAILABLE(Status.Code.UNAVAILABLE),
  ETAG_MISMATCH(Status.Code.ABORTED),
  DATABASE_UNAVAILABLE(Status.Code.UNAVAILABLE),
  BAD_IDENTITY(Status.Code.UNAUTHENTICATED),
  CREDENTIAL_REJECTED(Status.Code.UNAUTHENTICATED),
  MISSING_ROLE(Status.Code.PERMISSION_DENIED),
  ROLE_BINDING_NOT_FOUND(Status.Code.NOT_FOUND),
  API_TOKEN_NOT_FOUND(Status.Code.NOT_FOUND),
  ROLE_BINDING_ALREADY_EXISTS(Status.Code.ALREADY_EXISTS),
  ROLE_BINDING_CONFIGURED(Status.Code.FAILED_PRECONDITION),
  PROMOTION_NOT_APPLIED(Status.Code.FAILED_PRECONDITION),
  MALFORMED_REQUEST(Status.Code.INVALID_ARGUMENT),
  METADATA_TOO_LARGE(Status.Code.RESOURCE_EXHAUSTED),
  CLIENT_IDLE(Status.Code.DEADLINE_EXCEEDED),
  SERVER_DEADLINE(Status.Code.DEADLINE_EXCEEDED),
  WEBHOOK_NOT_FOUND(Status.Code.NOT_FOUND),
  WEBHOOK_ALREADY_EXISTS(Status.Code.ALREADY_EXISTS),
  INTERNAL_ERROR(Status.Code.INTERNAL);

  private final Status.Code status;

  ErrorCode(Status.Code status) {
    this.status = status;
  }

  public Status.Code status() {
    return status;
  }
}
