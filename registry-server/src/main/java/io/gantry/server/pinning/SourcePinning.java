package io.gantry.server.pinning;

import io.gantry.server.artifact.ArtifactService;
import io.gantry.server.common.Names;
import io.gantry.server.common.Names.VersionRef;
import io.gantry.server.common.Transactions;
import io.gantry.server.config.MlflowTracking;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import io.gantry.server.version.Version;
import io.gantry.server.version.VersionRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.Duration;
import java.util.Optional;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The room's door: which sources are pinned, the copy a new version asks for, and the background copies. A copy is
 * a row of {@code mlflow_pin} leased to one replica at a time and renewed while it runs; closing gives its leases
 * back, so the next start (or another replica) resumes at once, and a crash's lapse after {@link #LEASE}; a copy
 * that stalls (nothing received or stored for {@link #STALL}) is cut off and its lease left to lapse. Each claim
 * counts as an attempt, so a version is never pending forever: after the last attempt it fails (and the janitor's
 * upload timeout stands behind that too).
 */
public final class SourcePinning implements AutoCloseable {

  static final Duration LEASE = Duration.ofMinutes(2);
  /** A copy that receives and stores nothing for this long is cut off, and taken again as another attempt. */
  static final Duration STALL = Duration.ofMinutes(2);
  private static final Duration POLL = Duration.ofSeconds(5);
  private static final int COPIES = 2;
  private static final Logger log = LoggerFactory.getLogger(SourcePinning.class);

  private final Optional<MlflowTracking> settings;
  private final DSLContext dsl;
  private final Transactions transactions;
  private final VersionRepository versions;
  private final PinRepository pins = new PinRepository();
  private final VersionPinner pinner;
  private final String owner = UUID.randomUUID().toString();
  private final Path scratch;
  private final Semaphore free = new Semaphore(COPIES);
  private final Map<Long, Copy> running = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler;
  private final ExecutorService copies;
  private volatile boolean closing;

  /** A copy in progress: the thread it runs on, and when it last received or stored something. */
  private record Copy(Thread thread, AtomicLong lastProgress) {}

  private SourcePinning(Optional<MlflowTracking> settings, DSLContext dsl, Transactions transactions,
      VersionRepository versions, ArtifactService artifacts, Path scratch) {
    this.settings = settings;
    this.dsl = dsl;
    this.transactions = transactions;
    this.versions = versions;
    this.scratch = scratch.resolve(owner);
    this.pinner = settings.map(s -> new VersionPinner(dsl, transactions, pins, versions, artifacts, s,
        this.scratch)).orElse(null);
    this.scheduler = settings.isEmpty() ? null : Executors.newSingleThreadScheduledExecutor(daemon("poll"));
    this.copies = settings.isEmpty() ? null : Executors.newFixedThreadPool(COPIES, daemon("copy"));
  }

  /**
   * Starts the background copies when {@code settings} names a tracking server; without it nothing is pinned.
   *
   * @param scratch where files wait between the tracking server and the store
   */
  public static SourcePinning start(Optional<MlflowTracking> settings, DSLContext dsl, Transactions transactions,
      VersionRepository versions, ArtifactService artifacts, Path scratch) {
    SourcePinning pinning = new SourcePinning(settings, dsl, transactions, versions, artifacts, scratch);
    if (pinning.scheduler != null) {
      sweepScratch(scratch);
      pinning.scheduler.scheduleWithFixedDelay(pinning::drain, 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
      pinning.scheduler.scheduleWithFixedDelay(pinning::renewAll, LEASE.toMillis() / 4, LEASE.toMillis() / 4,
          TimeUnit.MILLISECONDS);
    }
    return pinning;
  }

  /**
   * Whether a version registered through MLflow's REST API with {@code source} is pinned: its files copied in
   * before it is READY. Only with a tracking server configured, and only for {@code runs:/}, {@code models:/m-…},
   * {@code mlflow-artifacts:} and artifact proxy URLs.
   */
  public boolean pins(String source) {
    return settings.isPresent() && SourceLocator.pins(source);
  }

  /**
   * Asks for the copy of {@code versionName}, created PENDING_UPLOAD with managed artifacts for a source
   * {@link #pins} accepted, and starts it.
   */
  public void pin(String versionName, String source) {
    VersionRef ref = Names.parseVersionName("name", versionName);
    transactions.write(VersionPinner.ACTOR, tx -> {
      var row = versions.lock(tx.dsl(), ref.model(), ref.version()).orElseThrow(() ->
          new GantryException(ErrorCode.VERSION_NOT_FOUND, versionName + " is gone"));
      if (!row.getManagedArtifacts() || !Version.Status.PENDING_UPLOAD.name().equals(row.getStatus())) {
        throw new IllegalStateException(versionName + " is " + row.getStatus() + ", not awaiting its files");
      }
      pins.insert(tx.dsl(), row.getId());
      versions.setStatusMessage(tx.dsl(), row.getId(), "Gantry is copying the files of " + source
          + " from the tracking server " + settings.orElseThrow().uri());
      // bookkeeping: the copy's own events (files uploaded, version finalized or failed) are what is audited
      tx.unchanged();
      return null;
    });
    if (!closing) {
      scheduler.execute(this::drain);
    }
  }

  /** Takes copies whose leases lapsed while this replica has room for them. */
  private void drain() {
    if (closing) {
      return;
    }
    try {
      while (free.tryAcquire()) {
        Optional<PinRepository.Claim> claim = transactions.write(VersionPinner.ACTOR, tx -> {
          tx.unchanged();
          return pins.claim(tx.dsl(), owner, LEASE);
        });
        if (claim.isEmpty()) {
          free.release();
          return;
        }
        copies.execute(() -> run(claim.get()));
      }
    } catch (RuntimeException e) {
      free.release();
      log.warn("Could not look for files to pin: {}", e.toString());
    }
  }

  private void run(PinRepository.Claim claim) {
    AtomicLong lastProgress = new AtomicLong(System.nanoTime());
    running.put(claim.versionId(), new Copy(Thread.currentThread(), lastProgress));
    try {
      VersionPinner.Outcome outcome = pinner.attempt(claim, () -> lastProgress.set(System.nanoTime()));
      if (outcome instanceof VersionPinner.RetryAfter retry && !closing) {
        scheduler.schedule(this::drain, retry.delay().toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      if (!closing) {
        // the lease lapses and the copy is taken again, as an attempt of its own
        log.warn("Pinning the files of version row {} failed unexpectedly; retried when its lease lapses",
            claim.versionId(), e);
      }
    } finally {
      running.remove(claim.versionId());
      free.release();
      if (!closing) {
        scheduler.execute(this::drain);
      }
    }
  }

  /** Keeps the leases of copies that make progress; cuts off those stalled (their leases then lapse). */
  private void renewAll() {
    running.forEach((versionId, copy) -> {
      if (System.nanoTime() - copy.lastProgress().get() > STALL.toNanos()) {
        log.warn("The copy of version row {} received nothing for {}; cutting it off", versionId, STALL);
        copy.thread().interrupt();
        return;
      }
      try {
        pins.renew(dsl, versionId, owner, LEASE);
      } catch (RuntimeException e) {
        log.warn("Could not renew the lease of the copy of version row {}: {}", versionId, e.toString());
      }
    });
  }

  /** Stops the copies in progress and gives their leases back, for the next start or another replica. */
  @Override
  public void close() {
    if (scheduler == null || closing) {
      return;
    }
    closing = true;
    scheduler.shutdownNow();
    copies.shutdownNow();
    try {
      if (!copies.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("Copies of pinned files still running after 10 s; their leases lapse in {}", LEASE);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    VersionPinner.deleteRecursively(scratch);
    try {
      pins.release(dsl, owner);
    } catch (RuntimeException e) {
      log.warn("Could not give back the leases of copies in progress; they lapse in {}: {}", LEASE, e.toString());
    }
  }

  /**
   * Deletes what crashed servers left in the scratch directory: each server copies under a directory of its own
   * (replicas may share a data directory), so only those untouched for a day are taken to be abandoned.
   */
  private static void sweepScratch(Path root) {
    Instant abandoned = Instant.now().minus(Duration.ofDays(1));
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.toList()) {
        if (Files.getLastModifiedTime(dir).toInstant().isBefore(abandoned)) {
          VersionPinner.deleteRecursively(dir);
        }
      }
    } catch (NoSuchFileException e) {
      // nothing was ever copied here
    } catch (IOException e) {
      log.warn("Could not clear the scratch directory {}: {}", root, e.toString());
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String role) {
    return r -> {
      Thread thread = new Thread(r, "gantry-mlflow-pin-" + role);
      thread.setDaemon(true);
      return thread;
    };
  }
}
