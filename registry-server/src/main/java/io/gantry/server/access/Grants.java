package io.gantry.server.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.gantry.server.auth.ApiTokenAuthenticator;
import io.gantry.server.auth.Caller;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Who may do what, as read from the database at one access version: every role binding (those from configuration
 * first) and every API token. Immutable; a copy of a higher version replaces it. Decisions are remembered, so the
 * check on a cache hit costs a lookup.
 */
final class Grants {

  private record Question(Caller.Identity caller, Right right, Scope scope) {}

  private final long version;
  private final List<RoleBinding> bindings;
  private final Map<UUID, ApiTokenAuthenticator.Stored> tokens;
  private final Cache<Question, Boolean> decisions = Caffeine.newBuilder().maximumSize(50_000).build();

  Grants(long version, List<RoleBinding> bindings, Map<UUID, ApiTokenAuthenticator.Stored> tokens) {
    this.version = version;
    this.bindings = List.copyOf(bindings);
    this.tokens = Map.copyOf(tokens);
  }

  /** The access version this copy reflects: every change committed up to it, none after. */
  long version() {
    return version;
  }

  List<RoleBinding> bindings() {
    return bindings;
  }

  Optional<ApiTokenAuthenticator.Stored> token(UUID id) {
    return Optional.ofNullable(tokens.get(id));
  }

  boolean allows(Caller.Identity caller, Right right, Scope scope) {
    if (scope.kind() == Scope.Kind.CALLER) {
      return true;
    }
    return decisions.get(new Question(caller, right, scope), question -> bindings.stream()
        .anyMatch(binding -> binding.appliesTo(caller) && binding.grants(right, scope)));
  }

  List<RoleBinding> bindingsOf(Caller.Identity caller) {
    return bindings.stream().filter(binding -> binding.appliesTo(caller)).toList();
  }
}
