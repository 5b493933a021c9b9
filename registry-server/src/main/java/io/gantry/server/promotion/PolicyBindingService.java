package io.gantry.server.promotion;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.gantry.policy.Policies;
import io.gantry.policy.Policy;
import io.gantry.policy.PolicyConfigException;
import io.gantry.policy.PolicyFile.PolicySpec;
import io.gantry.policy.PolicyFile;
import io.gantry.server.audit.Action;
import io.gantry.server.audit.Payload;
import io.gantry.server.common.CanonicalJson;
import io.gantry.server.common.Digests;
import io.gantry.server.common.ModelGlob;
import io.gantry.server.common.Names;
import io.gantry.server.common.Transactions;
import io.gantry.server.common.Violations;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jooq.DSLContext;

/**
 * Which policies gate which alias: bindings per alias, purpose and model-name glob, set by API or policy file.
 * A binding is checked in full when it is set (every policy is created by its factory), so a mistake is refused
 * then and never blocks a promotion later. Knows nothing of gRPC.
 */
public final class PolicyBindingService {

  static final int MAX_POLICIES = 50;
  private static final ObjectMapper WRITTEN_ORDER = new ObjectMapper();

  private final DSLContext dsl;
  private final Transactions transactions;
  private final PolicyBindingRepository bindings;
  private final Policies policies;
  // Configured policies by binding digest: a CEL expression compiles once, not per promotion.
  private final Cache<String, List<Policy>> compiled = Caffeine.newBuilder().maximumSize(1_000).build();

  public PolicyBindingService(DSLContext dsl, Transactions transactions, PolicyBindingRepository bindings,
      Policies policies) {
    this.dsl = dsl;
    this.transactions = transactions;
    this.bindings = bindings;
    this.policies = policies;
  }

  /**
   * Sets, replaces or (with no policies) removes the binding of (pattern, alias, purpose).
   *
   * @return the binding as stored; empty when it was removed
   */
  public Optional<PolicyBinding> set(PolicyFile.Binding binding, String actor) {
    Purpose purpose = Purpose.parse("binding.purpose", binding.purpose());
    checkBinding(binding);
    List<Map<String, Object>> specs = canonicalSpecs(binding.policies());
    String digest = digest(binding.modelPattern(), binding.alias(), purpose, specs);
    // stored as written, parameters in their order, so that reading a binding back reads like its file
    String policiesJson = writtenOrder(specs);
    return transactions.write(actor, tx -> {
      Optional<PolicyBinding> before = bindings.lock(tx.dsl(), binding.modelPattern(), binding.alias(), purpose);
      String resource = PolicyBinding.resource(binding.modelPattern(), binding.alias(), purpose);
      if (binding.policies().isEmpty()) {
        if (before.isEmpty()) {
          tx.unchanged();
          return Optional.empty();
        }
        bindings.delete(tx.dsl(), binding.modelPattern(), binding.alias(), purpose);
        tx.record(Action.POLICY_CHANGED, resource, changePayload(binding, purpose, before, null, null));
        return Optional.empty();
      }
      if (before.isPresent() && before.get().digest().equals(digest)) {
        tx.unchanged();
        return before;
      }
      PolicyBinding after = bindings.upsert(tx.dsl(), binding.modelPattern(), binding.alias(), purpose,
          policiesJson, digest, actor);
      tx.record(Action.POLICY_CHANGED, resource, changePayload(binding, purpose, before, specs, digest));
      return Optional.of(after);
    });
  }

  /** Applies a policy file: each binding in it is set as if by {@link #set}; bindings not in it are kept. */
  public void apply(List<PolicyFile.Binding> file, String actor) {
    file.forEach(binding -> set(binding, actor));
  }

  public List<PolicyBinding> list() {
    return bindings.all(dsl);
  }

  /** The effective set for one model and alias, as an API reader asks for it. */
  public EffectivePolicy effective(String modelId, String alias, Purpose purpose) {
    Names.checkAlias("alias", alias);
    return effective(dsl, modelId, alias, purpose);
  }

  /**
   * The bindings that gate {@code purpose} on the model's alias, read with {@code ctx} so that a promotion
   * evaluates the set of its own transaction. A rollback with no rollback binding is gated as a promotion;
   * a removal of a gated alias needs a remove binding of its own, so that removing can never bypass the gates.
   */
  EffectivePolicy effective(DSLContext ctx, String modelId, String alias, Purpose purpose) {
    List<PolicyBinding> matching = matching(ctx, modelId, alias, purpose);
    Purpose used = purpose;
    if (matching.isEmpty() && purpose != Purpose.PROMOTE) {
      List<PolicyBinding> promote = matching(ctx, modelId, alias, Purpose.PROMOTE);
      if (purpose == Purpose.REMOVE && !promote.isEmpty()) {
        throw new GantryException(ErrorCode.REMOVAL_NOT_GATED, "alias '" + alias + "' of model '" + modelId
            + "' is gated by " + promote.size() + " promote binding(s) but has no 'remove' binding; bind "
            + "policies with purpose remove (e.g. approvals) before it can be removed");
      }
      if (purpose == Purpose.ROLLBACK) {
        matching = promote;
        used = Purpose.PROMOTE;
      }
    }
    List<Policy> configured = new ArrayList<>();
    matching.forEach(binding -> configured.addAll(compiled.get(binding.digest(), digest -> create(binding))));
    String setDigest = hex(Digests.sha256(matching.stream().map(PolicyBinding::digest)
        .collect(Collectors.joining("\n")).getBytes(StandardCharsets.UTF_8)));
    return new EffectivePolicy(alias, used, matching, List.copyOf(configured), setDigest);
  }

  /** Matching bindings, most specific first: an exact name, then more literal characters, then by pattern. */
  private List<PolicyBinding> matching(DSLContext ctx, String modelId, String alias, Purpose purpose) {
    return bindings.forAlias(ctx, alias, purpose).stream()
        .filter(binding -> ModelGlob.compile(binding.modelPattern()).matcher(modelId).matches())
        .sorted(Comparator.comparingInt((PolicyBinding b) -> -literalCharacters(b.modelPattern()))
            .thenComparing(PolicyBinding::modelPattern))
        .toList();
  }

  private List<Policy> create(PolicyBinding binding) {
    return binding.policies().stream().map(spec -> policies.create(spec.type(), spec.params())).toList();
  }

  private void checkBinding(PolicyFile.Binding binding) {
    Violations violations = new Violations().required("binding.model_pattern", binding.modelPattern());
    if (!binding.modelPattern().isEmpty() && !ModelGlob.SYNTAX.matcher(binding.modelPattern()).matches()) {
      violations.add("binding.model_pattern", "'" + Names.printable(binding.modelPattern()) + "' is not "
          + ModelGlob.SYNTAX_HINT);
    }
    if (binding.policies().size() > MAX_POLICIES) {
      violations.add("binding.policies", "has " + binding.policies().size() + " policies; at most " + MAX_POLICIES);
    }
    violations.throwIfAny();
    Names.checkAlias("binding.alias", binding.alias());
    if (Names.LATEST.equals(binding.alias())) {
      throw GantryException.invalid("binding.alias", "'latest' is computed and never moves; it cannot be gated");
    }
    for (int i = 0; i < binding.policies().size(); i++) {
      PolicySpec spec = binding.policies().get(i);
      String field = "binding.policies[" + i + "]";
      if (spec.type().isBlank()) {
        throw GantryException.invalid(field + ".type", "is required");
      }
      try {
        policies.create(spec.type(), spec.params());
      } catch (PolicyConfigException e) {
        throw GantryException.invalid(e.parameter().map(p -> field + ".params." + p).orElse(field + ".type"),
            e.getMessage());
      }
    }
  }

  /**
   * The specs as JSON-like values with every number a double: JSON read through protobuf's {@code Struct} has
   * only doubles and YAML has integers too, and the same binding must have one digest whichever way it came.
   */
  private static List<Map<String, Object>> canonicalSpecs(List<PolicySpec> specs) {
    return specs.stream().map(spec -> {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("type", spec.type());
      json.put("params", normalize(spec.params()));
      return json;
    }).toList();
  }

  @SuppressWarnings("unchecked")
  private static <T> T normalize(T value) {
    if (value instanceof Number number) {
      return (T) Double.valueOf(number.doubleValue());
    }
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> copy = new LinkedHashMap<>();
      map.forEach((key, element) -> copy.put(key, normalize(element)));
      return (T) copy;
    }
    if (value instanceof List<?> list) {
      return (T) list.stream().map(PolicyBindingService::normalize).toList();
    }
    return value;
  }

  private static Map<String, Object> changePayload(PolicyFile.Binding binding, Purpose purpose,
      Optional<PolicyBinding> before, List<Map<String, Object>> after, String afterDigest) {
    return Payload.of(
        "model_pattern", binding.modelPattern(),
        "alias", binding.alias(),
        "purpose", purpose.wireName(),
        "before", before.map(b -> canonicalSpecs(b.policies())).orElse(null),
        "before_digest", before.map(PolicyBinding::digest).orElse(null),
        "after", after,
        "after_digest", afterDigest);
  }

  private static String writtenOrder(List<Map<String, Object>> specs) {
    try {
      return WRITTEN_ORDER.writeValueAsString(specs);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("policy parameters are not JSON-like: " + e.getOriginalMessage(), e);
    }
  }

  /** SHA-256 of the binding's canonical JSON: pattern, alias, purpose and the policies with their parameters. */
  private static String digest(String modelPattern, String alias, Purpose purpose,
      List<Map<String, Object>> policies) {
    String canonical = CanonicalJson.write(Map.of(
        "model_pattern", modelPattern, "alias", alias, "purpose", purpose.wireName(), "policies", policies));
    return hex(Digests.sha256(canonical.getBytes(StandardCharsets.UTF_8)));
  }

  private static int literalCharacters(String pattern) {
    return (int) pattern.chars().filter(c -> c != '*' && c != '?').count();
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
