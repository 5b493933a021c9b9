package io.gantry.server.artifact;

import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.gantry.server.artifact.Transfers.Upload;
import io.gantry.server.artifact.store.S3TestServer;
import io.gantry.v1.ArtifactsGrpc;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.DownloadArtifactRequest;
import io.gantry.v1.DownloadArtifactResponse;
import io.gantry.v1.FinalizeVersionRequest;
import io.gantry.v1.ModelVersion;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Figures for docs/BENCHMARKS.md (not a test): upload and download throughput of one large file and of many
 * small ones, through a real server on the filesystem store and on an S3 server in this JVM, next to a plain copy
 * of the same bytes on the same disk (write, then fsync) as the ceiling. See docs/BENCHMARKS.md for the command.
 */
public final class ArtifactBenchmark {

  private ArtifactBenchmark() {}

  public static void main(String[] args) throws Exception {
    long largeBytes = (args.length > 0 ? Long.parseLong(args[0]) : 1024) << 20;
    int smallFiles = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int smallBytes = args.length > 2 ? Integer.parseInt(args[2]) : 64 << 10;
    Path work = TestRegistry.tempDir("gantry-artifact-bench");
    try {
      Path large = work.resolve("source/large.bin");
      Files.createDirectories(large.getParent());
      copy(new Transfers.GeneratedBytes(largeBytes, 1), large);
      List<Path> small = new ArrayList<>();
      for (int i = 0; i < smallFiles; i++) {
        Path file = work.resolve("source/small/" + i + ".bin");
        Files.createDirectories(file.getParent());
        copy(new Transfers.GeneratedBytes(smallBytes, 1000 + i), file);
        small.add(file);
      }
      List<Upload> largeUpload = List.of(upload(large, "model/large.bin"));
      List<Upload> smallUploads = new ArrayList<>();
      for (int i = 0; i < small.size(); i++) {
        smallUploads.add(upload(small.get(i), "model/small/" + i + ".bin"));
      }
      System.out.printf("%,d MiB in one file; %,d files of %,d KiB%n", largeBytes >> 20, smallFiles, smallBytes >> 10);

      double largeCopy = plainCopy(List.of(large), work.resolve("copy-large"));
      double smallCopy = plainCopy(small, work.resolve("copy-small"));
      report("plain copy (ceiling)", largeCopy, largeCopy, smallCopy, smallCopy, largeCopy, smallCopy);

      Path fsData = work.resolve("fs-server");
      try (GantryServer server = TestRegistry.start(fsData, Map.of())) {
        measure("filesystem store", server, work.resolve("download-fs"), largeUpload, smallUploads, largeCopy,
            smallCopy);
      }
      Path s3Data = work.resolve("s3-data");
      Files.createDirectories(s3Data);
      try (S3TestServer s3 = S3TestServer.start(s3Data);
          GantryServer server = TestRegistry.start(work.resolve("s3-server"), s3.environment("bench"))) {
        measure("S3 (S3Proxy in the JVM)", server, work.resolve("download-s3"), largeUpload, smallUploads, largeCopy,
            smallCopy);
      }
    } finally {
      TestRegistry.deleteRecursively(work);
    }
  }

  private static void measure(String store, GantryServer server, Path downloads, List<Upload> large,
      List<Upload> small, double largeCeiling, double smallCeiling) throws IOException {
    ManagedChannel channel = TestRegistry.connect(server);
    try {
      TestRegistry.registry(channel, "bench").createModel(CreateModelRequest.newBuilder().setModelId("bench").build());
      ModelVersion largeVersion = version(channel);
      double largeUp = timed(large, () -> Transfers.upload(channel, "bench", largeVersion.getName(), large,
          Long.MAX_VALUE));
      finalizeWith(channel, largeVersion, large);
      double largeDown = timed(large, () -> download(channel, largeVersion, large, downloads.resolve("large")));
      ModelVersion smallVersion = version(channel);
      double smallUp = timed(small, () -> Transfers.upload(channel, "bench", smallVersion.getName(), small,
          Long.MAX_VALUE));
      finalizeWith(channel, smallVersion, small);
      double smallDown = timed(small, () -> download(channel, smallVersion, small, downloads.resolve("small")));
      report(store, largeUp, largeDown, smallUp, smallDown, largeCeiling, smallCeiling);
    } finally {
      channel.shutdownNow();
    }
  }

  private static void report(String what, double largeUp, double largeDown, double smallUp, double smallDown,
      double largeCeiling, double smallCeiling) {
    System.out.printf("%-26s large: upload %7.1f MiB/s (%.2f of copy), download %7.1f MiB/s (%.2f); "
            + "small: upload %7.1f MiB/s (%.2f), download %7.1f MiB/s (%.2f)%n", what,
        largeUp, largeUp / largeCeiling, largeDown, largeDown / largeCeiling,
        smallUp, smallUp / smallCeiling, smallDown, smallDown / smallCeiling);
  }

  /** MiB/s of {@code work} over the files' bytes. */
  private static double timed(List<Upload> files, Runnable work) {
    long bytes = files.stream().mapToLong(f -> f.header().getSize()).sum();
    long started = System.nanoTime();
    work.run();
    return bytes / 1048576.0 / ((System.nanoTime() - started) / 1e9);
  }

  /** Every file through DownloadArtifact into {@code dir}, each written and fsynced as the CLI does. */
  private static void download(ManagedChannel channel, ModelVersion version, List<Upload> files, Path dir) {
    var stub = TestRegistry.as(ArtifactsGrpc.newBlockingStub(channel), "bench");
    try {
      for (Upload file : files) {
        Path target = dir.resolve(file.header().getPath());
        Files.createDirectories(target.getParent());
        Iterator<DownloadArtifactResponse> stream = stub.downloadArtifact(DownloadArtifactRequest.newBuilder()
            .setVersion(version.getName()).setPath(file.header().getPath()).build());
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
          stream.next();
          while (stream.hasNext()) {
            for (ByteBuffer buffer : stream.next().getChunk().asReadOnlyByteBufferList()) {
              out.write(buffer);
            }
          }
          out.force(true);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The ceiling: the same bytes copied file by file on the same disk, each fsynced. */
  private static double plainCopy(List<Path> files, Path dir) throws IOException {
    long bytes = 0;
    long started = System.nanoTime();
    for (Path file : files) {
      Path target = dir.resolve(file.getFileName());
      Files.createDirectories(dir);
      try (InputStream in = Files.newInputStream(file)) {
        bytes += copy(in, target);
      }
    }
    return bytes / 1048576.0 / ((System.nanoTime() - started) / 1e9);
  }

  private static long copy(InputStream in, Path target) throws IOException {
    long bytes;
    try (FileChannel channel = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
      bytes = in.transferTo(out);
      out.flush();
      channel.force(true);
    }
    return bytes;
  }

  private static Upload upload(Path file, String path) {
    try (InputStream in = Files.newInputStream(file)) {
      return new Upload(io.gantry.v1.ArtifactFile.newBuilder().setPath(path).setSize(Files.size(file))
          .setSha256(Transfers.sha256(in)).build(), () -> {
            try {
              return Files.newInputStream(file);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ModelVersion version(ManagedChannel channel) {
    return TestRegistry.registry(channel, "bench").createModelVersion(CreateModelVersionRequest.newBuilder()
        .setParent("models/bench").setManagedArtifacts(true).build());
  }

  private static void finalizeWith(ManagedChannel channel, ModelVersion version, List<Upload> files) {
    TestRegistry.as(ArtifactsGrpc.newBlockingStub(channel), "bench").finalizeVersion(FinalizeVersionRequest
        .newBuilder().setName(version.getName()).addAllFiles(files.stream().map(Upload::header).toList()).build());
  }
}
