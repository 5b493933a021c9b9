package io.gantry.server.mlflowrest;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * An error as MLflow's REST API reports it: {@code {"error_code": ..., "message": ...}} with MLflow's HTTP status
 * for that code (mlflow/protos/databricks.proto and mlflow/server/handlers.py).
 */
final class MlflowError extends RuntimeException {

  final int httpStatus;
  final String errorCode;

  MlflowError(int httpStatus, String errorCode, String message) {
    super(message);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  static MlflowError invalid(String message) {
    return new MlflowError(400, "INVALID_PARAMETER_VALUE", message);
  }

  static MlflowError notFound(String message) {
    return new MlflowError(404, "RESOURCE_DOES_NOT_EXIST", message);
  }

  /** The MLflow form of a Gantry call's failure; the message is the server's, verbatim. */
  static MlflowError of(StatusRuntimeException e) {
    String message = e.getStatus().getDescription() == null ? e.getStatus().getCode().name()
        : e.getStatus().getDescription();
    Status.Code code = e.getStatus().getCode();
    return switch (code) {
      case NOT_FOUND -> notFound(message);
      case ALREADY_EXISTS -> new MlflowError(400, "RESOURCE_ALREADY_EXISTS", message);
      case INVALID_ARGUMENT, OUT_OF_RANGE -> invalid(message);
      case FAILED_PRECONDITION -> new MlflowError(400, "INVALID_STATE", message);
      case ABORTED -> new MlflowError(409, "ABORTED", message);
      case PERMISSION_DENIED -> new MlflowError(403, "PERMISSION_DENIED", message);
      case UNAUTHENTICATED -> new MlflowError(401, "UNAUTHENTICATED", message);
      case UNAVAILABLE, DEADLINE_EXCEEDED -> new MlflowError(503, "TEMPORARILY_UNAVAILABLE", message);
      case RESOURCE_EXHAUSTED -> new MlflowError(429, "REQUEST_LIMIT_EXCEEDED", message);
      case UNIMPLEMENTED -> new MlflowError(501, "NOT_IMPLEMENTED", message);
      default -> new MlflowError(500, "INTERNAL_ERROR", message);
    };
  }
}
