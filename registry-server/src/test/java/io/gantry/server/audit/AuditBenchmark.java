package io.gantry.server.audit;

import static io.gantry.db.Tables.MODEL_VERSION;
import static io.gantry.db.Tables.REGISTERED_MODEL;

import io.gantry.server.TestRegistry;
import io.gantry.server.common.CommitHook;
import io.gantry.server.common.RequestKey;
import io.gantry.server.common.Transactions;
import io.gantry.server.config.Database;
import io.gantry.server.config.ServerConfig;
import io.gantry.server.query.PageTokens;
import io.gantry.server.version.Version;
import io.gantry.server.version.VersionRepository;
import io.gantry.server.version.VersionService;
import io.gantry.tlog.NoteSigner;
import io.gantry.v1.MlflowFiles;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Figures for docs/BENCHMARKS.md (not a test): the share of a create's transaction spent appending
 * its audit event, proof generation per second, and full verification events per second over a
 * large log. Runs on its own embedded PostgreSQL; see docs/BENCHMARKS.md for the command.
 */
public final class AuditBenchmark {

  private AuditBenchmark() {}

  public static void main(String[] args) {
    int creates = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
    int logSize = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    Path dir = TestRegistry.tempDir("gantry-audit-bench");
    try (Database database = Database.open(ServerConfig.fromEnvironment(Map.of("GANTRY_DATA_DIR", dir.toString())),
        new SimpleMeterRegistry())) {
      DSLContext dsl = database.dsl();
      AuditLog log = new AuditLog(events -> { });
      long modelId = dsl.insertInto(REGISTERED_MODEL).set(REGISTERED_MODEL.NAME, "bench")
          .set(REGISTERED_MODEL.CREATED_BY, "bench").set(REGISTERED_MODEL.UPDATED_BY, "bench")
          .returningResult(REGISTERED_MODEL.ID).fetchOne().value1();

      appendShare(dsl, log, modelId, creates / 3); // warm-up
      double appendMillis = appendShare(dsl, log, modelId, creates);
      serviceCreates(dsl, log, creates / 3); // warm-up
      double createMillis = serviceCreates(dsl, log, creates);
      System.out.printf("audit append %.2f ms of a %.2f ms create through VersionService: %.0f%%%n", appendMillis,
          createMillis, 100 * appendMillis / createMillis);

      long existing = new AuditRepository(dsl).head().size();
      long started = System.nanoTime();
      for (long appended = existing; appended < logSize; appended += 1000) {
        List<AuditEntry> batch = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
          batch.add(new AuditEntry(Action.TAG_SET, "models/bench", Payload.of("key", "k", "before", null, "after", "v")));
        }
        dsl.transaction(c -> log.append(c.dsl(), "bench", "", batch));
      }
      AuditRepository audit = new AuditRepository(dsl);
      long size = audit.head().size();
      System.out.printf("log of %,d events built in %.1f s%n", size, (System.nanoTime() - started) / 1e9);

      try (Checkpointer checkpointer = new Checkpointer(audit, NoteSigner.generate("bench.local/audit"),
          "bench.local/audit", Long.MAX_VALUE, Duration.ofDays(1))) {
        checkpointer.publish();
        AuditService service = new AuditService(audit, checkpointer, PageTokens.load(dsl));
        Random random = new Random(42);
        for (int round = 0; round < 2; round++) {
          int proofs = 2000;
          long t0 = System.nanoTime();
          for (int i = 0; i < proofs; i++) {
            service.inclusion(random.nextLong(size), size);
          }
          long t1 = System.nanoTime();
          for (int i = 0; i < proofs; i++) {
            service.consistency(1 + random.nextLong(size - 1), size);
          }
          long t2 = System.nanoTime();
          System.out.printf("round %d: inclusion proofs %.0f/s, consistency proofs %.0f/s (tree of %,d)%n", round,
              proofs / ((t1 - t0) / 1e9), proofs / ((t2 - t1) / 1e9), size);
        }
        long t0 = System.nanoTime();
        AuditService.Verdict verdict = service.verify(0, 0);
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("full verification: ok=%s, %,d events in %.1f s = %,.0f events/s%n", verdict.ok(),
            verdict.eventsChecked(), seconds, verdict.eventsChecked() / seconds);
      }
    } finally {
      TestRegistry.deleteRecursively(dir);
    }
  }

  /** Creates with an MLmodel through the production service path (without gRPC); returns ms per create. */
  private static double serviceCreates(DSLContext dsl, AuditLog log, int creates) {
    VersionService versions = new VersionService(dsl, new Transactions(dsl, log, CommitHook.NONE), new VersionRepository(),
        PageTokens.load(dsl));
    MlflowFiles files = MlflowFiles.newBuilder().setMlmodel(TestRegistry.mlflowFixture("mlmodel/sklearn-wine_mlflow-2.13.1.MLmodel"))
        .setRequirementsTxt(TestRegistry.mlflowFixture("env/sklearn_mlflow-1.30.1.requirements.txt")).build();
    long started = System.nanoTime();
    for (int i = 0; i < creates; i++) {
      versions.create("bench", new Version.Draft("s3://bench/model", "", "", "", "", Map.of("git_commit", "3f2a1bc"),
          files, false),
          RequestKey.of("CreateModelVersion", UUID.randomUUID().toString(), new byte[32]), "bench");
    }
    double millis = (System.nanoTime() - started) / 1e6 / creates;
    System.out.printf("%,d creates through VersionService: %.0f/s%n", creates, 1000 / millis);
    return millis;
  }

  /**
   * The database work of a version create (allocate the number, insert the row) with its audit
   * append, one transaction each; prints the share of the transaction spent in the append.
   */
  private static double appendShare(DSLContext dsl, AuditLog log, long modelId, int creates) {
    long[] inAppend = {0};
    long started = System.nanoTime();
    for (int i = 0; i < creates; i++) {
      dsl.transaction(c -> {
        DSLContext tx = c.dsl();
        int number = tx.update(REGISTERED_MODEL).set(REGISTERED_MODEL.LAST_VERSION, REGISTERED_MODEL.LAST_VERSION.plus(1))
            .where(REGISTERED_MODEL.ID.eq(modelId)).returningResult(REGISTERED_MODEL.LAST_VERSION).fetchOne().value1();
        tx.insertInto(MODEL_VERSION).set(MODEL_VERSION.MODEL_ID, modelId).set(MODEL_VERSION.VERSION, number)
            .set(MODEL_VERSION.STATUS, "READY").set(MODEL_VERSION.CREATED_BY, "bench")
            .set(MODEL_VERSION.UPDATED_BY, "bench").execute();
        long t = System.nanoTime();
        log.append(tx, "bench", "", List.of(new AuditEntry(Action.VERSION_CREATED,
            "models/bench/versions/" + number, Payload.of("status", "READY", "source", "s3://bench"))));
        inAppend[0] += System.nanoTime() - t;
      });
    }
    double total = (System.nanoTime() - started) / 1e9;
    System.out.printf("%,d create transactions: %.0f/s, %.0f%% of each transaction's time in the audit append%n",
        creates, creates / total, 100.0 * inAppend[0] / 1e9 / total);
    return inAppend[0] / 1e6 / creates;
  }
}
