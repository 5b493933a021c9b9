package io.gantry.server.mlflowrest;

import io.gantry.server.mlflowrest.MlflowHttp.Calls;
import io.gantry.v1.Alias;
import io.gantry.v1.ArchiveModelVersionRequest;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.ListAliasesRequest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.ModelVersionStatus;
import io.gantry.v1.Promotion;
import io.gantry.v1.PromotionState;
import io.gantry.v1.RequestPromotionRequest;
import io.gantry.v1.VerdictOutcome;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Locale;

/**
 * MLflow's legacy stages on Gantry's aliases. Staging and Production are the aliases {@code staging} and
 * {@code production}, each moved by a promotion (gated); Archived is an archived version; None is a version holding
 * neither alias. As in MLflow (mlflow/store/model_registry/sqlalchemy_store.py,
 * {@code transition_model_version_stage}), a version stands in at most one stage: moving it to a stage takes it out
 * of the other, moving it to None or Archived takes it out of both.
 *
 * <p>Every alias a transition removes is a removal promotion under the alias's own gates. So that a refused side
 * effect leaves nothing half done, each removal is first evaluated as a dry run, and the transition is refused
 * before anything moves unless all of them would apply. Then the target moves, then the removals follow; one that
 * is refused in between (a policy changed in that instant) is reported, never skipped in silence.
 */
final class MlflowStages {

  /** MLflow's stages, in the order MLflow lists them (mlflow/entities/model_registry/model_version_stages.py). */
  static final List<String> STAGES = List.of("None", "Staging", "Production", "Archived");
  /** The stages a version enters by holding the alias of that name in lower case. */
  static final List<String> ALIASED = List.of("Staging", "Production");

  private final Calls calls;
  private final String model;

  MlflowStages(Calls calls, String model) {
    this.calls = calls;
    this.model = model;
  }

  /** Whether an alias is a stage's: kept out of {@code aliases} on MLflow's surface, shown as {@code current_stage}. */
  static boolean isStageAlias(String aliasId) {
    return ALIASED.stream().anyMatch(stage -> stage.toLowerCase(Locale.ROOT).equals(aliasId));
  }

  /** MLflow's {@code get_canonical_stage}: any case of a stage's name, else INVALID_PARAMETER_VALUE. */
  static String canonical(String stage) {
    return STAGES.stream().filter(s -> s.equalsIgnoreCase(stage)).findFirst()
        .orElseThrow(() -> MlflowError.invalid("Invalid Model Version stage: " + stage + ". Value must be one of "
            + String.join(", ", STAGES) + "."));
  }

  /** Moves the version to the stage; MLflow's {@code transition-stage}. */
  void transition(long version, String stage, boolean archiveExisting) {
    String target = canonical(stage);
    if (archiveExisting && !ALIASED.contains(target)) {
      // MLflow raises this without an error code (an INTERNAL_ERROR); it is the caller's mistake: 400
      throw MlflowError.invalid("Model version transition cannot archive existing model versions because '" + stage
          + "' is not an Active stage. Valid stages are ['Staging', 'Production']");
    }
    ModelVersion current = calls.registry().getModelVersion(GetModelVersionRequest.newBuilder()
        .setName(versionName(version)).build());
    List<String> held = stageAliasesOf(version);
    String targetAlias = target.toLowerCase(Locale.ROOT);
    List<String> leaving = held.stream().filter(alias -> !alias.equals(targetAlias)).toList();
    if (current.getStatus() == ModelVersionStatus.MODEL_VERSION_STATUS_ARCHIVED && !target.equals("Archived")) {
      throw new MlflowError(400, "INVALID_STATE", "version " + version + " of model '" + model + "' is archived and "
          + "Gantry never brings an archived version back: register its files as a new version");
    }
    leaving.forEach(alias -> checkRemovable(alias, version, target));
    switch (target) {
      case "Staging", "Production" -> moveInto(targetAlias, version, held.contains(targetAlias), archiveExisting);
      case "Archived" -> calls.registry().archiveModelVersion(ArchiveModelVersionRequest.newBuilder()
          .setName(versionName(version)).build());
      default -> {
        // None: leaving the stages is all there is to do
      }
    }
    leaving.forEach(alias -> remove(alias, version, target));
  }

  /**
   * Points the stage's alias at the version. With {@code archiveExisting}, the version that held it (the only other
   * one in the stage: an alias points at one version) is archived as MLflow archives it, even when it holds an alias
   * users set, which the promotion's own {@code archive_previous} leaves alone.
   */
  private void moveInto(String alias, long version, boolean alreadyThere, boolean archiveExisting) {
    if (alreadyThere) {
      return;
    }
    Promotion promotion = calls.promotions().requestPromotion(RequestPromotionRequest.newBuilder()
        .setModel("models/" + model).setAlias(alias).setVersion(version).setArchivePrevious(archiveExisting)
        .setJustification("transitioned to " + stageOf(alias) + " through MLflow's REST API").build());
    refuseUnlessApplied(promotion, "the alias did not move: ");
    long previous = promotion.getCurrentVersion();
    if (archiveExisting && previous > 0 && previous != version) {
      calls.registry().archiveModelVersion(ArchiveModelVersionRequest.newBuilder()
          .setName(versionName(previous)).build());
    }
  }

  /** Refuses the transition, before anything moved, unless removing the alias from the version would apply now. */
  private void checkRemovable(String alias, long version, String target) {
    String refusal = "version " + version + " did not move to " + target + ": it would leave " + stageOf(alias)
        + ", and removing its '" + alias + "' alias ";
    Promotion dryRun;
    try {
      dryRun = calls.promotions().requestPromotion(removal(alias, version).setDryRun(true).build());
    } catch (StatusRuntimeException e) {
      MlflowError error = MlflowError.of(e);
      throw new MlflowError(error.httpStatus, error.errorCode, refusal + "is refused: " + error.getMessage());
    }
    refuseUnlessApplied(dryRun, refusal);
  }

  private void remove(String alias, long version, String target) {
    String refusal = "version " + version + " is now " + target + " but still holds its '" + alias + "' alias ("
        + stageOf(alias) + "), whose removal ";
    try {
      refuseUnlessApplied(calls.promotions().requestPromotion(removal(alias, version).build()), refusal);
    } catch (StatusRuntimeException e) {
      MlflowError error = MlflowError.of(e);
      throw new MlflowError(error.httpStatus, error.errorCode, refusal + "was refused: " + error.getMessage());
    }
  }

  /** Removes the alias only while it still points at the version. */
  private RequestPromotionRequest.Builder removal(String alias, long version) {
    return RequestPromotionRequest.newBuilder().setModel("models/" + model).setAlias(alias).setRemoveAlias(true)
        .setExpectedCurrentVersion(version)
        .setJustification("left " + stageOf(alias) + " through MLflow's REST API");
  }

  private List<String> stageAliasesOf(long version) {
    List<Alias> aliases = calls.registry().listAliases(ListAliasesRequest.newBuilder().setParent("models/" + model)
        .build()).getAliasesList();
    return aliases.stream().filter(a -> a.getVersion() == version).map(a -> MlflowMessages.aliasId(a.getName()))
        .filter(MlflowStages::isStageAlias).toList();
  }

  /**
   * An alias move that did not apply is INVALID_STATE, with the promotion's name and each policy that did not pass.
   */
  static void refuseUnlessApplied(Promotion promotion, String context) {
    if (promotion.getState() == PromotionState.PROMOTION_STATE_APPLIED) {
      return;
    }
    List<String> failed = promotion.getVerdictsList().stream()
        .filter(v -> v.getOutcome() != VerdictOutcome.VERDICT_OUTCOME_PASS)
        .map(v -> v.getPolicy() + ": " + v.getMessage()).toList();
    String state = promotion.getDryRun()
        ? (promotion.getState() == PromotionState.PROMOTION_STATE_AWAITING_APPROVAL ? "would await approval"
            : "would be refused")
        : promotion.getState() == PromotionState.PROMOTION_STATE_AWAITING_APPROVAL
            ? "awaits approval as " + promotion.getName() : "was refused (" + promotion.getName() + ")";
    throw new MlflowError(400, "INVALID_STATE", context + (context.endsWith(": ") ? "the promotion " : "")
        + state + (failed.isEmpty() ? "" : "; " + String.join("; ", failed)));
  }

  private static String stageOf(String alias) {
    return ALIASED.stream().filter(s -> s.toLowerCase(Locale.ROOT).equals(alias)).findFirst().orElse(alias);
  }

  private String versionName(long version) {
    return "models/" + model + "/versions/" + version;
  }
}
