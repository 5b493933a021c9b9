package io.gantry.server.pinning;

import io.gantry.db.tables.records.ModelVersionRecord;
import io.gantry.server.artifact.ArtifactFile;
import io.gantry.server.artifact.ArtifactService;
import io.gantry.server.audit.Action;
import io.gantry.server.audit.Payload;
import io.gantry.server.common.Names.VersionRef;
import io.gantry.server.common.Transactions;
import io.gantry.server.config.MlflowTracking;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import io.gantry.server.mlflow.MlflowMetadata;
import io.gantry.server.version.Version;
import io.gantry.server.version.VersionRepository;
import io.gantry.server.version.VersionService;
import io.gantry.v1.MlflowFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt at a version's copy: where its source is on the tracking server, its files copied into a scratch
 * directory and uploaded into the store as any upload is, its MLflow files (MLmodel, requirements.txt, conda.yaml,
 * python_env.yaml at the model's root) parsed as registration parses them, and the version finalized. A lasting
 * failure, or a passing one on the last attempt, fails the version with the reason and forgets the files it had
 * attached; a passing one before that is tried again later.
 */
final class VersionPinner {

  /** Who copies, in the audit log. */
  static final String ACTOR = "system:mlflow-pinning";
  private static final Duration MAX_RETRY = Duration.ofMinutes(10);
  private static final Logger log = LoggerFactory.getLogger(VersionPinner.class);

  private final DSLContext dsl;
  private final Transactions transactions;
  private final PinRepository pins;
  private final VersionRepository versions;
  private final ArtifactService artifacts;
  private final TrackingServer server;
  private final SourceLocator locator;
  private final MlflowTracking settings;
  private final Path scratchRoot;

  VersionPinner(DSLContext dsl, Transactions transactions, PinRepository pins, VersionRepository versions,
      ArtifactService artifacts, MlflowTracking settings, Path scratchRoot) {
    this.dsl = dsl;
    this.transactions = transactions;
    this.pins = pins;
    this.versions = versions;
    this.artifacts = artifacts;
    this.server = new TrackingServer(settings);
    this.locator = new SourceLocator(server);
    this.settings = settings;
    this.scratchRoot = scratchRoot;
  }

  /** What an attempt asks of its caller: nothing more, or another attempt after a delay. */
  sealed interface Outcome permits Done, RetryAfter {}

  record Done() implements Outcome {}

  record RetryAfter(Duration delay) implements Outcome {}

  /** @param progress called as bytes arrive and are stored, so that a stalled copy can be told from a slow one */
  Outcome attempt(PinRepository.Claim claim, Runnable progress) throws InterruptedException {
    Optional<PinRepository.PinnedVersion> found = pins.version(dsl, claim.versionId());
    if (found.isEmpty() || !found.get().status().equals(Version.Status.PENDING_UPLOAD.name())) {
      // archived, or failed by the janitor, while it waited: there is nothing left to copy into
      transactions.write(ACTOR, tx -> {
        pins.delete(tx.dsl(), claim.versionId());
        tx.unchanged();
        return null;
      });
      return new Done();
    }
    PinRepository.PinnedVersion version = found.get();
    VersionRef ref = new VersionRef(version.modelId(), version.number());
    if (claim.attempt() > settings.attempts()) {
      // earlier attempts ended without an answer (the server stopped mid-copy, each time): bounded all the same
      fail(version, ref, "gave up after " + settings.attempts() + " attempts that did not finish");
      return new Done();
    }
    try {
      pin(version, ref, progress);
      return new Done();
    } catch (PinFailure e) {
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedException("stopped while copying " + ref.name());
      }
      if (e.passing() && claim.attempt() < settings.attempts()) {
        Duration delay = backoff(claim.attempt());
        transactions.write(ACTOR, tx -> {
          pins.retryAfter(tx.dsl(), version.id(), delay);
          tx.unchanged();
          return null;
        });
        // the status message stays as it is: it changes with audited events only, which is what readers' caches follow
        log.info("Copying the files of {} ({}): attempt {} of {} failed ({}); trying again in {} ms", ref.name(),
            version.source(), claim.attempt(), settings.attempts(), e.getMessage(), delay.toMillis());
        return new RetryAfter(delay);
      }
      fail(version, ref, e.passing() ? "gave up after " + claim.attempt() + " attempts: " + e.getMessage()
          : e.getMessage());
      return new Done();
    }
  }

  private void pin(PinRepository.PinnedVersion version, VersionRef ref, Runnable progress) throws PinFailure {
    transactions.write(ACTOR, tx -> {
      // what an interrupted attempt attached is copied again: the store keeps each blob once anyway
      pins.clearFiles(tx.dsl(), version.id());
      tx.unchanged();
      return null;
    });
    String root = locator.locate(version.source());
    Path scratch = null;
    try {
      scratch = Files.createTempDirectory(Files.createDirectories(scratchRoot), "pin-");
      List<ProxyCopy.CopiedFile> copied = ProxyCopy.copy(server, root, scratch, settings.maxBytes(),
          settings.maxFiles(), progress);
      MlflowFiles mlflowFiles = mlflowFiles(copied);
      MlflowMetadata.Parsed parsed;
      try {
        parsed = MlflowMetadata.parse(mlflowFiles);
      } catch (GantryException e) {
        throw PinFailure.lasting("the model's MLflow files cannot be read: " + e.getMessage());
      }
      upload(ref, copied, progress);
      transactions.write(ACTOR, tx -> {
        ModelVersionRecord row = versions.lockById(tx.dsl(), version.id()).orElseThrow();
        requirePending(row, ref);
        versions.setMlflowFiles(tx.dsl(), version.id(), mlflowFiles, parsed.mlmodel(), parsed.dependencies());
        versions.setStatusMessage(tx.dsl(), version.id(), "");
        tx.record(Action.VERSION_UPDATED, ref.name(), Payload.of("pinned_from", version.source(),
            "tracking_server", server.base().toString(), "artifact_path", root,
            "files_sha256", rootFileDigests(copied)));
        return null;
      });
      artifacts.finalizeVersion(ref, copied.stream().map(f -> new ArtifactFile(f.path(), f.size(), f.sha256()))
          .toList(), ACTOR);
      transactions.write(ACTOR, tx -> {
        pins.delete(tx.dsl(), version.id());
        tx.unchanged();
        return null;
      });
    } catch (IOException e) {
      throw PinFailure.passing("the scratch directory under " + scratchRoot + " failed: " + e.getMessage(), e);
    } catch (GantryException e) {
      if (e.code() == ErrorCode.STORE_UNAVAILABLE) {
        throw PinFailure.passing(e.getMessage(), e);
      }
      throw PinFailure.lasting(e.getMessage());
    } finally {
      deleteRecursively(scratch);
    }
  }

  private void upload(VersionRef ref, List<ProxyCopy.CopiedFile> copied, Runnable progress) throws IOException {
    ArtifactService.Upload upload = artifacts.startUpload(ref, ACTOR);
    byte[] chunk = new byte[ArtifactService.CHUNK_BYTES];
    try {
      for (ProxyCopy.CopiedFile file : copied) {
        upload.beginFile(new ArtifactFile(file.path(), file.size(), file.sha256()));
        try (InputStream in = Files.newInputStream(file.file())) {
          for (int n = in.readNBytes(chunk, 0, chunk.length); n > 0; n = in.readNBytes(chunk, 0, chunk.length)) {
            upload.chunk(n == chunk.length ? chunk : java.util.Arrays.copyOf(chunk, n));
          }
        }
        progress.run();
      }
      upload.finish();
    } finally {
      upload.abort();
    }
  }

  /** Fails the version with {@code reason}; its files no longer hold their blobs. */
  private void fail(PinRepository.PinnedVersion version, VersionRef ref, String reason) {
    transactions.write(ACTOR, tx -> {
      pins.delete(tx.dsl(), version.id());
      Optional<ModelVersionRecord> row = versions.lockById(tx.dsl(), version.id());
      if (row.isEmpty() || !Version.Status.PENDING_UPLOAD.name().equals(row.get().getStatus())) {
        tx.unchanged();
        return null;
      }
      pins.clearFiles(tx.dsl(), version.id());
      versions.setStatus(tx.dsl(), version.id(), Version.Status.FAILED);
      versions.setStatusMessage(tx.dsl(), version.id(), reason);
      versions.touch(tx.dsl(), version.id(), ACTOR);
      tx.record(Action.VERSION_FAILED, ref.name(), Payload.of(
          "before", Payload.of("status", "PENDING_UPLOAD"), "after", Payload.of("status", "FAILED"),
          "reason", reason, "pinned_from", version.source(), "tracking_server", server.base().toString()));
      return null;
    });
  }

  /** The MLflow files at the model's root, as text; each at most what registration takes. */
  private static MlflowFiles mlflowFiles(List<ProxyCopy.CopiedFile> copied) throws IOException, PinFailure {
    MlflowFiles.Builder files = MlflowFiles.newBuilder();
    for (ProxyCopy.CopiedFile file : copied) {
      switch (file.path()) {
        case "MLmodel" -> files.setMlmodel(text(file));
        case "requirements.txt" -> files.setRequirementsTxt(text(file));
        case "conda.yaml" -> files.setCondaYaml(text(file));
        case "python_env.yaml" -> files.setPythonEnvYaml(text(file));
        default -> { }
      }
    }
    return files.build();
  }

  private static String text(ProxyCopy.CopiedFile file) throws IOException, PinFailure {
    if (file.size() > VersionService.MAX_FILE_CHARS * 4L) {
      throw PinFailure.lasting("the model's " + file.path() + " is " + file.size() + " bytes; registration reads at "
          + "most " + VersionService.MAX_FILE_CHARS + " characters of it");
    }
    String text = Files.readString(file.file(), StandardCharsets.UTF_8);
    if (text.length() > VersionService.MAX_FILE_CHARS) {
      throw PinFailure.lasting("the model's " + file.path() + " is " + text.length() + " characters; registration "
          + "reads at most " + VersionService.MAX_FILE_CHARS);
    }
    return text;
  }

  private static Map<String, String> rootFileDigests(List<ProxyCopy.CopiedFile> copied) {
    Map<String, String> digests = new TreeMap<>();
    copied.stream().filter(f -> List.of("MLmodel", "requirements.txt", "conda.yaml", "python_env.yaml")
        .contains(f.path())).forEach(f -> digests.put(f.path(), f.sha256()));
    return digests;
  }

  private static void requirePending(ModelVersionRecord row, VersionRef ref) {
    if (!Version.Status.PENDING_UPLOAD.name().equals(row.getStatus())) {
      throw new GantryException(ErrorCode.VERSION_NOT_MUTABLE, ref.name() + " became " + row.getStatus()
          + " while its files were copied");
    }
  }

  private Duration backoff(int attempt) {
    Duration delay = settings.firstRetry().multipliedBy(1L << Math.min(attempt - 1, 20));
    return delay.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : delay;
  }

  static void deleteRecursively(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a scratch file left behind goes with the next start's scratch directory
    }
  }
}
