package io.gantry.client.cli;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.Values;
import io.gantry.client.ArtifactDirectory;
import io.gantry.client.ArtifactDownload;
import io.gantry.client.ArtifactUpload;
import io.gantry.client.GantryClient;
import io.gantry.client.LocalArtifact;
import io.gantry.client.ResourceNames;
import io.gantry.client.TransferListener;
import io.gantry.v1.ArtifactFile;
import io.gantry.v1.ArtifactManifest;
import io.gantry.v1.AuditEvent;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.FinalizeVersionRequest;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.GetPromotionRequest;
import io.gantry.v1.ListArtifactsRequest;
import io.gantry.v1.ListAuditEventsRequest;
import io.gantry.v1.ListAuditEventsResponse;
import io.gantry.v1.ListEvaluationsRequest;
import io.gantry.v1.ListModelVersionsRequest;
import io.gantry.v1.ListModelVersionsResponse;
import io.gantry.v1.ListModelsRequest;
import io.gantry.v1.ListModelsResponse;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.ModelVersionStatus;
import io.gantry.v1.PolicyBinding;
import io.gantry.v1.PolicySpec;
import io.gantry.v1.Promotion;
import io.gantry.v1.PromotionState;
import io.gantry.v1.ApprovePromotionRequest;
import io.gantry.v1.ReportEvaluationRequest;
import io.gantry.v1.RequestPromotionRequest;
import io.gantry.v1.ResolveAliasRequest;
import io.gantry.v1.SetPromotionPolicyRequest;
import io.gantry.v1.VerifyAuditLogRequest;
import io.gantry.v1.VerifyAuditLogResponse;
import io.grpc.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "soak",
    description = {
        "Mixed traffic for a fixed time (resolves, registrations with uploads, evaluations, promotions, promotions "
            + "with an approval, audit listing), then a check of everything the server acknowledged: each "
            + "acknowledged write is present and in the audit log exactly once, every READY version of every model "
            + "serves all its files with their digests, and the audit log verifies.",
        "Meant for a server of its own (bench/soak.sh starts one, restarts its database and kills an upload "
            + "midway meanwhile). Exit 0 when every check holds, 1 otherwise; -o json: one report at the end."})
final class SoakCommand implements Callable<Integer> {

  private static final String DATASET = "soak";
  private static final String OPEN_ALIAS = "staging";
  private static final String GATED_ALIAS = "champion";
  private static final String REQUESTER = "soak-requester";
  private static final String APPROVER = "soak-approver";
  /** Each registration uploads two files: a small one and one of several chunks. */
  private static final int SMALL_FILE = 16 << 10;
  private static final int LARGE_FILE_MAX = 3 << 20;

  enum Operation { resolve, register, evaluate, promote, promoteApproved, auditList, getVersion }

  /** How often each operation is picked, out of the sum; reads dominate, as they do in production. */
  private static final Map<Operation, Integer> WEIGHTS = Map.of(Operation.resolve, 40, Operation.register, 8,
      Operation.evaluate, 15, Operation.promote, 8, Operation.promoteApproved, 4, Operation.auditList, 10,
      Operation.getVersion, 15);

  @Mixin CommonOptions common;

  @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "300",
      description = "How long the traffic runs (default 300).")
  int durationSeconds;

  @Option(names = "--workers", paramLabel = "N", defaultValue = "6",
      description = "Concurrent callers (default 6).")
  int workers;

  @Option(names = "--models", paramLabel = "N", defaultValue = "4",
      description = "Models the traffic spreads over (default 4).")
  int models;

  /** Writes the server acknowledged, by kind; the check reads them back. */
  private final List<ModelVersion> registered = new CopyOnWriteArrayList<>();
  private final List<String> evaluations = new CopyOnWriteArrayList<>();
  private final List<Promotion> applied = new CopyOnWriteArrayList<>();
  private final Map<String, List<Long>> readyVersions = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
  /** What the run found, for -o json. */
  private final Struct.Builder report = Struct.newBuilder();

  @Override
  public Integer call() throws Exception {
    if (durationSeconds < 1 || workers < 1 || workers > 256 || models < 1 || models > 100) {
      throw common.usageError("--duration must be positive, --workers 1 to 256, --models 1 to 100");
    }
    String run = UUID.randomUUID().toString().substring(0, 8);
    Path scratch = Files.createTempDirectory("gantry-soak");
    try (GantryClient writer = common.connect(); GantryClient requester = common.connectAs(REQUESTER);
        GantryClient approver = common.connectAs(APPROVER)) {
      List<String> names = setUp(writer, run);
      say("soak %s: %d workers on %d models for %d s", run, workers, models, durationSeconds);
      report.putFields("run", Values.of(run)).putFields("workers", Values.of(workers))
          .putFields("models", Values.of(models)).putFields("duration_s", Values.of(durationSeconds));
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds);
      ExecutorService pool = Executors.newFixedThreadPool(workers);
      for (int i = 0; i < workers; i++) {
        pool.submit(() -> work(writer, requester, approver, names, scratch, until));
      }
      pool.shutdown();
      pool.awaitTermination(durationSeconds + 600L, TimeUnit.SECONDS);
      say("calls by operation and status:");
      List<Value> calls = new ArrayList<>();
      new TreeMap<>(outcomes).forEach((key, count) -> {
        say("  %-32s %d", key, count.sum());
        String[] operationAndStatus = key.split(" ", 2);
        calls.add(Values.of(Struct.newBuilder().putFields("operation", Values.of(operationAndStatus[0]))
            .putFields("status", Values.of(operationAndStatus[1])).putFields("count", Values.of(count.sum())).build()));
      });
      long approved = applied.stream().filter(p -> p.getAlias().equals(GATED_ALIAS)).count();
      say("acknowledged: %d registrations with uploads, %d evaluations, %d promotions applied (%d approved)",
          registered.size(), evaluations.size(), applied.size(), approved);
      report.putFields("calls", Values.of(calls)).putFields("registrations", Values.of(registered.size()))
          .putFields("evaluations", Values.of(evaluations.size()))
          .putFields("promotions_applied", Values.of(applied.size()))
          .putFields("promotions_approved", Values.of(approved));
      List<String> problems = check(writer, scratch.resolve("downloads"));
      problems.forEach(problem -> say("PROBLEM %s", problem));
      say(problems.isEmpty() ? "soak ok: every check holds" : "soak FAILED: " + problems.size() + " problems");
      report.putFields("problems", Values.of(problems.stream().map(Values::of).toList()))
          .putFields("ok", Values.of(problems.isEmpty()));
      if (common.json()) {
        common.printer().report(report.build());
      }
      return problems.isEmpty() ? GantryCli.EXIT_OK : GantryCli.EXIT_OTHER;
    } finally {
      deleteRecursively(scratch);
    }
  }

  /** The models, each with one READY version on the open alias; the gated alias asks one approval. */
  private List<String> setUp(GantryClient client, String run) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < models; i++) {
      String name = "soak-" + run + "-" + i;
      client.registry().createModel(CreateModelRequest.newBuilder().setModelId(name).build());
      ModelVersion first = client.registry().createModelVersion(CreateModelVersionRequest.newBuilder()
          .setParent(ResourceNames.model(name)).build());
      readyVersions.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add(first.getVersion());
      client.promotions().requestPromotion(RequestPromotionRequest.newBuilder().setModel(ResourceNames.model(name))
          .setAlias(OPEN_ALIAS).setVersion(first.getVersion()).build());
      names.add(name);
    }
    Struct approvals = Struct.newBuilder()
        .putFields("count", Value.newBuilder().setNumberValue(1).build())
        .putFields("approvers", Value.newBuilder().setListValue(ListValue.newBuilder()
            .addValues(Value.newBuilder().setStringValue(APPROVER))).build())
        .build();
    client.promotions().setPromotionPolicy(SetPromotionPolicyRequest.newBuilder().setBinding(PolicyBinding.newBuilder()
        .setModelPattern("soak-" + run + "-*").setAlias(GATED_ALIAS)
        .addPolicies(PolicySpec.newBuilder().setType("approvals").setParams(approvals))).build());
    return names;
  }

  private void work(GantryClient writer, GantryClient requester, GantryClient approver, List<String> names,
      Path scratch, long until) {
    int total = WEIGHTS.values().stream().mapToInt(Integer::intValue).sum();
    while (System.nanoTime() < until) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      String model = names.get(random.nextInt(names.size()));
      int pick = random.nextInt(total);
      Operation operation = null;
      for (Map.Entry<Operation, Integer> weight : new TreeMap<>(WEIGHTS).entrySet()) {
        pick -= weight.getValue();
        if (pick < 0) {
          operation = weight.getKey();
          break;
        }
      }
      String outcome;
      try {
        run(operation, model, writer, requester, approver, scratch);
        outcome = "OK";
      } catch (io.grpc.StatusRuntimeException e) {
        outcome = e.getStatus().getCode().name();
      } catch (RuntimeException e) {
        // an upload fails as ArtifactTransferException, whose status is in its cause
        outcome = Status.fromThrowable(e).getCode().name();
      }
      outcomes.computeIfAbsent(operation + " " + outcome, k -> new LongAdder()).increment();
    }
  }

  private void run(Operation operation, String model, GantryClient writer, GantryClient requester,
      GantryClient approver, Path scratch) {
    String modelName = ResourceNames.model(model);
    List<Long> ready = readyVersions.get(model);
    long version = ready.get(ThreadLocalRandom.current().nextInt(ready.size()));
    switch (operation) {
      case resolve -> writer.registry().resolveAlias(ResolveAliasRequest.newBuilder()
          .setName(ResourceNames.alias(model, OPEN_ALIAS)).build());
      case getVersion -> writer.registry().getModelVersion(GetModelVersionRequest.newBuilder()
          .setName(ResourceNames.version(model, Long.toString(version))).build());
      case auditList -> writer.audit().listAuditEvents(ListAuditEventsRequest.newBuilder()
          .setResourcePrefix(modelName).setPageSize(50).build());
      case evaluate -> evaluations.add(writer.registry().reportEvaluation(ReportEvaluationRequest.newBuilder()
          .setName(ResourceNames.version(model, Long.toString(version))).setDataset(DATASET)
          .putMetrics("rmse", 4 + ThreadLocalRandom.current().nextDouble())
          .setRequestId(UUID.randomUUID().toString()).build()).getName());
      case register -> register(writer, model, scratch);
      case promote -> {
        Promotion promotion = writer.promotions().requestPromotion(RequestPromotionRequest.newBuilder()
            .setModel(modelName).setAlias(OPEN_ALIAS).setVersion(version)
            .setRequestId(UUID.randomUUID().toString()).build());
        if (promotion.getState() == PromotionState.PROMOTION_STATE_APPLIED) {
          applied.add(promotion);
        }
      }
      case promoteApproved -> {
        Promotion requested = requester.promotions().requestPromotion(RequestPromotionRequest.newBuilder()
            .setModel(modelName).setAlias(GATED_ALIAS).setVersion(version)
            .setRequestId(UUID.randomUUID().toString()).build());
        if (requested.getState() == PromotionState.PROMOTION_STATE_AWAITING_APPROVAL) {
          Promotion decided = approver.promotions().approvePromotion(ApprovePromotionRequest.newBuilder()
              .setName(requested.getName()).setComment("soak").build());
          if (decided.getState() == PromotionState.PROMOTION_STATE_APPLIED) {
            applied.add(decided);
          }
        }
      }
    }
  }

  /** A version with two uploaded files, finalized READY: acknowledged only once FinalizeVersion answered. */
  private void register(GantryClient client, String model, Path scratch) {
    Path dir = scratch.resolve(UUID.randomUUID().toString());
    try {
      Random random = new Random();
      Files.createDirectories(dir);
      byte[] small = new byte[SMALL_FILE];
      random.nextBytes(small);
      byte[] large = new byte[(1 << 20) + random.nextInt(LARGE_FILE_MAX - (1 << 20))];
      random.nextBytes(large);
      Files.write(dir.resolve("MLmodel"), small);
      Files.write(dir.resolve("model.bin"), large);
      List<LocalArtifact> files = ArtifactDirectory.hash(dir, ArtifactDirectory.regularFiles(dir),
          TransferListener.NONE);
      ModelVersion version = client.registry().createModelVersion(CreateModelVersionRequest.newBuilder()
          .setParent(ResourceNames.model(model)).setManagedArtifacts(true)
          .setRequestId(UUID.randomUUID().toString()).build());
      ArtifactUpload.upload(client, version.getName(), files, TransferListener.NONE);
      ArtifactManifest manifest = client.artifacts().finalizeVersion(FinalizeVersionRequest.newBuilder()
          .setName(version.getName()).addAllFiles(files.stream().map(LocalArtifact::header).toList()).build());
      registered.add(version.toBuilder().setManifestDigest(manifest.getManifestDigest()).build());
      readyVersions.get(model).add(version.getVersion());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deleteRecursively(dir);
    }
  }

  /** A line of the text output, printed at once so that a long run shows where it is; -o json prints the report. */
  private void say(String format, Object... args) {
    if (!common.json()) {
      common.out().printf(format + "%n", args);
      common.out().flush();
    }
  }

  /** Every acknowledged write read back, every READY version's files downloaded and checked, the log verified. */
  private List<String> check(GantryClient client, Path downloads) throws IOException {
    List<String> problems = new ArrayList<>();
    Map<String, Integer> audited = auditCounts(client);
    for (ModelVersion version : registered) {
      ModelVersion stored = client.registry().getModelVersion(GetModelVersionRequest.newBuilder()
          .setName(version.getName()).build());
      if (stored.getStatus() != ModelVersionStatus.MODEL_VERSION_STATUS_READY
          || !stored.getManifestDigest().equals(version.getManifestDigest())) {
        problems.add(version.getName() + " was acknowledged READY with " + version.getManifestDigest() + " but is "
            + stored.getStatus() + " with " + stored.getManifestDigest());
      }
      once(audited, "VERSION_CREATED", version.getName(), problems);
      once(audited, "VERSION_FINALIZED", version.getName(), problems);
    }
    for (String evaluation : evaluations) {
      String version = evaluation.substring(0, evaluation.indexOf("/evaluations/"));
      boolean present = client.registry().listEvaluations(ListEvaluationsRequest.newBuilder().setParent(version)
          .setPageSize(1000).build()).getEvaluationsList().stream().anyMatch(e -> e.getName().equals(evaluation));
      if (!present) {
        problems.add(evaluation + " was acknowledged but is not listed");
      }
      once(audited, "EVALUATION_REPORTED", evaluation, problems);
    }
    for (Promotion promotion : applied) {
      Promotion stored = client.promotions().getPromotion(GetPromotionRequest.newBuilder()
          .setName(promotion.getName()).build());
      if (stored.getState() != PromotionState.PROMOTION_STATE_APPLIED) {
        problems.add(promotion.getName() + " was acknowledged APPLIED but is " + stored.getState());
      }
      once(audited, "PROMOTION_APPLIED", promotion.getName(), problems);
      if (promotion.getAlias().equals(GATED_ALIAS)) {
        once(audited, "PROMOTION_APPROVED", promotion.getName(), problems);
      }
    }
    say("acknowledged writes read back: %d versions, %d evaluations, %d promotions", registered.size(),
        evaluations.size(), applied.size());
    Map<ModelVersionStatus, Integer> statuses = new TreeMap<>();
    long files = 0;
    for (ModelVersion version : allVersions(client)) {
      statuses.merge(version.getStatus(), 1, Integer::sum);
      if (version.getStatus() == ModelVersionStatus.MODEL_VERSION_STATUS_READY && version.getManagedArtifacts()) {
        files += checkFiles(client, version.getName(), downloads, problems);
      }
    }
    say("every version of every model: %s; %d files of READY versions downloaded and their digests matched",
        statuses, files);
    List<Value> byStatus = new ArrayList<>();
    statuses.forEach((status, count) -> byStatus.add(Values.of(Struct.newBuilder()
        .putFields("status", Values.of(VersionView.status(status))).putFields("count", Values.of(count)).build())));
    report.putFields("versions", Values.of(byStatus)).putFields("files_checked", Values.of(files));
    VerifyAuditLogResponse verified = client.audit().withDeadlineAfter(10, TimeUnit.MINUTES)
        .verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance());
    say("audit log: %s, %d events checked, tree size %d", verified.getOk() ? "verified" : "NOT verified",
        verified.getEventsChecked(), verified.getTreeSize());
    report.putFields("audit_verified", Values.of(verified.getOk()))
        .putFields("audit_events_checked", Values.of(verified.getEventsChecked()))
        .putFields("audit_tree_size", Values.of(verified.getTreeSize()));
    if (!verified.getOk()) {
      problems.add("the audit log does not verify: first bad seq " + verified.getFirstBadSeq() + ": "
          + verified.getProblem());
    }
    return problems;
  }

  private static void once(Map<String, Integer> audited, String action, String resource, List<String> problems) {
    int count = audited.getOrDefault(action + " " + resource, 0);
    if (count != 1) {
      problems.add(resource + " has " + count + " " + action + " audit events, not exactly one");
    }
  }

  /** How many audit events there are of each action on each resource. */
  private static Map<String, Integer> auditCounts(GantryClient client) {
    Map<String, Integer> counts = new HashMap<>();
    String token = "";
    do {
      ListAuditEventsResponse page = client.audit().listAuditEvents(ListAuditEventsRequest.newBuilder()
          .setPageSize(1000).setPageToken(token).build());
      for (AuditEvent event : page.getEventsList()) {
        counts.merge(event.getAction().name().replaceFirst("^AUDIT_ACTION_", "") + " " + event.getResource(), 1,
            Integer::sum);
      }
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return counts;
  }

  private static List<ModelVersion> allVersions(GantryClient client) {
    List<ModelVersion> versions = new ArrayList<>();
    String modelToken = "";
    do {
      ListModelsResponse models = client.registry().listModels(ListModelsRequest.newBuilder().setPageSize(1000)
          .setPageToken(modelToken).build());
      for (var model : models.getModelsList()) {
        String token = "";
        do {
          ListModelVersionsResponse page = client.registry().listModelVersions(ListModelVersionsRequest.newBuilder()
              .setParent(model.getName()).setPageSize(1000).setPageToken(token).build());
          versions.addAll(page.getModelVersionsList());
          token = page.getNextPageToken();
        } while (!token.isEmpty());
      }
      modelToken = models.getNextPageToken();
    } while (!modelToken.isEmpty());
    return versions;
  }

  /** Downloads each file of a READY version, checked against its size and digest; returns how many were served. */
  private static int checkFiles(GantryClient client, String version, Path downloads, List<String> problems) {
    ArtifactManifest manifest = client.artifacts().listArtifacts(ListArtifactsRequest.newBuilder()
        .setVersion(version).build());
    if (manifest.getFilesCount() == 0) {
      problems.add(version + " is READY with no files");
    }
    Path dir = downloads.resolve(UUID.randomUUID().toString());
    int served = 0;
    try {
      Files.createDirectories(dir);
      for (ArtifactFile file : manifest.getFilesList()) {
        try {
          ArtifactDownload.download(client, version, file, dir, TransferListener.NONE);
          served++;
        } catch (RuntimeException e) {
          problems.add(version + " is READY but " + file.getPath() + " cannot be served whole: " + e.getMessage());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deleteRecursively(dir);
    }
    return served;
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // a scratch file left in the temp directory is harmless
    }
  }
}
