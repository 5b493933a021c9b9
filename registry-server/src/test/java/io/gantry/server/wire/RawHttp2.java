package io.gantry.server.wire;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A bare HTTP/2 client over a plain socket, for what no gRPC client will send: a wrong content-type, a header block
 * over the limit, a message frame cut off by the end of the stream. It writes frames by hand and uses the HPACK
 * coder of the Netty that grpc-netty-shaded carries (no dependency of its own).
 */
final class RawHttp2 {

  private static final int DATA = 0;
  private static final int HEADERS = 1;
  private static final int RST_STREAM = 3;
  private static final int SETTINGS = 4;
  static final int PING = 6;
  private static final int GOAWAY = 7;
  private static final int CONTINUATION = 9;
  private static final int END_STREAM = 0x1;
  private static final int END_HEADERS = 0x4;
  private static final int ACK = 0x1;
  private static final int MAX_FRAME = 16_384;
  private static final int STREAM = 1;

  /** SETTINGS_MAX_CONCURRENT_STREAMS and SETTINGS_MAX_HEADER_LIST_SIZE, as RFC 7540 numbers them. */
  static final int MAX_CONCURRENT_STREAMS = 3;
  static final int MAX_HEADER_LIST_SIZE = 6;

  /** What came back on the one stream: headers (and trailers, merged), the body, and how it ended. */
  record Answer(Map<String, String> headers, byte[] body, Integer resetCode, Integer goAwayCode, boolean ended) {

    String get(String name) {
      return headers.get(name);
    }
  }

  /** What the server did to a connection that opened no stream: its settings, the frame types it sent, whether it closed it. */
  record Connection(Map<Integer, Long> settings, List<Integer> frames, boolean closed) {}

  private RawHttp2() {}

  /**
   * Opens a connection, starts no call, and reads what the server sends for up to {@code seconds}: its settings, its
   * keepalive pings (answered only if {@code answerPings}), and its GOAWAY or close.
   */
  static Connection hold(int port, boolean answerPings, int seconds) throws IOException {
    Map<Integer, Long> settings = new LinkedHashMap<>();
    List<Integer> frames = new ArrayList<>();
    long until = System.nanoTime() + seconds * 1_000_000_000L;
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(seconds * 1000);
      OutputStream out = socket.getOutputStream();
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      frame(out, SETTINGS, 0, 0, new byte[0]);
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      while (System.nanoTime() < until) {
        int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        in.readInt();
        byte[] payload = new byte[length];
        in.readFully(payload);
        frames.add(type);
        if (type == SETTINGS && (flags & ACK) == 0) {
          for (int i = 0; i + 6 <= payload.length; i += 6) {
            settings.put((payload[i] & 0xff) << 8 | (payload[i + 1] & 0xff), readInt(payload, i + 2) & 0xffffffffL);
          }
          frame(out, SETTINGS, ACK, 0, new byte[0]);
        } else if (type == PING && (flags & ACK) == 0 && answerPings) {
          frame(out, PING, ACK, 0, payload);
        }
        out.flush();
      }
      return new Connection(settings, frames, false);
    } catch (EOFException | java.net.SocketException e) {
      return new Connection(settings, frames, true);
    } catch (SocketTimeoutException e) {
      return new Connection(settings, frames, false);
    }
  }

  /** A gRPC request: headers for {@code path} plus {@code extra}, then {@code body} as one DATA frame ending it. */
  static Answer call(int port, String path, String contentType, Map<String, String> extra, byte[] body)
      throws IOException {
    Http2Headers headers = new DefaultHttp2Headers()
        .method("POST").scheme("http").authority("127.0.0.1:" + port).path(path)
        .set("content-type", contentType).set("te", "trailers").set("x-gantry-user", "raw-http2");
    extra.forEach(headers::set);
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(15_000);
      OutputStream out = socket.getOutputStream();
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      frame(out, SETTINGS, 0, 0, new byte[0]);
      writeHeaders(out, encode(headers));
      frame(out, DATA, END_STREAM, STREAM, body);
      out.flush();
      return read(new DataInputStream(socket.getInputStream()), out);
    }
  }

  /** A gRPC message as the wire carries it: uncompressed flag, 4-byte length, then {@code length} bytes declared. */
  static byte[] grpcFrame(byte[] message, int declaredLength) {
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(0);
    frame.write(declaredLength >>> 24);
    frame.write(declaredLength >>> 16);
    frame.write(declaredLength >>> 8);
    frame.write(declaredLength);
    frame.writeBytes(message);
    return frame.toByteArray();
  }

  private static byte[] encode(Http2Headers headers) {
    ByteBuf block = Unpooled.buffer();
    try {
      new DefaultHttp2HeadersEncoder().encodeHeaders(STREAM, headers, block);
      byte[] bytes = new byte[block.readableBytes()];
      block.readBytes(bytes);
      return bytes;
    } catch (Http2Exception e) {
      throw new IllegalStateException(e);
    } finally {
      block.release();
    }
  }

  /** A header block larger than a frame goes on in CONTINUATION frames. */
  private static void writeHeaders(OutputStream out, byte[] block) throws IOException {
    int offset = 0;
    boolean first = true;
    do {
      int length = Math.min(MAX_FRAME, block.length - offset);
      boolean last = offset + length == block.length;
      byte[] part = java.util.Arrays.copyOfRange(block, offset, offset + length);
      frame(out, first ? HEADERS : CONTINUATION, last ? END_HEADERS : 0, STREAM, part);
      offset += length;
      first = false;
    } while (offset < block.length);
  }

  private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
    out.write(new byte[] {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
        (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8),
        (byte) stream});
    out.write(payload);
  }

  private static Answer read(DataInputStream in, OutputStream out) throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(true);
    try {
      while (true) {
        int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int stream = in.readInt() & 0x7fffffff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        if (type == SETTINGS && (flags & ACK) == 0) {
          frame(out, SETTINGS, ACK, 0, new byte[0]);
          out.flush();
        } else if (type == GOAWAY) {
          return new Answer(headers, body.toByteArray(), null, readInt(payload, 4), false);
        } else if (stream == STREAM && type == RST_STREAM) {
          return new Answer(headers, body.toByteArray(), readInt(payload, 0), null, false);
        } else if (stream == STREAM && (type == HEADERS || type == CONTINUATION)) {
          block.writeBytes(payload);
          if ((flags & END_HEADERS) != 0) {
            ByteBuf buffer = Unpooled.wrappedBuffer(block.toByteArray());
            try {
              decoder.decodeHeaders(STREAM, buffer).forEach(h -> headers.put(h.getKey().toString(),
                  h.getValue().toString()));
            } catch (Http2Exception e) {
              throw new IOException(e);
            } finally {
              buffer.release();
            }
            block.reset();
          }
        } else if (stream == STREAM && type == DATA) {
          body.writeBytes(payload);
        }
        if (stream == STREAM && (type == HEADERS || type == DATA) && (flags & END_STREAM) != 0) {
          return new Answer(headers, body.toByteArray(), null, null, true);
        }
      }
    } catch (EOFException | SocketTimeoutException e) {
      return new Answer(headers, body.toByteArray(), null, null, false);
    }
  }

  private static int readInt(byte[] bytes, int offset) {
    return (bytes[offset] & 0xff) << 24 | (bytes[offset + 1] & 0xff) << 16 | (bytes[offset + 2] & 0xff) << 8
        | (bytes[offset + 3] & 0xff);
  }
}
