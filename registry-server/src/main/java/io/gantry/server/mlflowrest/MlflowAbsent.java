package io.gantry.server.mlflowrest;

import com.google.rpc.ErrorInfo;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.List;
import java.util.function.Supplier;

/**
 * Where MLflow answers a missing thing otherwise than Gantry's NOT_FOUND: told apart by the {@code ErrorInfo.reason}
 * of Gantry's status (a {@code gantry.v1.ErrorReason}), so that a missing model still answers as it does.
 */
final class MlflowAbsent {

  private MlflowAbsent() {}

  /** Runs a delete; one whose target is gone already ({@code reason}) has done its work. */
  static void isDone(String reason, Runnable delete) {
    try {
      delete.run();
    } catch (StatusRuntimeException e) {
      if (!reason.equals(reason(e))) {
        throw e;
      }
    }
  }

  /** The call's answer, or {@code otherwise}'s error when it failed for one of {@code reasons}. */
  static <T> T orElseThrow(List<String> reasons, Supplier<T> call, Supplier<MlflowError> otherwise) {
    try {
      return call.get();
    } catch (StatusRuntimeException e) {
      if (reasons.contains(reason(e))) {
        throw otherwise.get();
      }
      throw e;
    }
  }

  static String reason(StatusRuntimeException e) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    if (status == null) {
      return "";
    }
    for (Any detail : status.getDetailsList()) {
      if (detail.is(ErrorInfo.class)) {
        try {
          return detail.unpack(ErrorInfo.class).getReason();
        } catch (InvalidProtocolBufferException malformed) {
          return "";
        }
      }
    }
    return "";
  }
}
