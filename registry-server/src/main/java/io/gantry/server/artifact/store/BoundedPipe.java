package io.gantry.server.artifact.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.BooleanSupplier;

/**
 * Bytes handed from one writing thread to one reading thread through a fixed ring buffer, so a stream of any length
 * holds at most {@code capacity} bytes here. The writer blocks while the ring is full, the reader while it is empty.
 *
 * <p>Unlike {@link java.io.PipedInputStream}, it does not tie either end to a thread: the MinIO client reads from
 * whichever pool thread runs its next step. Its waits go through {@link ForkJoinPool#managedBlock}, so a reader
 * waiting on a slow uploader inside the common pool makes the pool add a thread instead of starving other work.
 */
final class BoundedPipe {

  private final byte[] ring;
  private int start;
  private int count;
  private boolean writerClosed;
  private String brokenBecause;

  BoundedPipe(int capacity) {
    this.ring = new byte[capacity];
  }

  /** Copies the bytes in, waiting for room; fails once the pipe is broken. */
  void write(byte[] bytes, int offset, int length) throws IOException {
    int written = 0;
    while (written < length) {
      synchronized (this) {
        await(() -> count < ring.length || brokenBecause != null);
        failIfBroken();
        int end = (start + count) % ring.length;
        int room = Math.min(ring.length - count, ring.length - end);
        int chunk = Math.min(room, length - written);
        System.arraycopy(bytes, offset + written, ring, end, chunk);
        count += chunk;
        written += chunk;
        notifyAll();
      }
    }
  }

  /** Ends the stream: the reader sees end of input once it has read everything written. */
  synchronized void closeWriter() {
    writerClosed = true;
    notifyAll();
  }

  /** Fails every later read and write with {@code reason}; a no-op once broken. */
  synchronized void breakPipe(String reason) {
    if (brokenBecause == null) {
      brokenBecause = reason;
      notifyAll();
    }
  }

  /** The reading end. */
  InputStream reader() {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] bytes, int offset, int length) throws IOException {
        if (length == 0) {
          return 0;
        }
        synchronized (BoundedPipe.this) {
          await(() -> count > 0 || writerClosed || brokenBecause != null);
          failIfBroken();
          if (count == 0) {
            return -1;
          }
          int chunk = Math.min(Math.min(length, count), ring.length - start);
          System.arraycopy(ring, start, bytes, offset, chunk);
          start = (start + chunk) % ring.length;
          count -= chunk;
          BoundedPipe.this.notifyAll();
          return chunk;
        }
      }
    };
  }

  private void failIfBroken() throws IOException {
    if (brokenBecause != null) {
      throw new IOException(brokenBecause);
    }
  }

  /** Waits on this pipe's monitor, which the caller holds, until {@code ready}. */
  private void await(BooleanSupplier ready) throws InterruptedIOException {
    try {
      ForkJoinPool.managedBlock(new ForkJoinPool.ManagedBlocker() {
        @Override
        public boolean block() throws InterruptedException {
          while (!ready.getAsBoolean()) {
            BoundedPipe.this.wait();
          }
          return true;
        }

        @Override
        public boolean isReleasable() {
          return ready.getAsBoolean();
        }
      });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting on the upload stream");
    }
  }
}
