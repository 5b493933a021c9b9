package io.gantry.server.wire;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Calls any method with bytes of the caller's choosing, as a client in another language could. */
final class RawCalls {

  static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  private RawCalls() {}

  /** How the call ended: its status and trailers (which carry the error details), and how many replies came. */
  record Ending(Status status, Metadata trailers, int replies) {

    StatusRuntimeException asException() {
      return status.asRuntimeException(trailers);
    }
  }

  /** Sends {@code messages} to {@code method} as user {@code user}, ends the input, and waits for the call's end. */
  static Ending call(Channel channel, String method, MethodDescriptor.MethodType type, String user,
      List<byte[]> messages) {
    return send(channel, method, type, user, messages, true);
  }

  /** Sends {@code messages} and then nothing more, holding the call open, and waits for the server to end it. */
  static Ending open(Channel channel, String method, MethodDescriptor.MethodType type, String user,
      List<byte[]> messages) {
    return send(channel, method, type, user, messages, false);
  }

  private static Ending send(Channel channel, String method, MethodDescriptor.MethodType type, String user,
      List<byte[]> messages, boolean endInput) {
    MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setFullMethodName(method).setType(type)
        .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    ClientCall<byte[], byte[]> call = channel.newCall(raw, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS));
    CompletableFuture<Ending> ending = new CompletableFuture<>();
    int[] replies = {0};
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("x-gantry-user", Metadata.ASCII_STRING_MARSHALLER), user);
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(byte[] message) {
        replies[0]++;
        call.request(1);
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        ending.complete(new Ending(status, trailers, replies[0]));
      }
    }, headers);
    call.request(1);
    messages.forEach(call::sendMessage);
    if (endInput) {
      call.halfClose();
    }
    try {
      return ending.get(60, TimeUnit.SECONDS);
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      call.cancel("the test gave up", e);
      throw new AssertionError(method + " did not end", e);
    }
  }
}
