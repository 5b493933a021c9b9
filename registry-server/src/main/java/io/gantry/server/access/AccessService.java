package io.gantry.server.access;

import io.gantry.policy.PolicyFile;
import io.gantry.server.audit.Action;
import io.gantry.server.audit.Payload;
import io.gantry.server.auth.ApiTokenAuthenticator;
import io.gantry.server.auth.Caller;
import io.gantry.server.change.ChangeSubscriber;
import io.gantry.server.common.ModelGlob;
import io.gantry.server.common.Names;
import io.gantry.server.common.Transactions;
import io.gantry.server.common.Violations;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jooq.DSLContext;

/**
 * Who may do what: role bindings and API tokens, changed by admins (every change audited) and held in memory on
 * every replica, so that checking a call reads no database. A change is in effect on the replica that made it before
 * the call returns, and reaches the other replicas through the change feed; until the listener hears it, a replica
 * decides on what it read last. Copies are kept in the order of the changes ({@link AccessSnapshots}).
 */
public final class AccessService implements ChangeSubscriber, ApiTokenAuthenticator.Directory {

  private static final Pattern BINDING_NAME = Pattern.compile("roleBindings/(-?[0-9]{1,18})");
  private static final Pattern TOKEN_NAME = Pattern.compile("apiTokens/([0-9a-fA-F-]{36})");
  private static final int MAX_DESCRIPTION = 1000;

  private final DSLContext dsl;
  private final Transactions transactions;
  private final AccessRepository repository;
  private final Clock clock;
  private final Map<UUID, Instant> unrecordedUses = new ConcurrentHashMap<>();
  private final AccessSnapshots snapshots;

  /** What a write returns, and the access version its transaction committed. */
  private record Committed<T>(T value, long version) {}

  /** @param admins subjects that are admin on every model by configuration */
  public AccessService(DSLContext dsl, Transactions transactions, AccessRepository repository, List<String> admins,
      Clock clock) {
    this.dsl = dsl;
    this.transactions = transactions;
    this.repository = repository;
    this.clock = clock;
    List<RoleBinding> fromConfiguration = new ArrayList<>();
    for (String subject : admins) {
      fromConfiguration.add(new RoleBinding(-(fromConfiguration.size() + 1), subject, Role.ADMIN,
          RoleBinding.EVERY_MODEL, List.of(), clock.instant(), "GANTRY_ADMINS", true));
    }
    this.snapshots = new AccessSnapshots(dsl, repository, fromConfiguration);
  }

  /** Whether {@code caller} has {@code right} on {@code scope}. */
  public boolean allows(Caller.Identity caller, Right right, Scope scope) {
    return grants().allows(caller, right, scope);
  }

  /** The bindings that apply to {@code caller}. */
  public List<RoleBinding> bindingsOf(Caller.Identity caller) {
    return grants().bindingsOf(caller);
  }

  /** The models {@code caller} may read: every model once a binding that gives reading names {@code *}. */
  public ReadableModels readable(Caller.Identity caller) {
    List<String> globs = grants().bindingsOf(caller).stream().filter(binding -> binding.role().gives(Right.READ))
        .map(RoleBinding::modelPattern).distinct().toList();
    return globs.contains(RoleBinding.EVERY_MODEL) ? ReadableModels.EVERY_MODEL : ReadableModels.of(globs);
  }

  /**
   * What {@code caller} is on a model's alias besides its name, for the approvals policy: {@code group:NAME} for its
   * groups, {@code role:NAME} for the roles its bindings give there.
   */
  public Set<String> memberships(Caller.Identity caller, String modelId, String alias) {
    Set<String> memberships = new TreeSet<>();
    caller.groups().forEach(group -> memberships.add(RoleBinding.GROUP + group));
    for (RoleBinding binding : grants().bindingsOf(caller)) {
      if (binding.grants(Right.READ, Scope.model(modelId))
          && (binding.aliases().isEmpty() || binding.aliases().contains(alias))) {
        memberships.add("role:" + binding.role().wireName());
      }
    }
    return memberships;
  }

  public RoleBinding grant(String subject, Role role, String modelPattern, List<String> aliases, String actor) {
    Violations violations = new Violations().required("role_binding.subject", subject)
        .required("role_binding.model_pattern", modelPattern);
    if (!subject.isEmpty() && !RoleBinding.SUBJECT.matcher(subject).matches()) {
      violations.add("role_binding.subject", "'" + Names.printable(subject) + "' must be " + RoleBinding.SUBJECT_RULE);
    }
    if (!modelPattern.isEmpty() && !ModelGlob.SYNTAX.matcher(modelPattern).matches()) {
      violations.add("role_binding.model_pattern", "'" + Names.printable(modelPattern) + "' is not "
          + ModelGlob.SYNTAX_HINT);
    }
    if (!aliases.isEmpty() && role != Role.PUBLISHER && role != Role.APPROVER) {
      violations.add("role_binding.aliases", "only publisher and approver bindings name aliases; a "
          + role.wireName() + " binding applies to every alias");
    }
    for (int i = 0; i < aliases.size(); i++) {
      if (!Names.ALIAS.matcher(aliases.get(i)).matches() || aliases.get(i).equals(Names.LATEST)) {
        violations.add("role_binding.aliases[" + i + "]", "'" + Names.printable(aliases.get(i))
            + "' is not an alias that can be moved");
      }
    }
    violations.throwIfAny();
    return inEffect(transactions.write(actor, tx -> {
      RoleBinding inserted = repository.insert(tx.dsl(), subject, role, modelPattern, aliases, actor)
          .orElseThrow(() -> new GantryException(ErrorCode.ROLE_BINDING_ALREADY_EXISTS, subject + " already has the "
              + role.wireName() + " role on " + modelPattern + ": delete that binding first to change its aliases"));
      tx.record(Action.ROLE_GRANTED, inserted.name(), Payload.of("subject", subject, "role", role.wireName(),
          "model_pattern", modelPattern, "aliases", aliases));
      return new Committed<>(inserted, repository.advanceVersion(tx.dsl()));
    }));
  }

  /**
   * Applies the role bindings of a policy file: each is granted unless the subject already has the role on the
   * pattern with the same aliases (then nothing changes), or replaced when its aliases differ. Bindings not in the
   * file are kept.
   */
  public void apply(List<PolicyFile.RoleGrant> grants, String actor) {
    for (int i = 0; i < grants.size(); i++) {
      PolicyFile.RoleGrant grant = grants.get(i);
      Role role = Arrays.stream(Role.values()).filter(r -> r.wireName().equals(grant.role())).findFirst()
          .orElseThrow(invalidRole("roles[" + i + "].role", grant.role()));
      Optional<RoleBinding> existing = bindings(grant.subject()).stream()
          .filter(b -> !b.fromConfiguration() && b.role() == role && b.modelPattern().equals(grant.modelPattern()))
          .findFirst();
      if (existing.isPresent() && existing.get().aliases().equals(grant.aliases())) {
        continue;
      }
      if (existing.isPresent()) {
        revoke(existing.get().name(), actor);
      }
      grant(grant.subject(), role, grant.modelPattern(), grant.aliases(), actor);
    }
  }

  private static Supplier<GantryException> invalidRole(String field, String role) {
    return () -> GantryException.invalid(field, "'" + Names.printable(role) + "' is not a role: one of viewer, "
        + "publisher, approver, auditor, admin");
  }

  public void revoke(String name, String actor) {
    long id = parseBindingName(name);
    if (id <= 0) {
      throw new GantryException(ErrorCode.ROLE_BINDING_CONFIGURED, name + " comes from GANTRY_ADMINS: change the "
          + "server's configuration to remove it");
    }
    inEffect(transactions.write(actor, tx -> {
      RoleBinding binding = repository.binding(tx.dsl(), id).orElseThrow(() -> bindingNotFound(name));
      repository.delete(tx.dsl(), id);
      tx.record(Action.ROLE_REVOKED, binding.name(), Payload.of("subject", binding.subject(),
          "role", binding.role().wireName(), "model_pattern", binding.modelPattern(), "aliases", binding.aliases()));
      return new Committed<>(binding, repository.advanceVersion(tx.dsl()));
    }));
  }

  /** Every binding, those from configuration first; only those of {@code subject} when it is not empty. */
  public List<RoleBinding> bindings(String subject) {
    return grants().bindings().stream().filter(b -> subject.isEmpty() || b.subject().equals(subject)).toList();
  }

  /** A token and its secret, which is in this answer only. */
  public record NewToken(ApiToken token, String secret) {}

  public NewToken createToken(String principal, String description, Optional<Instant> expireTime, String actor) {
    Violations violations = new Violations().required("api_token.principal", principal)
        .line("api_token.description", description, MAX_DESCRIPTION);
    if (!principal.isEmpty() && !Caller.isUserName(principal)) {
      violations.add("api_token.principal", "'" + Names.printable(principal) + "' must be " + Caller.USER_NAME_RULE);
    }
    if (expireTime.isPresent() && !expireTime.get().isAfter(clock.instant())) {
      violations.add("api_token.expire_time", "is not in the future: " + expireTime.get());
    }
    violations.throwIfAny();
    ApiTokenAuthenticator.Minted minted = ApiTokenAuthenticator.mint();
    ApiToken token = inEffect(transactions.write(actor, tx -> {
      ApiToken inserted = repository.insertToken(tx.dsl(), minted.id(), principal, description, minted.sha256(),
          expireTime, actor);
      Map<String, Object> payload = Payload.of("principal", principal, "description", description);
      payload.put("expire_time", expireTime.map(Instant::toString).orElse(null));
      tx.record(Action.TOKEN_CREATED, inserted.name(), payload);
      return new Committed<>(inserted, repository.advanceVersion(tx.dsl()));
    }));
    return new NewToken(token, minted.secret());
  }

  public List<ApiToken> tokens(boolean showInactive) {
    Instant now = clock.instant();
    return repository.tokens(dsl).stream().filter(token -> showInactive || token.active(now)).toList();
  }

  public ApiToken revokeToken(String name, String actor) {
    UUID id = parseTokenName(name);
    return inEffect(transactions.write(actor, tx -> {
      ApiToken before = repository.lockToken(tx.dsl(), id).orElseThrow(() ->
          new GantryException(ErrorCode.API_TOKEN_NOT_FOUND, "API token " + name + " not found"));
      if (before.revokeTime().isPresent()) {
        tx.unchanged();
        // revoked before, maybe through another replica: refused here too once this call returns
        return new Committed<>(before, repository.version(tx.dsl()));
      }
      ApiToken revoked = repository.revoke(tx.dsl(), id, actor);
      tx.record(Action.TOKEN_REVOKED, revoked.name(), Payload.of("principal", revoked.principal()));
      return new Committed<>(revoked, repository.advanceVersion(tx.dsl()));
    }));
  }

  private Grants grants() {
    return snapshots.served();
  }

  /** Returns once this replica decides on a copy that holds the write: its caller's next call sees it. */
  private <T> T inEffect(Committed<T> committed) {
    snapshots.awaitVersion(committed.version());
    return committed.value();
  }

  /** Whether the API token still works: known, not revoked, not expired. */
  public boolean tokenWorks(UUID id) {
    return grants().token(id).filter(token -> !token.revoked()
        && token.expireTime().map(clock.instant()::isBefore).orElse(true)).isPresent();
  }

  @Override
  public Optional<ApiTokenAuthenticator.Stored> find(UUID id) {
    return grants().token(id);
  }

  @Override
  public void used(UUID id) {
    // the first use since the last write is enough: uses are recorded to the half minute
    unrecordedUses.computeIfAbsent(id, unused -> clock.instant());
  }

  /** Writes the last use of the tokens used since the last call; run now and then, not on every call. */
  public void recordUses() {
    for (UUID id : Set.copyOf(unrecordedUses.keySet())) {
      Instant at = unrecordedUses.remove(id);
      if (at != null) {
        repository.markUsed(dsl, id, at);
      }
    }
  }

  /** Reads every binding and token again; returns once a copy at least that new is served. */
  public void reload() {
    snapshots.awaitFresh();
  }

  @Override
  public void accessChanged() {
    // off the calling thread (the listener's or a writer's): the reloader serves every change heard meanwhile at once
    snapshots.refresh();
  }

  @Override
  public void changed(Set<String> models) {}

  @Override
  public void listenerLost() {}

  @Override
  public void resynced() {
    snapshots.refresh();
  }

  private static long parseBindingName(String name) {
    var m = BINDING_NAME.matcher(name);
    if (!m.matches()) {
      throw GantryException.invalid("name", name.isEmpty() ? "is required (roleBindings/{id})"
          : "'" + Names.printable(name) + "' is not a resource name of the form roleBindings/{id}");
    }
    return Long.parseLong(m.group(1));
  }

  private static UUID parseTokenName(String name) {
    var m = TOKEN_NAME.matcher(name);
    if (m.matches()) {
      try {
        return UUID.fromString(m.group(1));
      } catch (IllegalArgumentException e) {
        // reported below
      }
    }
    throw GantryException.invalid("name", name.isEmpty() ? "is required (apiTokens/{uuid})"
        : "'" + Names.printable(name) + "' is not a resource name of the form apiTokens/{uuid}");
  }

  private static GantryException bindingNotFound(String name) {
    return new GantryException(ErrorCode.ROLE_BINDING_NOT_FOUND, "role binding " + name + " not found");
  }
}
