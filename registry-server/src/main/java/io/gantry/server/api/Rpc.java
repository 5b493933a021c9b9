package io.gantry.server.api;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.gantry.server.common.Digests;
import io.gantry.server.error.GantryException;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.function.Supplier;

/** What every gRPC adapter needs: running a unary call, and the conversions shared by all rooms. */
public final class Rpc {

  private Rpc() {}

  /** Answers a unary call with the result of {@code call}, or with its failure as a rich status. */
  public static <T> void unary(StreamObserver<T> observer, Supplier<T> call) {
    T result;
    try {
      result = call.get();
    } catch (RuntimeException e) {
      observer.onError(GrpcErrors.toStatusException(e));
      return;
    }
    observer.onNext(result);
    observer.onCompleted();
  }

  public static Timestamp timestamp(OffsetDateTime time) {
    return timestamp(time.toInstant());
  }

  public static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }

  /** An optional timestamp of a request; one outside 0001-01-01 … 9999-12-31 is refused, naming the field. */
  public static Optional<Instant> instant(String field, boolean present, Timestamp timestamp) {
    if (!present) {
      return Optional.empty();
    }
    if (!Timestamps.isValid(timestamp)) {
      throw GantryException.invalid(field, "is not a valid timestamp (seconds " + timestamp.getSeconds()
          + ", nanos " + timestamp.getNanos() + ")");
    }
    return Optional.of(Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos()));
  }

  /**
   * A digest of a request without its request_id, to tell a retry from a different request that
   * reuses the id. Deterministic serialization orders map entries, so equal requests hash equal.
   */
  public static byte[] fingerprint(Message requestWithoutId) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.useDeterministicSerialization();
      requestWithoutId.writeTo(out);
      out.flush();
      return Digests.sha256(bytes.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
