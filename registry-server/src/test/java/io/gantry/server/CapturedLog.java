package io.gantry.server;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What the server logs while this is open: slf4j-simple writes to {@code System.err} as it is at each line, so
 * the stream is replaced by one that still prints everything and also keeps a copy.
 */
public final class CapturedLog implements AutoCloseable {

  private final PrintStream original = System.err;
  private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

  public CapturedLog() {
    OutputStream both = new OutputStream() {
      @Override
      public void write(int b) {
        original.write(b);
        synchronized (copy) {
          copy.write(b);
        }
      }

      @Override
      public void write(byte[] bytes, int offset, int length) {
        original.write(bytes, offset, length);
        synchronized (copy) {
          copy.write(bytes, offset, length);
        }
      }
    };
    System.setErr(new PrintStream(both, true, StandardCharsets.UTF_8));
  }

  /** Everything logged so far. */
  public String text() {
    synchronized (copy) {
      return copy.toString(StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    System.setErr(original);
  }
}
