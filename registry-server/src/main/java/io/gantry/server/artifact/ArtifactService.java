package io.gantry.server.artifact;

import io.gantry.db.tables.records.ModelVersionRecord;
import io.gantry.policy.ArtifactCheck;
import io.gantry.server.artifact.store.ArtifactStore;
import io.gantry.server.artifact.store.BlobNotFoundException;
import io.gantry.server.artifact.store.DigestMismatchException;
import io.gantry.server.audit.Action;
import io.gantry.server.audit.Payload;
import io.gantry.server.common.Names;
import io.gantry.server.common.Names.VersionRef;
import io.gantry.server.common.Transactions;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import io.gantry.server.version.Version;
import io.gantry.server.version.VersionRepository;
import io.gantry.server.version.VersionService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.jooq.DSLContext;

/**
 * A version's files: uploaded whole into the content-addressed store, checked against their digests, frozen by
 * finalizing, and read back checked. Knows nothing of gRPC.
 */
public final class ArtifactService {

  /** The largest chunk an upload may send, and the size downloads send. */
  public static final int CHUNK_BYTES = 1 << 20;
  static final Duration MAX_URL_TTL = Duration.ofDays(7);
  static final Duration DEFAULT_URL_TTL = Duration.ofMinutes(15);

  private final DSLContext dsl;
  private final Transactions transactions;
  private final ArtifactRepository artifacts;
  private final VersionRepository versions;
  private final ArtifactStore store;

  public ArtifactService(DSLContext dsl, Transactions transactions, ArtifactRepository artifacts,
      VersionRepository versions, ArtifactStore store) {
    this.dsl = dsl;
    this.transactions = transactions;
    this.artifacts = artifacts;
    this.versions = versions;
    this.store = store;
  }

  /** Starts an upload stream into a version that is still PENDING_UPLOAD. */
  public Upload startUpload(VersionRef ref, String actor) {
    requireUploadable(version(dsl, ref));
    return new Upload(ref, actor);
  }

  /**
   * One upload stream: files one after another, each a header and then exactly its bytes. Not thread-safe; a
   * stream's messages arrive one at a time.
   */
  public final class Upload {

    private final VersionRef ref;
    private final String actor;
    private final Set<String> paths = new HashSet<>();
    private final List<ArtifactFile> stored = new ArrayList<>();
    private int deduplicated;
    private ArtifactFile current;
    private ArtifactStore.BlobUpload blob;

    private Upload(VersionRef ref, String actor) {
      this.ref = ref;
      this.actor = actor;
    }

    /** Starts the next file; the previous one must be complete. */
    public void beginFile(ArtifactFile header) {
      requireNoFileOpen();
      ArtifactPaths.check("file.path", header.path());
      ArtifactPaths.checkSha256("file.sha256", header.sha256());
      if (header.size() < 0) {
        throw GantryException.invalid("file.size", "'" + header.path() + "' has a negative size: " + header.size());
      }
      if (!paths.add(header.path())) {
        throw GantryException.invalid("file.path", "'" + Names.printable(header.path())
            + "' is sent twice in this upload; each path once");
      }
      transactions.write(actor, tx -> {
        // bookkeeping of the store, not a change of the registry: the file's event is ARTIFACT_UPLOADED
        artifacts.reserveBlob(tx.dsl(), header.sha256(), header.size());
        tx.unchanged();
        return null;
      });
      current = header;
      try {
        blob = store.begin();
      } catch (IOException e) {
        throw storeFailure(e);
      }
      if (header.size() == 0) {
        completeFile();
      }
    }

    /** Appends bytes to the current file; the file completes when all its bytes have arrived. */
    public void chunk(byte[] bytes) {
      if (current == null) {
        throw GantryException.invalid("chunk", "arrived before any file header; send a file header first");
      }
      if (bytes.length > CHUNK_BYTES) {
        throw GantryException.invalid("chunk", "is " + bytes.length + " bytes; at most " + CHUNK_BYTES);
      }
      if (blob.size() + bytes.length > current.size()) {
        throw GantryException.invalid("chunk", "'" + current.path() + "' is longer than the " + current.size()
            + " bytes its header announced");
      }
      try {
        blob.write(bytes, 0, bytes.length);
      } catch (IOException e) {
        throw storeFailure(e);
      }
      if (blob.size() == current.size()) {
        completeFile();
      }
    }

    /** Ends the stream: every file must be complete. */
    public UploadResult finish() {
      requireNoFileOpen();
      return new UploadResult(List.copyOf(stored), deduplicated);
    }

    /** Discards a file in progress (a stream that failed or was cancelled); what was completed stays. */
    public void abort() {
      closeBlob();
    }

    private void completeFile() {
      ArtifactFile file = current;
      ArtifactStore.StoredBlob committed;
      try {
        committed = blob.commit(file.sha256());
      } catch (DigestMismatchException e) {
        throw GantryException.invalid("file.sha256", "'" + file.path() + "': the bytes received hash to "
            + e.actual() + ", the header says " + file.sha256() + "; the file was not stored");
      } catch (IOException e) {
        throw storeFailure(e);
      } finally {
        closeBlob();
      }
      transactions.write(actor, tx -> {
        ModelVersionRecord row = versions.lock(tx.dsl(), ref.model(), ref.version())
            .orElseThrow(() -> notFound(tx.dsl(), ref));
        requireUploadable(row, ref);
        if (!artifacts.insertFile(tx.dsl(), row.getId(), file)) {
          throw GantryException.invalid("file.path", "'" + Names.printable(file.path()) + "' was already uploaded "
              + "to " + ref.name() + "; each path once");
        }
        artifacts.touchBlob(tx.dsl(), file.sha256(), file.size());
        tx.record(Action.ARTIFACT_UPLOADED, ref.name(), Payload.of("path", file.path(), "size", file.size(),
            "sha256", file.sha256(), "deduplicated", committed.deduplicated()));
        return null;
      });
      stored.add(file);
      deduplicated += committed.deduplicated() ? 1 : 0;
    }

    private void requireNoFileOpen() {
      if (current != null) {
        throw GantryException.invalid("file", "'" + current.path() + "' is incomplete: " + blob.size() + " of "
            + current.size() + " bytes arrived");
      }
    }

    private void closeBlob() {
      current = null;
      if (blob != null) {
        try {
          blob.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } finally {
          blob = null;
        }
      }
    }
  }

  /** What an upload stream stored. */
  public record UploadResult(List<ArtifactFile> files, int deduplicated) {}

  /**
   * Makes a version READY when {@code expected} is exactly what was uploaded and every blob is in the store; from
   * then on nothing under the version changes. Finalizing again with the same manifest changes nothing.
   */
  public Manifest finalizeVersion(VersionRef ref, List<ArtifactFile> expected, String actor) {
    if (expected.isEmpty()) {
      throw GantryException.invalid("files", "is empty; a version holds at least one file");
    }
    Map<String, ArtifactFile> byPath = new TreeMap<>();
    for (int i = 0; i < expected.size(); i++) {
      ArtifactFile file = expected.get(i);
      ArtifactPaths.check("files[" + i + "].path", file.path());
      ArtifactPaths.checkSha256("files[" + i + "].sha256", file.sha256());
      if (byPath.put(file.path(), file) != null) {
        throw GantryException.invalid("files[" + i + "].path", "'" + file.path() + "' is listed twice");
      }
    }
    Manifest manifest = new Manifest(ref.name(), List.copyOf(byPath.values()), Optional.empty());
    String digest = manifest.computeDigest();
    return transactions.write(actor, tx -> {
      ModelVersionRecord row = versions.lock(tx.dsl(), ref.model(), ref.version())
          .orElseThrow(() -> notFound(tx.dsl(), ref));
      if (Version.Status.READY.name().equals(row.getStatus()) && digest.equals(row.getManifestDigest())) {
        tx.unchanged();
        return new Manifest(ref.name(), manifest.files(), Optional.of(digest));
      }
      requireUploadable(row, ref);
      List<ArtifactFile> uploaded = artifacts.files(tx.dsl(), row.getId());
      String mismatch = mismatch(manifest.files(), uploaded);
      if (!mismatch.isEmpty()) {
        throw new GantryException(ErrorCode.MANIFEST_MISMATCH, ref.name() + " cannot be finalized: " + mismatch);
      }
      for (String sha256 : uploaded.stream().map(ArtifactFile::sha256).collect(Collectors.toSet())) {
        if (!blobExists(sha256)) {
          throw new GantryException(ErrorCode.ARTIFACT_CORRUPTED, ref.name() + " cannot be finalized: blob sha256:"
              + sha256 + " is missing from the artifact store; upload that file again to a new version");
        }
      }
      artifacts.markReady(tx.dsl(), row.getId(), digest);
      tx.record(Action.VERSION_FINALIZED, ref.name(), Payload.of("manifest_digest", digest,
          "files", manifest.files().size(), "total_size", manifest.totalSize(),
          "before", Payload.of("status", row.getStatus()), "after", Payload.of("status", "READY")));
      return new Manifest(ref.name(), manifest.files(), Optional.of(digest));
    });
  }

  public Manifest list(VersionRef ref) {
    Version version = version(dsl, ref);
    return new Manifest(ref.name(), artifacts.files(dsl, version.id()), version.manifestDigest());
  }

  /** Opens a file of a finalized version for a checked read. */
  public ArtifactReader open(VersionRef ref, String path) {
    ArtifactFile file = finalizedFile(ref, path);
    try {
      return new ArtifactReader(ref.name(), file, store.open(file.sha256()));
    } catch (BlobNotFoundException e) {
      throw new GantryException(ErrorCode.ARTIFACT_CORRUPTED, ref.name() + " file '" + path + "' is missing from "
          + "the artifact store (blob sha256:" + file.sha256() + ")");
    } catch (IOException e) {
      throw storeFailure(e);
    }
  }

  /**
   * Reads every stored file of a finalized version back from the store and hashes it again, for the
   * {@code artifact-integrity} policy. A file that is missing or differs is a problem in the result, not an error;
   * a store that cannot be reached is an error (retryable), so an outage never reads as corruption.
   */
  public ArtifactCheck verify(Version version) {
    if (!version.managedArtifacts() || version.manifestDigest().isEmpty()) {
      return ArtifactCheck.unmanaged();
    }
    List<ArtifactFile> files = artifacts.files(dsl, version.id());
    List<String> problems = new ArrayList<>();
    long bytes = 0;
    byte[] buffer = new byte[CHUNK_BYTES];
    for (ArtifactFile file : files) {
      try (ArtifactReader reader = new ArtifactReader(version.name(), file, store.open(file.sha256()))) {
        for (int n = reader.read(buffer); n >= 0; n = reader.read(buffer)) {
          bytes += n;
        }
      } catch (BlobNotFoundException e) {
        problems.add(file.path() + ": missing from the artifact store (blob sha256:" + file.sha256() + ")");
      } catch (IOException e) {
        throw storeFailure(e);
      } catch (GantryException e) {
        if (e.code() != ErrorCode.ARTIFACT_CORRUPTED) {
          throw e;
        }
        problems.add(e.getMessage());
      }
    }
    return new ArtifactCheck(version.manifestDigest(), files.size(), bytes, problems);
  }

  /** A presigned URL of a finalized version's file. */
  public DownloadUrl downloadUrl(VersionRef ref, String path, Optional<Duration> requestedTtl) {
    Duration ttl = requestedTtl.orElse(DEFAULT_URL_TTL);
    if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_URL_TTL) > 0) {
      throw GantryException.invalid("ttl", "must be more than 0 and at most 7 days, got " + ttl);
    }
    ArtifactFile file = finalizedFile(ref, path);
    String fileName = path.substring(path.lastIndexOf('/') + 1);
    try {
      URI url = store.presignedDownload(file.sha256(), ttl, fileName).orElseThrow(() -> new GantryException(
          ErrorCode.PRESIGN_UNSUPPORTED, "the " + store.describe() + " artifact store cannot presign URLs; "
              + "download through DownloadArtifact instead"));
      return new DownloadUrl(url, ttl, file);
    } catch (IOException e) {
      throw storeFailure(e);
    }
  }

  /** A presigned URL, valid for {@code ttl} from now. */
  public record DownloadUrl(URI url, Duration ttl, ArtifactFile file) {}

  private ArtifactFile finalizedFile(VersionRef ref, String path) {
    ArtifactPaths.check("path", path);
    Version version = version(dsl, ref);
    if (!version.managedArtifacts()) {
      throw new GantryException(ErrorCode.ARTIFACT_NOT_FOUND, ref.name() + " holds no files in the registry; "
          + "its model lives at " + (version.source().isEmpty() ? "no recorded source" : version.source()));
    }
    if (version.manifestDigest().isEmpty()) {
      throw new GantryException(ErrorCode.VERSION_NOT_MUTABLE, ref.name() + " is " + version.status()
          + "; its files can be read once it is finalized");
    }
    return artifacts.file(dsl, version.id(), path).orElseThrow(() -> new GantryException(
        ErrorCode.ARTIFACT_NOT_FOUND, ref.name() + " has no file '" + Names.printable(path) + "'"));
  }

  private static String mismatch(List<ArtifactFile> expected, List<ArtifactFile> uploaded) {
    Map<String, ArtifactFile> stored = uploaded.stream()
        .collect(Collectors.toMap(ArtifactFile::path, f -> f, (a, b) -> a, TreeMap::new));
    List<String> problems = new ArrayList<>();
    for (ArtifactFile file : expected) {
      ArtifactFile have = stored.remove(file.path());
      if (have == null) {
        problems.add("'" + file.path() + "' was never uploaded");
      } else if (!have.equals(file)) {
        problems.add("'" + file.path() + "' was uploaded as " + have.size() + " bytes sha256 " + have.sha256()
            + ", the manifest says " + file.size() + " bytes sha256 " + file.sha256());
      }
    }
    stored.keySet().forEach(path -> problems.add("'" + path + "' was uploaded but is not in the manifest"));
    return String.join("; ", problems);
  }

  private boolean blobExists(String sha256) {
    try {
      return store.exists(sha256);
    } catch (IOException e) {
      throw storeFailure(e);
    }
  }

  private Version version(DSLContext ctx, VersionRef ref) {
    return versions.find(ctx, ref.model(), ref.version()).orElseThrow(() -> notFound(ctx, ref));
  }

  private GantryException notFound(DSLContext ctx, VersionRef ref) {
    return VersionService.notFound(versions, ctx, ref);
  }

  private static void requireUploadable(Version version) {
    requireUploadable(version.managedArtifacts(), version.status().name(), version.name());
  }

  private static void requireUploadable(ModelVersionRecord row, VersionRef ref) {
    requireUploadable(row.getManagedArtifacts(), row.getStatus(), ref.name());
  }

  private static void requireUploadable(boolean managed, String status, String name) {
    if (!managed) {
      throw new GantryException(ErrorCode.VERSION_NOT_MUTABLE, name + " was registered without managed artifacts "
          + "(it points at its source); register a version with managed_artifacts to upload files");
    }
    if (!Version.Status.PENDING_UPLOAD.name().equals(status)) {
      throw new GantryException(ErrorCode.VERSION_NOT_MUTABLE, name + " is " + status
          + "; files can be uploaded only while it is PENDING_UPLOAD, and never change after it is finalized");
    }
  }

  /** The store failed (unreachable, refused): retryable, and never a partial result. */
  static GantryException storeFailure(IOException e) {
    return new GantryException(ErrorCode.STORE_UNAVAILABLE, "the artifact store failed: " + e.getMessage()
        + "; retry with backoff", List.of(), e);
  }
}
