package io.gantry.server.api;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import io.gantry.server.error.Incidents;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become gRPC statuses: {@code google.rpc.Status} with an
 * {@code ErrorInfo} always, and a {@code BadRequest} for invalid fields. Only INTERNAL is logged, under an
 * error id that is all its caller is told; everything else is the caller's business.
 */
public final class GrpcErrors {

  public static final String DOMAIN = "gantry.dev";
  private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);
  // PostgreSQL's query_canceled: statement_timeout ran out
  private static final String QUERY_CANCELED = "57014";

  private GrpcErrors() {}

  public static StatusRuntimeException toStatusException(Throwable failure) {
    GantryException error = classify(failure);
    String message = error.code() == ErrorCode.INTERNAL_ERROR
        ? Incidents.record(log, "A gRPC call", failure)
        : error.getMessage();
    var status = com.google.rpc.Status.newBuilder()
        .setCode(error.code().status().value())
        .setMessage(message)
        .addDetails(Any.pack(ErrorInfo.newBuilder()
            .setReason(error.code().name())
            .setDomain(DOMAIN)
            .build()));
    if (!error.violations().isEmpty()) {
      var badRequest = BadRequest.newBuilder();
      error.violations().forEach(v -> badRequest.addFieldViolations(
          BadRequest.FieldViolation.newBuilder().setField(v.field()).setDescription(v.description())));
      status.addDetails(Any.pack(badRequest.build()));
    }
    return StatusProto.toStatusRuntimeException(status.build());
  }

  private static GantryException classify(Throwable failure) {
    if (failure instanceof GantryException gantry) {
      return gantry;
    }
    if (isConnectionFailure(failure)) {
      return new GantryException(ErrorCode.DATABASE_UNAVAILABLE,
          "the database is unavailable; retry with backoff", List.of(), failure);
    }
    if (hasSqlState(failure, QUERY_CANCELED)) {
      // GANTRY_DB_STATEMENT_TIMEOUT_SECONDS ran out (a lock held too long, an overloaded database)
      return new GantryException(ErrorCode.DATABASE_UNAVAILABLE,
          "the database did not answer in time; retry with backoff", List.of(), failure);
    }
    return new GantryException(ErrorCode.INTERNAL_ERROR, "internal error", List.of(), failure);
  }

  private static boolean hasSqlState(Throwable failure, String state) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException sql && state.equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /** A lost or refused database connection (SQL state class 08, admin shutdown 57P0x, pool timeout). */
  static boolean isConnectionFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLTransientConnectionException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
        return true;
      }
    }
    return false;
  }
}
