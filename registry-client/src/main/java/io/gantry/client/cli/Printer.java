package io.gantry.client.cli;

import com.google.protobuf.Empty;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.client.ResourceNames;
import io.gantry.v1.Alias;
import io.gantry.v1.ApiToken;
import io.gantry.v1.AliasEvent;
import io.gantry.v1.AliasMove;
import io.gantry.v1.ArtifactFile;
import io.gantry.v1.ArtifactManifest;
import io.gantry.v1.AuditAction;
import io.gantry.v1.AuditEvent;
import io.gantry.v1.Caller;
import io.gantry.v1.ImportModelResponse;
import io.gantry.v1.Checkpoint;
import io.gantry.v1.CreateApiTokenResponse;
import io.gantry.v1.DatasetMetrics;
import io.gantry.v1.DownloadUrl;
import io.gantry.v1.EffectivePolicy;
import io.gantry.v1.Evaluation;
import io.gantry.v1.InclusionProof;
import io.gantry.v1.ListAliasHistoryResponse;
import io.gantry.v1.ListAliasesResponse;
import io.gantry.v1.ListApiTokensResponse;
import io.gantry.v1.ListAuditEventsResponse;
import io.gantry.v1.ListEvaluationsResponse;
import io.gantry.v1.ListModelVersionsResponse;
import io.gantry.v1.ListModelsResponse;
import io.gantry.v1.ListPromotionPoliciesResponse;
import io.gantry.v1.ListPromotionsResponse;
import io.gantry.v1.ListRoleBindingsResponse;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.ModelVersionStatus;
import io.gantry.v1.PolicyBinding;
import io.gantry.v1.PolicySpec;
import io.gantry.v1.PolicyVerdict;
import io.gantry.v1.Promotion;
import io.gantry.v1.PromotionDecision;
import io.gantry.v1.PromotionState;
import io.gantry.v1.RegisteredModel;
import io.gantry.v1.Requirement;
import io.gantry.v1.Role;
import io.gantry.v1.RoleBinding;
import io.gantry.v1.Schema;
import io.gantry.v1.VerifierKey;
import io.gantry.v1.VerifyAuditLogResponse;
import io.gantry.v1.CreateWebhookResponse;
import io.gantry.v1.ListWebhookDeliveriesResponse;
import io.gantry.v1.ListWebhooksResponse;
import io.gantry.v1.Webhook;
import io.gantry.v1.WebhookDelivery;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Prints responses as a readable table or key/value block, or as the CLI's JSON ({@link Json}, docs/cli.md). */
final class Printer {

  enum Format { table, json }

  // Rows printed one by one as events stream in cannot be measured first: SEQ, TIME (an instant to the
  // second), ACTOR and ACTION (the longest name) get fixed widths.
  private static final String STREAMED_ROW = "%-6s  %-20s  %-12s  %-19s  %s";
  // Watched aliases likewise: TIME, ALIAS (ids are short), REVISION, VERSION ("12 → 13"), BY.
  private static final String WATCHED_ROW = "%-20s  %-12s  %-8s  %-9s  %-12s  %s";

  private final PrintWriter out;
  private final Format format;

  Printer(PrintWriter out, Format format) {
    this.out = out;
    this.format = format;
  }

  void model(RegisteredModel model) {
    if (printedAsJson(model)) {
      return;
    }
    TextTable block = new TextTable()
        .row("name", model.getName())
        .field("description", model.getDescription())
        .row("latest_version", Long.toString(model.getLatestVersion()));
    new TreeMap<>(model.getTagsMap()).forEach((key, value) -> block.row("tags." + key, value));
    block.field("created", timeAndActor(model.getCreateTime(), model.getCreatedBy()))
        .field("updated", timeAndActor(model.getUpdateTime(), model.getUpdatedBy()))
        .field("etag", model.getEtag())
        .print(out);
  }

  void models(ListModelsResponse page) {
    if (printedAsJson(page)) {
      return;
    }
    TextTable table = new TextTable().row("NAME", "LATEST_VERSION", "UPDATED", "UPDATED_BY", "DESCRIPTION");
    for (RegisteredModel model : page.getModelsList()) {
      table.row(ResourceNames.modelId(model.getName()), Long.toString(model.getLatestVersion()),
          time(model.getUpdateTime()), model.getUpdatedBy(), firstLine(model.getDescription()));
    }
    table.print(out);
    nextPageHint(page.getNextPageToken());
  }

  void version(ModelVersion version) {
    if (!printedAsJson(version)) {
      versionBlock(version).print(out);
    }
  }

  /** A version just registered with its files: the version, then how many files and bytes its manifest holds. */
  void registeredVersion(ModelVersion version, ArtifactManifest manifest) {
    if (!printedAsJson(version)) {
      versionBlock(version)
          .row("files", Integer.toString(manifest.getFilesCount()))
          .row("total_size", sizeCell(manifest.getTotalSize()))
          .print(out);
    }
  }

  private static TextTable versionBlock(ModelVersion version) {
    TextTable block = new TextTable()
        .row("name", version.getName())
        .row("version", Long.toString(version.getVersion()))
        .row("status", status(version.getStatus()))
        .field("manifest_digest", version.getManifestDigest())
        .field("source", version.getSource())
        .field("run_id", version.getRunId())
        .field("run_link", version.getRunLink())
        .field("description", version.getDescription());
    new TreeMap<>(version.getTagsMap()).forEach((key, value) -> block.row("tags." + key, value));
    if (version.hasMlmodel()) {
      block.field("mlflow_version", version.getMlmodel().getMlflowVersion())
          .field("model_uuid", version.getMlmodel().getModelUuid())
          .field("flavors", String.join(", ", new TreeMap<>(version.getMlmodel().getFlavorsMap()).keySet()));
      if (version.getMlmodel().hasSignature()) {
        block.field("signature.inputs", describe(version.getMlmodel().getSignature().getInputs()))
            .field("signature.outputs", describe(version.getMlmodel().getSignature().getOutputs()));
      }
    }
    block.field("requirements", version.getDependencies().getRequirementsList().stream()
        .map(Requirement::getText)
        .collect(Collectors.joining(", ")));
    for (Map.Entry<String, DatasetMetrics> dataset : new TreeMap<>(version.getMetricsMap()).entrySet()) {
      block.field("datasets." + dataset.getKey() + ".digest", dataset.getValue().getDatasetDigest());
      new TreeMap<>(dataset.getValue().getMetricsMap()).forEach((metric, value) ->
          block.row("metrics." + dataset.getKey() + "." + metric, Double.toString(value)));
    }
    return block.field("created", timeAndActor(version.getCreateTime(), version.getCreatedBy()))
        .field("updated", timeAndActor(version.getUpdateTime(), version.getUpdatedBy()))
        .field("etag", version.getEtag());
  }

  /**
   * The files of a version: where it stands and its manifest digest, then one row per file. JSON: the manifest.
   * A version whose files are not managed shows none, and its source.
   */
  void manifest(ModelVersion version, ArtifactManifest manifest) {
    if (printedAsJson(manifest)) {
      return;
    }
    new TextTable()
        .row("version", version.getName())
        .row("status", status(version.getStatus()))
        .row("manifest_digest", manifest.getManifestDigest().isEmpty()
            ? "none: " + (version.getManagedArtifacts() ? "not finalized" : "its files are not in the registry")
            : manifest.getManifestDigest())
        .field("source", version.getManagedArtifacts() ? "" : version.getSource())
        .row("files", Integer.toString(manifest.getFilesCount()))
        .row("total_size", sizeCell(manifest.getTotalSize()))
        .print(out);
    if (manifest.getFilesCount() > 0) {
      TextTable table = new TextTable().row("PATH", "SIZE", "SHA256");
      for (ArtifactFile file : manifest.getFilesList()) {
        table.row(file.getPath(), Long.toString(file.getSize()), file.getSha256());
      }
      out.println();
      table.print(out);
    }
  }

  void downloadUrl(DownloadUrl url) {
    if (printedAsJson(url)) {
      return;
    }
    new TextTable()
        .row("url", url.getUrl())
        .row("expires", time(url.getExpireTime()))
        .row("path", url.getFile().getPath())
        .row("size", sizeCell(url.getFile().getSize()))
        .row("sha256", url.getFile().getSha256())
        .print(out);
  }

  void versions(ListModelVersionsResponse page) {
    if (printedAsJson(page)) {
      return;
    }
    TextTable table = new TextTable().row("MODEL", "VERSION", "STATUS", "CREATED", "CREATED_BY", "DESCRIPTION");
    for (ModelVersion version : page.getModelVersionsList()) {
      String model = version.getName().substring(0, version.getName().indexOf("/versions/"));
      table.row(ResourceNames.modelId(model), Long.toString(version.getVersion()), status(version.getStatus()),
          time(version.getCreateTime()), version.getCreatedBy(), firstLine(version.getDescription()));
    }
    table.print(out);
    nextPageHint(page.getNextPageToken());
  }

  void evaluation(Evaluation evaluation) {
    if (printedAsJson(evaluation)) {
      return;
    }
    TextTable block = new TextTable()
        .row("name", evaluation.getName())
        .row("dataset", evaluation.getDataset())
        .field("dataset_digest", evaluation.getDatasetDigest());
    new TreeMap<>(evaluation.getMetricsMap()).forEach((metric, value) ->
        block.row("metrics." + metric, Double.toString(value)));
    block.field("created", timeAndActor(evaluation.getCreateTime(), evaluation.getCreatedBy())).print(out);
  }

  void evaluations(ListEvaluationsResponse page) {
    if (printedAsJson(page)) {
      return;
    }
    TextTable table = new TextTable().row("CREATED", "CREATED_BY", "DATASET", "METRICS", "DATASET_DIGEST");
    for (Evaluation evaluation : page.getEvaluationsList()) {
      table.row(time(evaluation.getCreateTime()), evaluation.getCreatedBy(), evaluation.getDataset(),
          new TreeMap<>(evaluation.getMetricsMap()).entrySet().stream()
              .map(metric -> metric.getKey() + "=" + metric.getValue()).collect(Collectors.joining(", ")),
          evaluation.getDatasetDigest());
    }
    table.print(out);
    nextPageHint(page.getNextPageToken());
  }

  void deleted(String name) {
    if (!printedAsJson(Empty.getDefaultInstance())) {
      out.println("deleted " + name);
    }
  }

  void auditEvents(ListAuditEventsResponse page) {
    if (printedAsJson(page)) {
      return;
    }
    TextTable table = new TextTable().row("SEQ", "TIME", "ACTOR", "ACTION", "RESOURCE");
    for (AuditEvent event : page.getEventsList()) {
      table.row(
          Long.toString(event.getSeq()), time(event.getTime()), event.getActor(), action(event), event.getResource());
    }
    table.print(out);
    nextPageHint(page.getNextPageToken());
  }

  /** The header of events printed as they arrive; nothing for JSON, where each event is one line. */
  void streamedAuditEventsHeader() {
    if (format != Format.json) {
      out.println(String.format(STREAMED_ROW, "SEQ", "TIME", "ACTOR", "ACTION", "RESOURCE"));
    }
  }

  /** One event as it arrives: a table row, or a JSON object on one line (JSON Lines). */
  void streamedAuditEvent(AuditEvent event) {
    if (printedAsJsonLine(event)) {
      return;
    }
    out.println(String.format(STREAMED_ROW, event.getSeq(), time(event.getTime()), event.getActor(), action(event),
        event.getResource()).stripTrailing());
  }

  /** The header of a watch; nothing for JSON, where each event is one line. */
  void watchedAliasHeader() {
    if (format != Format.json) {
      out.println(String.format(WATCHED_ROW, "TIME", "ALIAS", "REVISION", "VERSION", "BY", "PROMOTION"));
    }
  }

  /** The state an alias is in when a watch has caught up: its version alone in the VERSION column. */
  void watchedAlias(Alias alias) {
    if (!printedAsJsonLine(AliasEvent.newBuilder().setCurrent(alias).build())) {
      out.println(String.format(WATCHED_ROW, time(alias.getUpdateTime()), aliasId(alias.getName()),
          alias.getRevision(), versionCell(alias.getVersion()), alias.getUpdatedBy(), alias.getPromotion())
          .stripTrailing());
    }
  }

  /** A move as it arrives: from → to in the VERSION column. */
  void watchedMove(AliasMove move) {
    if (!printedAsJsonLine(AliasEvent.newBuilder().setMoved(move).build())) {
      out.println(String.format(WATCHED_ROW, time(move.getMoveTime()), aliasId(move.getAlias()), move.getRevision(),
          versionCell(move.getFromVersion()) + " → " + versionCell(move.getToVersion()), move.getMovedBy(),
          move.getPromotion()).stripTrailing());
    }
  }

  /** The signed note exactly as served, so that redirecting it to a file stores the checkpoint. */
  void checkpoint(Checkpoint checkpoint) {
    if (!printedAsJson(checkpoint)) {
      out.print(checkpoint.getSignedNote());
      out.flush();
    }
  }

  void verifierKey(VerifierKey key) {
    if (!printedAsJson(key)) {
      out.println(key.getNoteKey());
    }
  }

  void auditVerification(VerifyAuditLogResponse result) {
    if (printedAsJson(result)) {
      return;
    }
    TextTable block = new TextTable()
        .row("ok", Boolean.toString(result.getOk()))
        .row("events_checked", Long.toString(result.getEventsChecked()))
        .row("tree_size", Long.toString(result.getTreeSize()))
        .field("root", hex(result.getRootHash().toByteArray()));
    if (!result.getOk()) {
      block.field("first_bad_seq", result.getFirstBadSeq() < 0 ? "" : Long.toString(result.getFirstBadSeq()))
          .field("problem", result.getProblem());
    }
    block.print(out);
  }

  /**
   * An inclusion proof and what checking it here found.
   *
   * @param checkpoint the checkpoint it was checked against, described in one line
   * @param verdict {@code yes: …} or {@code no: …}
   */
  void inclusionProof(InclusionProof proof, String checkpoint, String verdict) {
    if (printedAsJson(proof)) {
      return;
    }
    new TextTable()
        .row("seq", Long.toString(proof.getSeq()))
        .row("tree_size", Long.toString(proof.getTreeSize()))
        .row("leaf_hash", hex(proof.getLeafHash().toByteArray()))
        .field("path", proof.getHashesList().stream()
            .map(hash -> hex(hash.toByteArray()))
            .collect(Collectors.joining("\n")))
        .field("checkpoint", checkpoint)
        .row("verified", verdict)
        .print(out);
  }

  /** What a request or a decision came to: the state and why, then every verdict and decision. */
  void promotionOutcome(Promotion promotion) {
    if (printedAsJson(promotion)) {
      return;
    }
    promotionHeader(promotion)
        .field("dry_run", promotion.getDryRun() ? "true: nothing was written" : "")
        .print(out);
    verdictsAndDecisions(promotion);
  }

  /** Every field of a promotion, then every verdict and decision. */
  void promotion(Promotion promotion) {
    if (printedAsJson(promotion)) {
      return;
    }
    promotionHeader(promotion)
        .field("requester", promotion.getRequester())
        .field("justification", promotion.getJustification())
        .row("current_version", Long.toString(promotion.getCurrentVersion()))
        .field("expected_current_version",
            promotion.hasExpectedCurrentVersion() ? Long.toString(promotion.getExpectedCurrentVersion()) : "")
        .row("alias_revision", Long.toString(promotion.getAliasRevision()))
        .row("archive_previous", Boolean.toString(promotion.getArchivePrevious()))
        .field("policy_set_digest", promotion.getPolicySetDigest())
        .field("content_digest", promotion.getContentDigest())
        .field("created", time(promotion.getCreateTime()))
        .field("updated", time(promotion.getUpdateTime()))
        .field("expires", time(promotion.getExpireTime()))
        .field("dry_run", promotion.getDryRun() ? "true: nothing was written" : "")
        .print(out);
    verdictsAndDecisions(promotion);
  }

  /** What it asks for and where it stands; a dry run has no name, as nothing was stored. */
  private static TextTable promotionHeader(Promotion promotion) {
    return new TextTable()
        .field("name", promotion.getName())
        .row("kind", kind(promotion))
        .row("model", promotion.getModel())
        .row("alias", promotion.getAlias())
        .field("version", versionOrNone(promotion.getVersion()))
        .row("state", state(promotion.getState()))
        .field("state_reason", promotion.getStateReason());
  }

  void promotions(ListPromotionsResponse page) {
    if (printedAsJson(page)) {
      return;
    }
    TextTable table = new TextTable()
        .row("ID", "MODEL", "ALIAS", "KIND", "VERSION", "STATE", "REQUESTER", "CREATED", "REASON");
    for (Promotion promotion : page.getPromotionsList()) {
      table.row(promotion.getName().substring(promotion.getName().indexOf('/') + 1),
          ResourceNames.modelId(promotion.getModel()), promotion.getAlias(), kind(promotion),
          versionCell(promotion.getVersion()), state(promotion.getState()), promotion.getRequester(),
          time(promotion.getCreateTime()), promotion.getStateReason());
    }
    table.print(out);
    nextPageHint(page.getNextPageToken());
  }

  void aliases(ListAliasesResponse aliases) {
    if (printedAsJson(aliases)) {
      return;
    }
    TextTable table = new TextTable().row("ALIAS", "VERSION", "REVISION", "UPDATED", "UPDATED_BY", "PROMOTION");
    for (Alias alias : aliases.getAliasesList()) {
      table.row(aliasId(alias.getName()), versionCell(alias.getVersion()), Long.toString(alias.getRevision()),
          time(alias.getUpdateTime()), alias.getUpdatedBy(), alias.getPromotion());
    }
    table.print(out);
  }

  void aliasHistory(ListAliasHistoryResponse page) {
    if (printedAsJson(page)) {
      return;
    }
    TextTable table = new TextTable().row("TIME", "ALIAS", "FROM → TO", "MOVED_BY", "PROMOTION");
    for (AliasMove move : page.getMovesList()) {
      table.row(time(move.getMoveTime()), aliasId(move.getAlias()),
          versionCell(move.getFromVersion()) + " → " + versionCell(move.getToVersion()),
          move.getMovedBy(), move.getPromotion());
    }
    table.print(out);
    nextPageHint(page.getNextPageToken());
  }

  /** The bindings a policy file set, each with its digest, or removed ({@code policies: []}). */
  void policyFileApplied(ListPromotionPoliciesResponse applied) {
    if (printedAsJson(applied)) {
      return;
    }
    TextTable table = new TextTable().row("MODELS", "ALIAS", "PURPOSE", "RESULT", "DIGEST");
    for (PolicyBinding binding : applied.getBindingsList()) {
      int policies = binding.getPoliciesCount();
      table.row(binding.getModelPattern(), binding.getAlias(), binding.getPurpose(),
          policies == 0 ? "removed" : "set (" + policies + (policies == 1 ? " policy)" : " policies)"),
          binding.getDigest());
    }
    table.print(out);
  }

  void policyBindings(ListPromotionPoliciesResponse bindings) {
    if (printedAsJson(bindings)) {
      return;
    }
    TextTable table = new TextTable().row("MODELS", "ALIAS", "PURPOSE", "UPDATED", "UPDATED_BY", "POLICIES");
    for (PolicyBinding binding : bindings.getBindingsList()) {
      table.row(binding.getModelPattern(), binding.getAlias(), binding.getPurpose(), time(binding.getUpdateTime()),
          binding.getUpdatedBy(), binding.getPoliciesList().stream().map(PolicySpec::getType)
              .collect(Collectors.joining(", ")));
    }
    table.print(out);
  }

  /** The policies that gate an alias, binding by binding in the order they apply, each with its params. */
  void effectivePolicy(EffectivePolicy effective) {
    if (printedAsJson(effective)) {
      return;
    }
    new TextTable()
        .row("alias", effective.getAlias())
        .row("purpose", effective.getPurpose())
        .row("bindings", Integer.toString(effective.getBindingsCount()))
        .row("policy_set_digest", effective.getPolicySetDigest())
        .print(out);
    if (effective.getBindingsCount() == 0) {
      return;
    }
    TextTable table = new TextTable().row("MODELS", "PURPOSE", "POLICY", "PARAMS");
    for (PolicyBinding binding : effective.getBindingsList()) {
      for (int i = 0; i < binding.getPoliciesCount(); i++) {
        PolicySpec policy = binding.getPolicies(i);
        // The binding is named on its first policy only, so each binding reads as one group of rows.
        table.row(i == 0 ? binding.getModelPattern() : "", i == 0 ? binding.getPurpose() : "", policy.getType(),
            params(policy.getParams()));
      }
    }
    out.println();
    table.print(out);
  }

  /** Who the server takes the caller for, then the role bindings that apply to it. */
  /** What importing one model did: a row of the summary table, or one JSON line. */
  void imported(ImportModelResponse result, TextTable table) {
    if (printedAsJsonLine(result)) {
      return;
    }
    table.row(result.getModel().substring("models/".length()), result.getModelCreated() ? "yes" : "no",
        result.getVersionsCreatedList().isEmpty() ? "-" : result.getVersionsCreatedList().stream()
            .map(String::valueOf).collect(java.util.stream.Collectors.joining(",")),
        result.getAliasesSetList().isEmpty() ? "-" : String.join(",", result.getAliasesSetList()),
        Integer.toString(result.getUnchangedCount()));
  }

  /** A message in the CLI's JSON, for -o json. */
  void message(MessageOrBuilder message) {
    printedAsJson(message);
  }

  static TextTable importTable() {
    return new TextTable().row("MODEL", "CREATED", "VERSIONS", "ALIASES", "UNCHANGED");
  }

  /**
   * A version imported without its files, which {@code outcome} says were {@code refused} (a source outside what
   * the import may read) or {@code failed} (fetching them did not work), and why; -o json: one line per version.
   */
  void fileNotCopied(String model, long version, String source, String outcome, String reason, TextTable table) {
    Struct line = Struct.newBuilder()
        .putFields("model", Value.newBuilder().setStringValue(model).build())
        .putFields("version", Value.newBuilder().setNumberValue(version).build())
        .putFields("source", Value.newBuilder().setStringValue(source).build())
        .putFields("files", Value.newBuilder().setStringValue(outcome).build())
        .putFields("reason", Value.newBuilder().setStringValue(reason).build())
        .build();
    if (printedAsJson(Json.report(line), true)) {
      return;
    }
    table.row(model.substring("models/".length()), Long.toString(version), outcome, reason);
  }

  static TextTable filesNotCopiedTable() {
    return new TextTable().row("MODEL", "VERSION", "FILES", "REASON");
  }

  void table(TextTable table) {
    if (format != Format.json) {
      table.print(out);
    }
  }

  /** A table after another, a blank line apart. */
  void followingTable(TextTable table) {
    if (format != Format.json) {
      out.println();
      table.print(out);
    }
  }

  void caller(Caller caller) {
    if (printedAsJson(caller)) {
      return;
    }
    new TextTable()
        .row("principal", caller.getPrincipal())
        .field("groups", String.join(", ", caller.getGroupsList()))
        .row("authenticated_by", caller.getAuthenticatedBy())
        .field("api_token", caller.getApiToken())
        .row("roles_enforced", caller.getRolesEnforced()
            ? "true"
            : "false: this server checks no roles, so every caller may do everything")
        .row("role_bindings", Integer.toString(caller.getRoleBindingsCount()))
        .print(out);
    if (caller.getRoleBindingsCount() == 0) {
      return;
    }
    TextTable table = new TextTable().row("NAME", "SUBJECT", "ROLE", "MODELS", "ALIASES");
    for (RoleBinding binding : caller.getRoleBindingsList()) {
      table.row(binding.getName(), binding.getSubject(), role(binding.getRole()), binding.getModelPattern(),
          aliases(binding));
    }
    out.println();
    table.print(out);
  }

  void roleBinding(RoleBinding binding) {
    if (printedAsJson(binding)) {
      return;
    }
    new TextTable()
        .row("name", binding.getName())
        .row("subject", binding.getSubject())
        .row("role", role(binding.getRole()))
        .row("models", binding.getModelPattern())
        .row("aliases", aliases(binding))
        .field("created", timeAndActor(binding.getCreateTime(), binding.getCreatedBy()))
        .print(out);
  }

  /** Every binding; those from the server's configuration (GANTRY_ADMINS) say so in CREATED_BY. */
  void roleBindings(ListRoleBindingsResponse bindings) {
    if (printedAsJson(bindings)) {
      return;
    }
    TextTable table = new TextTable().row("NAME", "SUBJECT", "ROLE", "MODELS", "ALIASES", "CREATED", "CREATED_BY");
    for (RoleBinding binding : bindings.getRoleBindingsList()) {
      table.row(binding.getName(), binding.getSubject(), role(binding.getRole()), binding.getModelPattern(),
          aliases(binding), time(binding.getCreateTime()), binding.getCreatedBy());
    }
    table.print(out);
  }

  /**
   * A token just made, then its secret, which the server cannot show again; or, when the secret went to
   * {@code secretFile} (and is not in {@code created}), where it is.
   */
  void createdApiToken(CreateApiTokenResponse created, Path secretFile) {
    if (printedAsJson(created)) {
      return;
    }
    apiTokenBlock(created.getApiToken()).print(out);
    out.println();
    out.println(secretFile == null
        ? "secret (shown once, store it now): " + created.getSecret()
        : "secret written to " + secretFile + " (readable by its owner only; the server cannot show it again)");
  }

  void apiToken(ApiToken token) {
    if (!printedAsJson(token)) {
      apiTokenBlock(token).print(out);
    }
  }

  private static TextTable apiTokenBlock(ApiToken token) {
    return new TextTable()
        .row("name", token.getName())
        .row("principal", token.getPrincipal())
        .field("description", token.getDescription())
        .row("expires", token.hasExpireTime() ? time(token.getExpireTime()) : "never")
        .field("created", timeAndActor(token.getCreateTime(), token.getCreatedBy()))
        .field("revoked", timeAndActor(token.getRevokeTime(), token.getRevokedBy()))
        .field("last_used", time(token.getLastUseTime()));
  }

  /** Never their secrets, which the server does not keep. */
  void apiTokens(ListApiTokensResponse tokens) {
    if (printedAsJson(tokens)) {
      return;
    }
    TextTable table = new TextTable()
        .row("NAME", "PRINCIPAL", "CREATED", "CREATED_BY", "EXPIRES", "REVOKED", "LAST_USED", "DESCRIPTION");
    for (ApiToken token : tokens.getApiTokensList()) {
      table.row(token.getName(), token.getPrincipal(), time(token.getCreateTime()), token.getCreatedBy(),
          token.hasExpireTime() ? time(token.getExpireTime()) : "never",
          token.hasRevokeTime() ? timeAndActor(token.getRevokeTime(), token.getRevokedBy()) : "-",
          token.hasLastUseTime() ? time(token.getLastUseTime()) : "-", token.getDescription());
    }
    table.print(out);
  }

  void createdWebhook(CreateWebhookResponse created, Path secretFile) {
    if (printedAsJson(created)) {
      return;
    }
    webhookBlock(created.getWebhook()).print(out);
    out.println();
    out.println(secretFile != null
        ? "secret written to " + secretFile + " (readable by its owner only; the server cannot show it again)"
        : "secret (shown once, give it to the receiver now): " + created.getSecret());
  }

  void webhook(Webhook webhook) {
    if (!printedAsJson(webhook)) {
      webhookBlock(webhook).print(out);
    }
  }

  private static TextTable webhookBlock(Webhook webhook) {
    return new TextTable()
        .row("name", webhook.getName())
        .row("url", webhook.getUrl())
        .row("events", webhook.getEventTypesCount() == 0 ? "all" : String.join(", ", webhook.getEventTypesList()))
        .row("models", webhook.getModelPattern())
        .field("description", webhook.getDescription())
        .field("created", timeAndActor(webhook.getCreateTime(), webhook.getCreatedBy()));
  }

  void webhooks(ListWebhooksResponse webhooks) {
    if (printedAsJson(webhooks)) {
      return;
    }
    TextTable table = new TextTable().row("NAME", "URL", "EVENTS", "MODELS", "CREATED", "CREATED_BY");
    for (Webhook webhook : webhooks.getWebhooksList()) {
      table.row(webhook.getName(), webhook.getUrl(), webhook.getEventTypesCount() == 0 ? "all"
          : String.join(",", webhook.getEventTypesList()), webhook.getModelPattern(), time(webhook.getCreateTime()),
          webhook.getCreatedBy());
    }
    table.print(out);
  }

  void webhookDeliveries(ListWebhookDeliveriesResponse page) {
    if (printedAsJson(page)) {
      return;
    }
    TextTable table = new TextTable()
        .row("EVENT_ID", "SEQ", "TYPE", "SUBJECT", "STATE", "ATTEMPTS", "LAST_ATTEMPT", "NEXT_ATTEMPT", "LAST_ERROR");
    for (WebhookDelivery delivery : page.getDeliveriesList()) {
      table.row(delivery.getEventId(), Long.toString(delivery.getAuditSeq()), delivery.getEventType(),
          delivery.getSubject(), delivery.getState().name(), Integer.toString(delivery.getAttempts()),
          delivery.hasLastAttemptTime() ? time(delivery.getLastAttemptTime()) : "-",
          delivery.hasNextAttemptTime() ? time(delivery.getNextAttemptTime()) : "-",
          delivery.getLastError().isEmpty() ? "-" : delivery.getLastError());
    }
    table.print(out);
    nextPageHint(page.getNextPageToken());
  }

  void webhookDelivery(WebhookDelivery delivery) {
    if (printedAsJson(delivery)) {
      return;
    }
    new TextTable()
        .row("name", delivery.getName())
        .row("type", delivery.getEventType())
        .row("subject", delivery.getSubject())
        .row("state", delivery.getState().name())
        .row("attempts", Integer.toString(delivery.getAttempts()))
        .field("last_error", delivery.getLastError())
        .print(out);
  }

  /** A flat report that is no API message (the benchmark figures), in the order its fields were added. */
  void report(Struct report) {
    if (printedAsJson(Json.report(report), false)) {
      return;
    }
    TextTable block = new TextTable();
    report.getFieldsMap().forEach((key, value) -> block.row(key, text(value)));
    block.print(out);
  }

  private boolean printedAsJson(MessageOrBuilder message) {
    return format == Format.json && printedAsJson(Json.message(message), false);
  }

  /** For streamed output: one message per line (JSON Lines). */
  private boolean printedAsJsonLine(MessageOrBuilder message) {
    return format == Format.json && printedAsJson(Json.message(message), true);
  }

  private boolean printedAsJson(JsonNode json, boolean line) {
    if (format != Format.json) {
      return false;
    }
    out.println(line ? Json.line(json) : Json.text(json));
    return true;
  }

  private void nextPageHint(String nextPageToken) {
    if (!nextPageToken.isEmpty()) {
      out.println("more: --page-token " + nextPageToken + "  (or --all)");
    }
  }

  private void verdictsAndDecisions(Promotion promotion) {
    if (promotion.getVerdictsCount() > 0) {
      TextTable verdicts = new TextTable().row("POLICY", "OUTCOME", "MESSAGE");
      for (PolicyVerdict verdict : promotion.getVerdictsList()) {
        verdicts.row(verdict.getPolicy(), verdict.getOutcome().name().replace("VERDICT_OUTCOME_", ""),
            verdict.getMessage());
      }
      out.println();
      verdicts.print(out);
    }
    if (promotion.getDecisionsCount() > 0) {
      TextTable decisions = new TextTable().row("PRINCIPAL", "DECISION", "COUNTS", "TIME", "COMMENT");
      for (PromotionDecision decision : promotion.getDecisionsList()) {
        decisions.row(decision.getPrincipal(), decision.getApproved() ? "approved" : "rejected",
            decision.getCounts() ? "yes" : "no: given to other content or policies", time(decision.getCreateTime()),
            decision.getComment());
      }
      out.println();
      decisions.print(out);
    }
  }

  /** Params as {@code metric=rmse, op=<=, value=5.6, approvers=[alice, bob]}. */
  private static String params(Struct params) {
    return params.getFieldsMap().entrySet().stream()
        .map(param -> param.getKey() + "=" + param(param.getValue()))
        .collect(Collectors.joining(", "));
  }

  private static String param(Value value) {
    return switch (value.getKindCase()) {
      case NUMBER_VALUE -> value.getNumberValue() == Math.rint(value.getNumberValue())
          ? Long.toString((long) value.getNumberValue())
          : Double.toString(value.getNumberValue());
      case STRING_VALUE -> value.getStringValue();
      case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
      case LIST_VALUE -> value.getListValue().getValuesList().stream().map(Printer::param)
          .collect(Collectors.joining(", ", "[", "]"));
      case STRUCT_VALUE -> "{" + params(value.getStructValue()) + "}";
      default -> "null";
    };
  }

  private static String kind(Promotion promotion) {
    return promotion.getKind().name().replace("PROMOTION_KIND_", "");
  }

  static String state(PromotionState state) {
    return state.name().replace("PROMOTION_STATE_", "");
  }

  /** {@code ROLE_PUBLISHER} → {@code publisher}, as the server names roles in its messages. */
  static String role(Role role) {
    return role.name().replace("ROLE_", "").toLowerCase(Locale.ROOT);
  }

  /** A binding without aliases applies to every alias. */
  private static String aliases(RoleBinding binding) {
    return binding.getAliasesCount() == 0 ? "*" : String.join(", ", binding.getAliasesList());
  }

  /** {@code models/taxi/aliases/champion} → {@code champion}. */
  private static String aliasId(String aliasName) {
    return aliasName.substring(aliasName.lastIndexOf('/') + 1);
  }

  /** Version 0 stands for none (a removal's target, an alias that did not exist): a block leaves it out. */
  private static String versionOrNone(long version) {
    return version == 0 ? "" : Long.toString(version);
  }

  /** Version 0 in a table, where an empty cell would read as a misaligned column. */
  private static String versionCell(long version) {
    return version == 0 ? "-" : Long.toString(version);
  }

  private static String describe(Schema schema) {
    if (schema.getColumnsCount() > 0) {
      return schema.getColumnsCount() + " column" + (schema.getColumnsCount() == 1 ? "" : "s");
    }
    if (schema.getTensorsCount() > 0) {
      return schema.getTensorsCount() + " tensor" + (schema.getTensorsCount() == 1 ? "" : "s");
    }
    return "";
  }

  private static String text(Value value) {
    if (value.hasBoolValue()) {
      return Boolean.toString(value.getBoolValue());
    }
    if (value.hasNumberValue()) {
      double number = value.getNumberValue();
      return number == Math.rint(number) && Math.abs(number) < 1e15
          ? Long.toString((long) number)
          : String.format(Locale.ROOT, "%.3f", number);
    }
    return value.getStringValue();
  }

  /** {@code 3145728 (3.0 MiB)}: the exact count for scripts, the rounded one for people. */
  static String sizeCell(long bytes) {
    return bytes < 1024 ? bytes + " bytes" : bytes + " (" + humanSize(bytes) + ")";
  }

  /** {@code 512 bytes}, {@code 4.0 KiB}, {@code 3.0 MiB}, {@code 1.2 GiB}. */
  static String humanSize(long bytes) {
    if (bytes < 1024) {
      return bytes + " bytes";
    }
    String units = "KMGTPE";
    int exponent = (63 - Long.numberOfLeadingZeros(bytes)) / 10;
    return String.format(Locale.ROOT, "%.1f %siB", bytes / Math.pow(1024, exponent), units.charAt(exponent - 1));
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  private static String action(AuditEvent event) {
    return event.getAction() == AuditAction.UNRECOGNIZED
        ? Integer.toString(event.getActionValue())
        : AuditArguments.actionName(event.getAction());
  }

  static String status(ModelVersionStatus status) {
    return status.name().replace("MODEL_VERSION_STATUS_", "");
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline) + " …";
  }

  private static String time(Timestamp timestamp) {
    return timestamp.getSeconds() == 0 && timestamp.getNanos() == 0
        ? ""
        : Instant.ofEpochSecond(timestamp.getSeconds()).toString();
  }

  private static String timeAndActor(Timestamp timestamp, String actor) {
    String time = time(timestamp);
    return actor.isEmpty() ? time : time + " by " + actor;
  }
}
