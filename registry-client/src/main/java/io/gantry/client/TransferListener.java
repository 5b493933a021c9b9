package io.gantry.client;

/**
 * Hears how a transfer of files goes, for progress reports. Called on the thread that moves the bytes, between
 * chunks: keep it quick.
 */
public interface TransferListener {

  /** Hears nothing. */
  TransferListener NONE = new TransferListener() {
    @Override
    public void fileStarted(String path, long size) {}

    @Override
    public void transferred(long bytes) {}
  };

  /** The next file, by its path in the version, is about to be read, sent or received. */
  void fileStarted(String path, long size);

  /** {@code bytes} more of the current file were read, sent or received. */
  void transferred(long bytes);
}
